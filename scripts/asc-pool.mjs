// Runs several AssemblyScript compilations at once for scripts/build.mjs: one worker thread per core,
// each loading the compiler once and calling its JS API (`asc.main`) for one job after another.
// `node asc.js` per program started two Node processes (asc.js starts itself again with source
// maps on) and loaded the compiler and binaryen each time, one program after the other.
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';

if (!isMainThread) {
  const asc = (await import('assemblyscript/asc')).default;
  // asc.main keeps state in module globals while it runs: this thread compiles one job at a time
  parentPort.on('message', async ({ args }) => {
    let log = '';
    const sink = { write: (s) => { log += typeof s === 'string' ? s : new TextDecoder().decode(s); return true; } };
    try {
      const { error } = await asc.main(args, { stdout: sink, stderr: sink });
      parentPort.postMessage({ error: error ? error.message : null, log });
    } catch (e) {
      parentPort.postMessage({ error: String(e.stack ?? e), log });
    }
  });
}

/**
 * Compiles every job (`args`: the asc command line, paths relative to `baseDir`), at most one per
 * core at a time. Prints each job's label as it starts and the compiler's output of a failed one;
 * rejects after all jobs ended when any failed.
 */
export async function compileAll(jobs, baseDir) {
  if (jobs.length === 0) return;
  const queue = [...jobs];
  const failed = [];
  const threads = Math.max(1, Math.min(availableParallelism(), jobs.length));
  await Promise.all(Array.from({ length: threads }, async () => {
    const worker = new Worker(new URL(import.meta.url));
    try {
      for (let job = queue.shift(); job; job = queue.shift()) {
        console.error(job.label);
        const done = new Promise((resolve, reject) => {
          const settle = (f) => (v) => { worker.off('message', onMessage); worker.off('error', onError); f(v); };
          const onMessage = settle(resolve);
          const onError = settle(reject);
          worker.on('message', onMessage);
          worker.on('error', onError);
        });
        worker.postMessage({ args: [...job.args, '--baseDir', baseDir] });
        const { error, log } = await done;
        if (log) process.stderr.write(log);
        if (error) failed.push(`${job.label}: ${error}`);
      }
    } finally {
      await worker.terminate();
    }
  }));
  if (failed.length) throw new Error(`compile failed:\n${failed.join('\n')}`);
}
