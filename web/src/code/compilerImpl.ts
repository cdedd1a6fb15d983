/// <reference lib="webworker" />
// What the page's compiler Worker (./compiler.worker.ts) does, created the first time the Code panel compiles (so neither the
// AssemblyScript compiler nor Binaryen is part of the first load). It compiles with
// ./compile.ts against the same services/asconfig.json and user library the build uses, bundled
// here by Vite; and it runs an exercise's grader on a machine of its own, booted from the same
// kernel and boot image as the page's (exercises/grade.ts), so a "Check" never disturbs the
// machine the student is watching.

import asc from 'assemblyscript/asc';
import { compileService, type CompileResult, type LibraryFiles } from './compile';
import asconfig from '../../../services/asconfig.json?raw';
import kernelUrl from '../../../build/kernel.wasm?url';
import { Machine } from '../../../hw/machine';
import { CodeSession } from './session';
import { exerciseById } from '../../../exercises/index';
import { formatVerdict, gradeSource } from '../../../exercises/grade';

const sources = import.meta.glob<string>(['../../../services/lib/*.ts', '../../../services/gen/*.ts'],
  { query: '?raw', import: 'default', eager: true });
const bootImageUrls = import.meta.glob<string>('../../../build/bootimage.cpio', { query: '?url', import: 'default', eager: true });

// the exercises' helper programs (their clients, producers, …), compiled at the first Check
const helperSources = import.meta.glob<string>('../../../exercises/*/helper-*.ts', { query: '?raw', import: 'default', eager: true });
const readExerciseFile = (id: string, file: string) => helperSources[`../../../exercises/${id}/${file}`] ?? '';

const library: LibraryFiles = { 'services/asconfig.json': asconfig };
for (const [path, text] of Object.entries(sources)) library[path.replace(/^(\.\.\/)+/, '')] = text;

export type CompilerRequest =
  | { type: 'compile'; id: number; source: string; name: string }
  | { type: 'grade'; id: number; exercise: string; source: string };
export type CompilerReply =
  | ({ type: 'compiled'; id: number } & CompileResult)
  | { type: 'graded'; id: number; line: string; pass: boolean; ms: number };

const compile = (source: string, name: string) => compileService(asc as never, source, library, name);

async function bytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

async function grade(exercise: string, source: string): Promise<{ line: string; pass: boolean }> {
  const ex = exerciseById(exercise);
  if (!ex) return { line: `FAIL: no exercise '${exercise}'`, pass: false };
  const bootUrl = Object.values(bootImageUrls)[0];
  const machine = await Machine.create({
    kernel: await bytes(kernelUrl),
    bootImage: bootUrl ? await bytes(bootUrl) : undefined,
    ramSize: 64 * 1024 * 1024,
  });
  const session = new CodeSession(machine);
  session.boot();
  const v = await gradeSource(ex, source, compile, session, readExerciseFile);
  return { line: formatVerdict(v), pass: v.pass };
}

/** Answers one request (posted back to the page by the caller, with the binary transferred). */
export async function handle(req: CompilerRequest): Promise<void> {
  if (req.type === 'compile') {
    const r = await compile(req.source, req.name);
    const reply: CompilerReply = { type: 'compiled', id: req.id, ...r };
    self.postMessage(reply, r.binary ? [r.binary.buffer] : []);
  } else if (req.type === 'grade') {
    const t0 = performance.now();
    let out: { line: string; pass: boolean };
    try { out = await grade(req.exercise, req.source); } catch (err) { out = { line: `FAIL: the grader could not run: ${(err as Error).message}`, pass: false }; }
    self.postMessage({ type: 'graded', id: req.id, ...out, ms: performance.now() - t0 } satisfies CompilerReply);
  }
}
