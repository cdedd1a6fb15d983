// Compiles an AssemblyScript entry natively (plain wasm, not for EL0) for the unit tests of the
// service cores: build/test/<name>.wasm, rebuilt every run (fast: ~1 s).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

export function compileAs(entry: string, extra: string[] = []): WebAssembly.Module {
  const out = join(root, 'build', 'test', basename(entry).replace(/\.ts$/, '.wasm'));
  mkdirSync(join(root, 'build', 'test'), { recursive: true });
  execFileSync(process.execPath, [join(root, 'node_modules/assemblyscript/bin/asc.js'), entry, '-o', out, '--runtime', 'stub', '-O2', ...extra], { cwd: root, stdio: 'pipe' });
  return new WebAssembly.Module(readFileSync(out));
}
