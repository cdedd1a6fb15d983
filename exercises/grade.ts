// grade.ts — judges one source against one exercise: compile it as the build would, start it with
// the exercise's grants in a booted machine, let the grader watch it (starting the exercise's
// helper programs beside it when it has some), then kill them all. The last line a student sees
// is "PASS" or "FAIL: <reason>" (formatVerdict).
import type { CompileResult } from '../web/src/code/compile';
import type { CodeSession, RunOutcome } from '../web/src/code/session';
import { grantBits } from '../web/src/code/program';
import type { ExerciseDef, Verdict } from './types';
import { fail } from './types';

/** The process name graded programs run under (helpers look it up by this name). */
export const GRADED_NAME = 'student';

export type Compile = (src: string, name: string) => Promise<CompileResult>;
/** Reads a file of an exercise's folder (Node: the disk; the page: bundled by Vite). */
export type ExerciseFile = (id: string, file: string) => string;

// helpers are compiled once per source text and process (they never change between grades)
const helperCache = new Map<string, Uint8Array>();

async function compileHelpers(ex: ExerciseDef, compile: Compile, readFile: ExerciseFile): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const h of ex.helpers ?? []) {
    const src = readFile(ex.id, h.file);
    let bin = helperCache.get(src);
    if (!bin) {
      const c = await compile(src, h.name);
      if (!c.binary) throw new Error(`the exercise's helper ${h.file} does not compile: ${c.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
      bin = c.binary;
      helperCache.set(src, bin);
    }
    out.set(h.name, bin);
  }
  return out;
}

export async function gradeSource(ex: ExerciseDef, source: string, compile: Compile, session: CodeSession,
                                  readFile: ExerciseFile = () => ''): Promise<Verdict> {
  const c = await compile(source, GRADED_NAME);
  const err = c.diagnostics.find((d) => d.severity === 'error');
  if (!c.binary) return fail(`it does not compile: line ${err?.line ?? 1}, column ${err?.column ?? 1}: ${err?.message ?? 'unknown error'}`);
  let helpers: Map<string, Uint8Array>;
  try {
    helpers = await compileHelpers(ex, compile, readFile);
  } catch (e) {
    return fail(`${(e as Error).message} (not your program's fault)`);
  }
  return gradeBinary(ex, c.binary, session, helpers);
}

export function gradeBinary(ex: ExerciseDef, binary: Uint8Array, session: CodeSession,
                            helpers: Map<string, Uint8Array> = new Map()): Verdict {
  const outFrom = session.out.length;
  const traceFrom = session.trace.length;
  const run = session.runProgram(binary, GRADED_NAME, grantBits(ex.grants));
  if (run.err !== 0) {
    const why = session.out.slice(outFrom).match(/loader: program image rejected: ([^\r\n]*)/);
    return fail(`init could not start the program: ${run.errName}${why ? ` (${why[1]})` : ''}`);
  }
  const started: RunOutcome[] = [];
  const runHelper = (name: string): RunOutcome => {
    const def = ex.helpers?.find((h) => h.name === name);
    const bin = helpers.get(name);
    if (!def || !bin) throw new Error(`no helper '${name}' in exercise ${ex.id}`);
    const r = session.runProgram(bin, name, grantBits(def.grants));
    if (r.err === 0) started.push(r);
    return r;
  };
  let v: Verdict;
  try {
    v = ex.grade({ session, run, name: GRADED_NAME, outFrom, traceFrom, runHelper });
  } catch (e) {
    v = fail(`the grader could not finish: ${(e as Error).message.split('\n')[0]}`);
  }
  // leave the machine as it was: the helpers and the program go (a server that never replied is unblocked too)
  for (const r of [...started].reverse()) {
    try { session.shell(`kill ${r.tid}`); } catch { /* it had already stopped */ }
  }
  try { session.shell(`kill ${run.tid}`); } catch { /* it had already stopped */ }
  return v;
}

export function formatVerdict(v: Verdict): string {
  return v.pass ? 'PASS' : `FAIL: ${v.reason}`;
}
