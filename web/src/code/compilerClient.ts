// The page's handle on the compiler Worker: created at the first compile or check (lazily, so the
// compiler is not part of the first load), one request at a time matched by id.
import type { CompilerReply, CompilerRequest } from './compiler.worker';

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve: (r: CompilerReply) => void; reject: (e: Error) => void }>();

function get(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./compiler.worker.ts', import.meta.url), { type: 'module' });
  // a Worker that fails to load or throws answers nothing: every waiting request fails with why
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    const why = new Error(`the compiler Worker failed: ${e.message || 'it could not be loaded'}`);
    for (const [, w] of waiting) w.reject(why);
    waiting.clear();
    worker?.terminate();
    worker = null;
  };
  worker.onmessage = (e: MessageEvent<CompilerReply>) => {
    const done = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    done?.resolve(e.data);
  };
  return worker;
}

type Without<T> = T extends unknown ? Omit<T, 'id'> : never;

function ask(req: Without<CompilerRequest>): Promise<CompilerReply> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    get().postMessage({ ...req, id });
  });
}

export async function compileInPage(source: string, name: string) {
  const r = await ask({ type: 'compile', source, name });
  if (r.type !== 'compiled') throw new Error('unexpected answer from the compiler');
  return r;
}

export async function gradeInPage(exercise: string, source: string) {
  const r = await ask({ type: 'grade', exercise, source });
  if (r.type !== 'graded') throw new Error('unexpected answer from the grader');
  return r;
}
