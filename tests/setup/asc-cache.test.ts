// The compile cache is keyed by content: an edit of a file the program imports recompiles it, so
// does a file put where the compiler had looked for one first; an unchanged program comes from
// the cache, and a binary that does not match its record is not used.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NATIVE_ARGS, cacheDir, cached, compileCached, root } from './asc-cache.mjs';

const dir = join(root, 'build', 'asc-cache-test');
const entry = 'build/asc-cache-test/main.ts';
const write = (f: string, text: string) => writeFileSync(join(dir, f), text);
const exported = async (wasm: Uint8Array) =>
  ((await WebAssembly.instantiate(wasm as BufferSource, { env: { abort: () => {} } })).instance.exports.value as () => number)();

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const f of readdirSync(cacheDir)) if (f.startsWith('build-asc-cache-test-')) rmSync(join(cacheDir, f));
});

describe('compile cache', () => {
  it('recompiles when an imported file changes, and only then', async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    write('main.ts', 'import { N } from "./lib";\nexport function value(): i32 { return N; }\n');
    write('lib.ts', 'export const N: i32 = 1;\n');
    expect(cached(entry, NATIVE_ARGS)).toBeNull();
    expect(await exported(await compileCached(entry, NATIVE_ARGS))).toBe(1);
    expect(cached(entry, NATIVE_ARGS)).not.toBeNull();

    write('lib.ts', 'export const N: i32 = 2;\n'); // only the imported file changes
    expect(cached(entry, NATIVE_ARGS)).toBeNull();
    expect(await exported(await compileCached(entry, NATIVE_ARGS))).toBe(2);
    expect(cached(entry, NATIVE_ARGS)).not.toBeNull();
    expect(cached(entry, [...NATIVE_ARGS, '--noAssert'])).toBeNull(); // other arguments, other entry
  }, 120_000);

  it('recompiles when a file appears where the compiler looked for one first', async () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'lib'), { recursive: true });
    write('main.ts', 'import { N } from "./lib";\nexport function value(): i32 { return N; }\n');
    write('lib/index.ts', 'export const N: i32 = 3;\n'); // found after the probe for ./lib.ts failed
    expect(await exported(await compileCached(entry, NATIVE_ARGS))).toBe(3);
    write('lib.ts', 'export const N: i32 = 4;\n'); // now the first candidate exists
    expect(cached(entry, NATIVE_ARGS)).toBeNull();
    expect(await exported(await compileCached(entry, NATIVE_ARGS))).toBe(4);
  }, 120_000);

  it('does not use a binary that does not match its record', async () => {
    mkdirSync(dir, { recursive: true });
    write('main.ts', 'export function value(): i32 { return 7; }\n');
    expect(await exported(await compileCached(entry, NATIVE_ARGS))).toBe(7);
    const bin = readdirSync(cacheDir).find((f) => f.startsWith('build-asc-cache-test-main-ts-') && f.endsWith('.wasm'))!;
    writeFileSync(join(cacheDir, bin), new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    expect(cached(entry, NATIVE_ARGS)).toBeNull();
    expect(await exported(await compileCached(entry, NATIVE_ARGS))).toBe(7);
  }, 120_000);
});
