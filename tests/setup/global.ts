// vitest global setup: compiles every test program once, before any test file starts, in one
// compiler thread per core (into the content-keyed cache of asc-cache.mjs). Test files then find
// their programs in the cache instead of each compiling the ones it needs, some of them twice.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EL0_ARGS, NATIVE_ARGS, cacheDir, cached, root } from './asc-cache.mjs';

/** Folders of EL0 test programs, compiled with the services' flags. */
const EL0_DIRS = ['tests/kernel/programs', 'tests/hostile/programs', 'tests/hw/programs'];
/** Folder of native harnesses (`*-harness.ts`) for the services' unit tests. */
const NATIVE_DIR = 'tests/services/native';

interface Job { entry: string; args: string[] }

/** Every test program and harness whose cached binary is missing or stale. */
export function stalePrograms(): Job[] {
  const jobs: Job[] = [];
  for (const dir of EL0_DIRS) {
    const files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts'));
    // a file that a program imports from its own folder ("./common") is a library, not a program
    const libs = new Set(files.flatMap((f) => [...readFileSync(join(root, dir, f), 'utf8').matchAll(/from "\.\/([\w-]+)"/g)].map((m) => `${m[1]}.ts`)));
    for (const f of files) if (!libs.has(f)) jobs.push({ entry: `${dir}/${f}`, args: EL0_ARGS });
  }
  for (const f of readdirSync(join(root, NATIVE_DIR))) if (f.endsWith('-harness.ts')) jobs.push({ entry: `${NATIVE_DIR}/${f}`, args: NATIVE_ARGS });
  return jobs.filter((j) => !cached(j.entry, j.args));
}

/** Compiles `jobs` on `threads` compiler threads; returns the failures (entry → message). */
export async function compileAll(jobs: Job[], threads: number): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  const queue = [...jobs];
  const thread = () => new Promise<void>((done, fail) => {
    const w = new Worker(new URL('./compile.mjs', import.meta.url));
    const next = () => {
      const job = queue.shift();
      if (job) w.postMessage(job);
      else void w.terminate().then(() => done());
    };
    w.on('message', (r: { entry: string; error: string | null }) => { if (r.error) failures.set(r.entry, r.error); next(); });
    w.on('error', fail);
    next();
  });
  await Promise.all(Array.from({ length: Math.min(threads, jobs.length) }, thread));
  return failures;
}

export default async function setup(): Promise<void> {
  // the booted shell that bootShell restores (tests/services/shell-driver.ts) is taken anew in each
  // run, by the first test that boots: its key covers the kernel and the boot image, not hw/'s model
  for (const f of existsSync(cacheDir) ? readdirSync(cacheDir) : []) if (f.startsWith('shell-boot-')) rmSync(join(cacheDir, f), { force: true });
  const jobs = stalePrograms();
  if (!jobs.length) return;
  const started = performance.now();
  const failures = await compileAll(jobs, availableParallelism());
  const s = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`[test setup] compiled ${jobs.length - failures.size} test programs in ${s} s`);
  // a program that does not compile fails the test that uses it, with the compiler's message
  for (const [entry, error] of failures) console.log(`[test setup] ${entry} does not compile:\n${error}`);
}
