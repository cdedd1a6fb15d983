// grade.ts — judges one source against one exercise: compile it as the build would, start it with
// the exercise's grants in a booted machine, let the grader watch it, then kill it. The last line
// a student sees is "PASS" or "FAIL: <reason>" (formatVerdict).
import type { CompileResult } from '../web/src/code/compile';
import type { CodeSession } from '../web/src/code/session';
import { grantBits } from '../web/src/code/program';
import type { ExerciseDef, Verdict } from './types';
import { fail } from './types';

/** The process name graded programs run under. */
export const GRADED_NAME = 'student';

export async function gradeSource(ex: ExerciseDef, source: string,
                                  compile: (src: string, name: string) => Promise<CompileResult>,
                                  session: CodeSession): Promise<Verdict> {
  const c = await compile(source, GRADED_NAME);
  const err = c.diagnostics.find((d) => d.severity === 'error');
  if (!c.binary) return fail(`it does not compile: line ${err?.line ?? 1}, column ${err?.column ?? 1}: ${err?.message ?? 'unknown error'}`);
  return gradeBinary(ex, c.binary, session);
}

export function gradeBinary(ex: ExerciseDef, binary: Uint8Array, session: CodeSession): Verdict {
  const outFrom = session.out.length;
  const traceFrom = session.trace.length;
  const run = session.runProgram(binary, GRADED_NAME, grantBits(ex.grants));
  if (run.err !== 0) {
    const why = session.out.slice(outFrom).match(/loader: program image rejected: ([^\r\n]*)/);
    return fail(`init could not start the program: ${run.errName}${why ? ` (${why[1]})` : ''}`);
  }
  let v: Verdict;
  try {
    v = ex.grade({ session, run, name: GRADED_NAME, outFrom, traceFrom });
  } catch (e) {
    v = fail(`the grader could not finish: ${(e as Error).message.split('\n')[0]}`);
  }
  // leave the machine as it was: the program goes (a server that never replied is unblocked too)
  try { session.shell(`kill ${run.tid}`); } catch { /* it had already stopped */ }
  return v;
}

export function formatVerdict(v: Verdict): string {
  return v.pass ? 'PASS' : `FAIL: ${v.reason}`;
}
