// The pieces under the state file: the hash (reference vectors), and the kernel rewrite that makes
// its WebAssembly globals reachable.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { murmur128 } from '../../hw/hash';
import { exportMutableGlobals } from '../../hw/wasm-globals';
import { root } from '../services/asc';

const wabt = await wabtInit();
const enc = (s: string) => new TextEncoder().encode(s);

describe('murmur128 (MurmurHash3 x86_128, seed 0)', () => {
  it('matches the reference implementation', () => {
    expect(murmur128(enc(''))).toBe('00000000000000000000000000000000');
    // h1..h4 = 2f1583c3 ecee2c67 5d7bf66c e5e91d2c, as little-endian bytes
    expect(murmur128(enc('The quick brown fox jumps over the lazy dog'))).toBe('c383152f672ceeec6cf67b5d2c1de9e5');
  });
  it('hashes parts as their concatenation, aligned or not', () => {
    const whole = new Uint8Array(1000).map((_, i) => (i * 37) & 255);
    const h = murmur128(whole);
    expect(murmur128(whole.subarray(0, 3), whole.subarray(3, 517), whole.subarray(517))).toBe(h);
    expect(murmur128(whole.subarray(0, 16), whole.subarray(16))).toBe(h);
    expect(murmur128(whole.subarray(1))).not.toBe(h);
  });
});

describe('exportMutableGlobals', () => {
  it('exports every mutable numeric global, and only those, without changing the rest', async () => {
    const mod = wabt.parseWat('g.wat', `(module
      (import "env" "g0" (global $imp i32))
      (global $a (mut i32) (i32.const 7))
      (global $b i64 (i64.const 1))
      (global $c (mut i64) (i64.const -5))
      (global $d (mut f64) (f64.const 1.5))
      (func (export "get") (result i32) global.get $a))`);
    const bytes = new Uint8Array(mod.toBinary({}).buffer);
    const r = exportMutableGlobals(bytes);
    expect(r.names).toEqual(['mlk.global.1', 'mlk.global.3', 'mlk.global.4']);
    const inst = await WebAssembly.instantiate(await WebAssembly.compile(r.bytes as BufferSource), { env: { g0: 3 } });
    const ex = inst.exports as Record<string, WebAssembly.Global | (() => number)>;
    expect((ex['mlk.global.1'] as WebAssembly.Global).value).toBe(7);
    expect((ex['mlk.global.3'] as WebAssembly.Global).value).toBe(-5n);
    (ex['mlk.global.1'] as WebAssembly.Global).value = 42;
    expect((ex.get as () => number)()).toBe(42);
  });
  it('rewrites the real kernel: each of its mutable globals becomes reachable', async () => {
    const kernel = new Uint8Array(readFileSync(`${root}build/kernel.wasm`));
    const wat = readFileSync(`${root}build/kernel.wat`, 'latin1');
    const mutable = (wat.match(/^ \(global \$\S+ \(mut /gm) ?? []).length;
    const r = exportMutableGlobals(kernel);
    expect(r.names.length).toBe(mutable);
    const exports = WebAssembly.Module.exports(await WebAssembly.compile(r.bytes as BufferSource));
    expect(exports.filter((e) => e.kind === 'global').length).toBeGreaterThanOrEqual(mutable);
  });
  it('refuses what is not a module', () => {
    expect(() => exportMutableGlobals(enc('not wasm at all'))).toThrow(/not a WebAssembly module/);
  });
});
