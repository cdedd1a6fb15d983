// EL0 core benchmark: AssemblyScript workloads (bench/workloads/*.ts, compiled now with asc -O3,
// stub runtime) run natively in V8 and on the EL0 core with the MMU on (standalone harness: page
// tables, demand-mapped memory and stack), in the same process. Prints a table and writes
// bench/results/el0.json. Speed goals live here, not in tests.

import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileAs } from '../tests/el0/asc';
import { World, type Resolver } from '../tools/el0/harness';
import { T } from '../hw/el0/module';

export interface WorkloadResult { name: string; arg: number; instructions: number; nativeNs: number; el0Ns: number; slowdown: number; mips: number }
export interface Result { geomeanSlowdown: number; mips: number; workloads: WorkloadResult[] }

const WORKLOADS: { name: string; arg: number }[] = [
  { name: 'loop', arg: 3_000_000 },
  { name: 'strings', arg: 4_000 },
  { name: 'sort', arg: 60_000 },
  { name: 'hashmap', arg: 30_000 },
  { name: 'fib', arg: 25 },
];

const resolver: Resolver = (imp) => imp.module === 'env' && imp.name === 'abort'
  ? { kind: 'func', type: { params: [T.I32, T.I32, T.I32, T.I32], results: [] }, call: () => { throw new Error('abort() called'); } }
  : undefined;

function timeNs(f: () => void, minMs = 200): number {
  // best of several runs, at least minMs in total
  let best = Infinity;
  const start = performance.now();
  let runs = 0;
  while (runs < 3 || (performance.now() - start < minMs && runs < 50)) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
    runs++;
  }
  return best * 1e6;
}

export async function benchEl0(opts: { quiet?: boolean; only?: string[] } = {}): Promise<Result> {
  const out: WorkloadResult[] = [];
  for (const wl of WORKLOADS) {
    if (opts.only && !opts.only.includes(wl.name)) continue;
    const bin = await compileAs(fileURLToPath(new URL(`./workloads/${wl.name}.ts`, import.meta.url)));
    // native
    const { instance } = await WebAssembly.instantiate(bin as BufferSource, { env: { abort: () => { throw new Error('abort'); } } });
    const run = instance.exports.run as (n: number) => number;
    const expected = run(wl.arg);
    const nativeNs = timeNs(() => run(wl.arg));
    // EL0: one machine, warmed up like the native side (translation happens during the first runs)
    const world = new World({ ramSize: 512 << 20, fuelPerRun: 10_000_000, jitThreshold: Number(process.env.MLK_JIT_THRESHOLD ?? 2000) });
    const inst = world.instantiate(bin, resolver);
    let instructions = 0;
    let el0Ns = Infinity;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const got = Number(BigInt.asIntN(32, inst.invoke('run', [BigInt(wl.arg)])[0]));
      const ns = (performance.now() - t0) * 1e6;
      if (got !== expected) throw new Error(`bench ${wl.name}: EL0 result ${got} != native ${expected}`);
      instructions = inst.lastInstructions;
      if (i > 0) el0Ns = Math.min(el0Ns, ns);
    }
    const r: WorkloadResult = {
      name: wl.name, arg: wl.arg, instructions, nativeNs: Math.round(nativeNs), el0Ns: Math.round(el0Ns),
      slowdown: el0Ns / nativeNs, mips: instructions / (el0Ns / 1e9) / 1e6,
    };
    out.push(r);
  }
  const geomeanSlowdown = Math.exp(out.reduce((s, r) => s + Math.log(r.slowdown), 0) / out.length);
  const totalI = out.reduce((s, r) => s + r.instructions, 0);
  const totalNs = out.reduce((s, r) => s + r.el0Ns, 0);
  const result: Result = { geomeanSlowdown, mips: totalI / (totalNs / 1e9) / 1e6, workloads: out };
  if (!opts.quiet) {
    const pad = (s: string, n: number) => s.padStart(n);
    console.log(`${'workload'.padEnd(10)}${pad('instructions', 14)}${pad('native ms', 11)}${pad('EL0 ms', 10)}${pad('M instr/s', 11)}${pad('slowdown', 10)}`);
    for (const r of out) {
      console.log(`${r.name.padEnd(10)}${pad(String(r.instructions), 14)}${pad((r.nativeNs / 1e6).toFixed(2), 11)}${pad((r.el0Ns / 1e6).toFixed(1), 10)}${pad(r.mips.toFixed(1), 11)}${pad(r.slowdown.toFixed(1) + 'x', 10)}`);
    }
    console.log(`geomean slowdown ${geomeanSlowdown.toFixed(1)}x, ${result.mips.toFixed(1)} M instr/s overall`);
  }
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}el0.json`, JSON.stringify(result, null, 2) + '\n');
  return result;
}
