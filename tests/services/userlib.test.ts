// The user library reads like documentation: every name services/lib exports has a one-line doc
// comment above it and is listed in docs/USERLIB.md; user programs import nothing from the kernel.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const lib = join(root, 'services', 'lib');
const doc = readFileSync(join(root, 'docs', 'USERLIB.md'), 'utf8');
const EXPORT = /^(?:@\w+(?:\("mlk", "\w+"\))? )*export (?:declare )?(?:abstract )?(?:function|const|let|class) (\w+)/;

/** [name, the line above it (decorator comments skipped)] for every export of a library module. */
function exportsOf(file: string): [string, string][] {
  const lines = readFileSync(join(lib, file), 'utf8').split('\n');
  const out: [string, string][] = [];
  lines.forEach((l, i) => {
    const m = EXPORT.exec(l);
    if (!m) return;
    let j = i - 1;
    while (j >= 0 && lines[j].startsWith('// @ts-ignore')) j--;
    out.push([m[1], lines[j]?.trim() ?? '']);
  });
  return out;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : f.endsWith('.ts') ? [p] : [];
  });
}

describe('services/lib', () => {
  const modules = readdirSync(lib).filter((f) => f.endsWith('.ts') && f !== 'abi.ts' && f !== 'index.ts');

  it('gives every exported name a one-line doc comment', () => {
    const missing = modules.flatMap((f) => exportsOf(f).filter(([, above]) => !/^\/\*\*.*\*\/$/.test(above)).map(([n]) => `${f}: ${n}`));
    expect(missing).toEqual([]);
    expect(modules.flatMap(exportsOf).length).toBeGreaterThan(90);
  });

  it('lists every exported name in docs/USERLIB.md, the generated constants too', () => {
    const names = [...modules.flatMap((f) => exportsOf(f).map(([n]) => n)), ...exportsOf('abi.ts').map(([n]) => n)];
    expect(names.filter((n) => !doc.includes('`' + n + '`'))).toEqual([]);
  });

  it('re-exports every module from index.ts', () => {
    const index = readFileSync(join(lib, 'index.ts'), 'utf8');
    for (const f of [...modules, 'abi.ts']) expect(index).toContain(`export * from "./${f.replace(/\.ts$/, '')}"`);
  });

  // AssemblyScript runs a module's top-level statements in every program that imports it: one
  // `const r = new Reply()` in sockets.ts gave every service a heap at start-up and doubled the IPC
  // benchmark's round trip. The library keeps numbers, `memory.data` buffers, and objects made per call.
  it('allocates nothing at module level (a top-level `new` would run in every program)', () => {
    const TOP_LEVEL_NEW = /^(?:export )?(?:const|let|var) \w+(?::[^=]+)? = new /;
    const found = [...modules, 'abi.ts'].flatMap((f) =>
      readFileSync(join(lib, f), 'utf8').split('\n').flatMap((l, i) => (TOP_LEVEL_NEW.test(l) ? [`${f}:${i + 1}: ${l.trim()}`] : [])));
    expect(found).toEqual([]);
    expect(TOP_LEVEL_NEW.test('const openR = new socket.OpenReply();')).toBe(true); // the pattern sees the old line
  });

  it('is the only library: services import nothing from the kernel, and lib-ext is gone', () => {
    const offenders = tsFiles(join(root, 'services')).filter((p) => /kernel-as|lib-ext/.test(readFileSync(p, 'utf8')));
    expect(offenders.map((p) => p.slice(root.length))).toEqual([]);
  });
});
