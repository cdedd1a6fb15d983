// One compiler thread of the test setup, or (run as `node tests/setup/compile.mjs ENTRY ARGS…`)
// a one-off compile into the cache for callers that cannot wait on a promise.
import { isMainThread, parentPort } from 'node:worker_threads';
import { compileCached } from './asc-cache.mjs';

if (isMainThread) {
  const [entry, ...args] = process.argv.slice(2);
  compileCached(entry, args).catch((e) => { process.stderr.write(`${e.message}\n`); process.exitCode = 1; });
} else {
  parentPort.on('message', async ({ entry, args }) => {
    try {
      await compileCached(entry, args);
      parentPort.postMessage({ entry, error: null });
    } catch (e) {
      parentPort.postMessage({ entry, error: e.message });
    }
  });
}
