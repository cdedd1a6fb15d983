// The page's handle on the compiler Worker: created at the first compile or check (lazily, so the
// compiler is not part of the first load), one request at a time matched by id.
import type { CompilerReply, CompilerRequest } from './compiler.worker';

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, (r: CompilerReply) => void>();

function get(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./compiler.worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<CompilerReply>) => {
    const done = waiting.get(e.data.id);
    waiting.delete(e.data.id);
    done?.(e.data);
  };
  return worker;
}

type Without<T> = T extends unknown ? Omit<T, 'id'> : never;

function ask(req: Without<CompilerRequest>): Promise<CompilerReply> {
  const id = nextId++;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
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
