// Compiles an AssemblyScript entry natively (plain wasm, not for EL0) for the unit tests of the
// service cores, through the test cache (tests/setup/asc-cache.mjs): the global setup has
// normally compiled it already; otherwise a child process compiles it, since callers are synchronous.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { NATIVE_ARGS, cached, root } from '../setup/asc-cache.mjs';

export { root };

export function compileAs(entry: string, extra: string[] = []): WebAssembly.Module {
  const args = [...NATIVE_ARGS, ...extra];
  let wasm = cached(entry, args);
  if (!wasm) {
    execFileSync(process.execPath, [join(root, 'tests', 'setup', 'compile.mjs'), entry, ...args], { cwd: root, stdio: 'pipe' });
    wasm = cached(entry, args);
    if (!wasm) throw new Error(`${entry} did not compile`);
  }
  return new WebAssembly.Module(wasm);
}
