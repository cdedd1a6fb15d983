// Real AssemblyScript programs (tests/el0/fixtures, compiled at test time) on the EL0 core, checked
// against the same binaries run natively by V8.
import { describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { compileAs } from './asc';
import { World, type Resolver } from '../../tools/el0/harness';
import { T } from '../../hw/el0/module';

const fixture = (n: string) => fileURLToPath(new URL(`./fixtures/${n}`, import.meta.url));
const f64bits = (x: number) => new DataView(new Float64Array([x]).buffer).getBigUint64(0, true);

const resolver: Resolver = (imp) => imp.module === 'env' && imp.name === 'abort'
  ? { kind: 'func', type: { params: [T.I32, T.I32, T.I32, T.I32], results: [] }, call: () => { throw new Error('abort() called'); } }
  : undefined;

async function native(bin: Uint8Array) {
  const { instance } = await WebAssembly.instantiate(bin as BufferSource, {
    env: { abort: () => { throw new Error('abort'); } },
    mlk: { svc: (_nr: number, a: bigint, b: bigint) => a + b },
  });
  return instance.exports as Record<string, (...a: unknown[]) => unknown>;
}

describe('AssemblyScript programs', () => {
  test('sorting (closures via call_indirect, i64, f64) matches native', async () => {
    const bin = await compileAs(fixture('sorting.ts'));
    const nat = await native(bin);
    for (const [fuel, jitThreshold] of [[10_000_000, Infinity], [1009, Infinity], [10_000_000, 0], [1009, 0], [10_000_000, 50]]) {
      const w = new World({ ramSize: 64 << 20, fuelPerRun: fuel, jitThreshold });
      const inst = w.instantiate(bin, resolver);
      expect(inst.invoke('sortChecksum', [2000n])).toEqual([BigInt.asUintN(64, nat.sortChecksum(2000) as bigint)]);
      expect(inst.invoke('pointSum', [300n])).toEqual([f64bits(nat.pointSum(300) as number)]);
    }
  }, 120_000);

  test('primes with syscalls through mlk.svc', async () => {
    const bin = await compileAs(fixture('primes.ts'));
    const nat = await native(bin);
    const w = new World({ ramSize: 64 << 20, jitThreshold: 0 });
    const out: string[] = [];
    const inst = w.instantiate(bin, resolver, {
      syscall: (nr, args, self) => {
        if (nr === 1) { out.push(new TextDecoder().decode(self.readUser(Number(args[0]), Number(args[1])))); return 0n; }
        if (nr === 2) return args[0] + args[1];
        return BigInt.asUintN(64, -1n);
      },
    });
    expect(inst.invoke('primes', [10000n])).toEqual([BigInt(nat.primes(10000) as number)]);
    expect(inst.invoke('primes', [10000n])).toEqual([1229n]);
    expect(inst.invoke('report', [50n])).toEqual([42n]);
    expect(out).toEqual(['primes below 50: 2 3 5 7 11 13 17 19 23 29']);
  }, 120_000);
});
