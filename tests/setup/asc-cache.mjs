// Compiles AssemblyScript with the compiler's JS API (in this process: no process start per
// program) behind a content-keyed cache in build/test-cache/. A program is compiled again only
// when a file it read changed: the cache entry lists every file the compiler asked for (the
// entry, each file it imports, the config; also the paths it probed and did not find) with a hash
// of its content, next to the compiler's and binaryen's versions and the arguments.
// Plain JavaScript so that the global setup's worker threads can load it without a TypeScript step.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const cacheDir = join(root, 'build', 'test-cache');

const version = (pkg) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
const compilerVersions = `assemblyscript ${version('assemblyscript')}, binaryen ${version('binaryen')}`;

const sha = (data) => createHash('sha256').update(data).digest('hex');
/** Hash of a file's content, or null when it does not exist (a probe that failed). */
function digest(path) {
  try { return sha(readFileSync(path)); } catch { return null; }
}

let ascModule = null;
const loadAsc = () => (ascModule ??= import('assemblyscript/asc').then((m) => m.default));

// asc.main keeps state in module globals while it runs: one compilation at a time per thread.
let queue = Promise.resolve();
const serial = (f) => { const p = queue.then(f, f); queue = p.catch(() => {}); return p; };

/** Compiles `entry` with `args` (both as for the asc command line, relative to `cwd`). */
async function compile(entry, args, cwd) {
  const asc = await loadAsc();
  const deps = {};
  const outputs = new Map();
  let stderr = '';
  const res = await asc.main([entry, ...args, '--outFile', 'out.wasm'], {
    readFile: (file, baseDir) => {
      const path = resolve(cwd, baseDir || '.', file);
      try {
        const text = readFileSync(path, 'utf8');
        deps[path] = sha(text);
        return text;
      } catch {
        deps[path] = null;
        return null;
      }
    },
    writeFile: (file, contents) => { outputs.set(file, typeof contents === 'string' ? new TextEncoder().encode(contents) : contents); },
    listFiles: () => [],
    stdout: { write: () => true },
    stderr: { write: (s) => { stderr += typeof s === 'string' ? s : new TextDecoder().decode(s); return true; } },
  });
  if (res.error) throw new Error(`asc ${entry}: ${res.error.message}\n${stderr}`);
  const wasm = outputs.get('out.wasm');
  if (!wasm) throw new Error(`asc ${entry}: no output\n${stderr}`);
  return { wasm: new Uint8Array(wasm), deps };
}

/** Where the entry for (entry, args) lives; its content is checked separately. */
function slotOf(entry, args, cwd) {
  const name = relative(root, resolve(cwd, entry)).replace(/[\\/.]/g, '-');
  return join(cacheDir, `${name}-${sha(JSON.stringify([compilerVersions, resolve(cwd, entry), args])).slice(0, 16)}`);
}

/** The cached binary for (entry, args, cwd) if no file it read has changed since, else null. */
export function cached(entry, args = [], cwd = root) {
  const slot = slotOf(entry, args, cwd);
  let meta, wasm;
  try {
    meta = JSON.parse(readFileSync(`${slot}.json`, 'utf8'));
    wasm = new Uint8Array(readFileSync(`${slot}.wasm`));
  } catch {
    return null;
  }
  // the binary's hash guards against a meta file and a binary written by two racing processes
  if (sha(wasm) !== meta.wasm) return null;
  for (const [path, hash] of Object.entries(meta.deps)) if (digest(path) !== hash) return null;
  return wasm;
}

/** Compiles (or takes from the cache) `entry` with the asc command-line `args`, relative to `cwd`. */
export async function compileCached(entry, args = [], cwd = root) {
  const hit = cached(entry, args, cwd);
  if (hit) return hit;
  const { wasm, deps } = await serial(() => compile(entry, args, cwd));
  const slot = slotOf(entry, args, cwd);
  mkdirSync(cacheDir, { recursive: true });
  // private files renamed into place: another test process may be reading the slot right now
  const tmp = `${slot}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(`${tmp}.wasm`, wasm);
  writeFileSync(`${tmp}.json`, JSON.stringify({ entry, args, compiler: compilerVersions, wasm: sha(wasm), deps }, null, 1));
  renameSync(`${tmp}.wasm`, `${slot}.wasm`);
  renameSync(`${tmp}.json`, `${slot}.json`);
  return wasm;
}

/** The asc arguments of an EL0 program: the services' flags (services/asconfig.json). */
export const EL0_ARGS = ['--config', 'services/asconfig.json', '--target', 'release'];
/** The asc arguments of a native harness (plain wasm run by the host, for unit tests). */
export const NATIVE_ARGS = ['--runtime', 'stub', '-O2'];
