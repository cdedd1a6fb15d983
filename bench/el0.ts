// EL0 core benchmark: AssemblyScript workloads (bench/workloads/*.ts, compiled now with asc -O3,
// stub runtime) run natively in V8 and on the EL0 core with the MMU on (standalone harness: page
// tables, demand-mapped memory and stack), in the same process; slowdowns from process CPU time
// (the wall-clock ones too). Prints a table and writes
// bench/results/el0.json. Speed goals live here, not in tests.

import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileAs } from '../tests/el0/asc';
import { World, type Resolver } from '../tools/el0/harness';
import { T } from '../hw/el0/module';

/**
 * Per workload: wall-clock and process-CPU ns of the best run, native and EL0. `slowdown` is the CPU
 * ratio (on a busy host the wall-clock one mostly measures waiting for a core); `wallSlowdown` the other.
 */
export interface WorkloadResult {
  name: string; arg: number; instructions: number;
  nativeNs: number; el0Ns: number; nativeCpuNs: number; el0CpuNs: number;
  slowdown: number; wallSlowdown: number; mips: number;
  /** the median CPU ns of the timed EL0 runs and their number: a spread from the best shows V8 re-optimising */
  el0MedianCpuNs: number; el0Runs: number;
}
export interface Result { geomeanSlowdown: number; geomeanWallSlowdown: number; mips: number; workloads: WorkloadResult[] }

const WORKLOADS: { name: string; arg: number }[] = [
  { name: 'loop', arg: 3_000_000 },
  { name: 'strings', arg: 4_000 },
  { name: 'sort', arg: 60_000 },
  { name: 'hashmap', arg: 30_000 },
  { name: 'fib', arg: 25 },
  { name: 'dispatch', arg: 300_000 },
  { name: 'blockcache', arg: 20_000 },
];

const resolver: Resolver = (imp) => imp.module === 'env' && imp.name === 'abort'
  ? { kind: 'func', type: { params: [T.I32, T.I32, T.I32, T.I32], results: [] }, call: () => { throw new Error('abort() called'); } }
  : undefined;

/** CPU time of this process (user + system), ns. */
function cpuNow(): number { const c = process.cpuUsage(); return (c.user + c.system) * 1e3; }

/** Both sides of a workload are timed alike: best of at least 5 runs and at least MIN_MS of CPU. */
const MIN_MS = 300;

/** Best wall-clock and best CPU ns of at least minRuns runs of f (at most 50), at least minMs of CPU in total. */
function timeNs(f: () => void, minMs: number, minRuns: number): { ns: number; cpuNs: number; medianCpuNs: number; runs: number } {
  let best = Infinity, bestCpu = Infinity;
  const cpus: number[] = [];
  const start = cpuNow();
  let runs = 0;
  while (runs < minRuns || ((cpuNow() - start) / 1e6 < minMs && runs < 50)) {
    const c0 = cpuNow(), t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
    const cpu = cpuNow() - c0;
    bestCpu = Math.min(bestCpu, cpu);
    cpus.push(cpu);
    runs++;
  }
  cpus.sort((a, b) => a - b);
  return { ns: best * 1e6, cpuNs: bestCpu, medianCpuNs: cpus[cpus.length >> 1], runs };
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
    const native = timeNs(() => run(wl.arg), MIN_MS, 5);
    const world = new World({ ramSize: 512 << 20, fuelPerRun: 10_000_000, jitThreshold: Number(process.env.MLK_JIT_THRESHOLD ?? 2000) });
    const inst = world.instantiate(bin, resolver);
    // EL0: one machine, warmed up like the native side: the same best-of rule over at least as many
    // runs (translation happens during the first runs; V8 then optimises the translated functions)
    let instructions = 0;
    const once = () => {
      const got = Number(BigInt.asIntN(32, inst.invoke('run', [BigInt(wl.arg)])[0]));
      if (got !== expected) throw new Error(`bench ${wl.name}: EL0 result ${got} != native ${expected}`);
      instructions = inst.lastInstructions;
    };
    once();
    const el0 = timeNs(once, MIN_MS, 5);
    const el0Ns = el0.ns, el0CpuNs = el0.cpuNs;
    const r: WorkloadResult = {
      name: wl.name, arg: wl.arg, instructions,
      nativeNs: Math.round(native.ns), el0Ns: Math.round(el0Ns), nativeCpuNs: Math.round(native.cpuNs), el0CpuNs: Math.round(el0CpuNs),
      slowdown: el0CpuNs / native.cpuNs, wallSlowdown: el0Ns / native.ns, mips: instructions / (el0CpuNs / 1e9) / 1e6,
      el0MedianCpuNs: Math.round(el0.medianCpuNs), el0Runs: el0.runs,
    };
    out.push(r);
  }
  const geomean = (f: (r: WorkloadResult) => number) => Math.exp(out.reduce((s, r) => s + Math.log(f(r)), 0) / out.length);
  const geomeanSlowdown = geomean((r) => r.slowdown);
  const totalI = out.reduce((s, r) => s + r.instructions, 0);
  const totalNs = out.reduce((s, r) => s + r.el0CpuNs, 0);
  const result: Result = { geomeanSlowdown, geomeanWallSlowdown: geomean((r) => r.wallSlowdown), mips: totalI / (totalNs / 1e9) / 1e6, workloads: out };
  if (!opts.quiet) {
    const pad = (s: string, n: number) => s.padStart(n);
    console.log('(CPU ms of the best run, and the median run; the wall-clock slowdown in brackets)');
    console.log(`${'workload'.padEnd(11)}${pad('instructions', 14)}${pad('native ms', 11)}${pad('EL0 ms', 10)}${pad('(median)', 10)}${pad('M instr/s', 11)}${pad('slowdown', 10)}${pad('(wall)', 9)}`);
    for (const r of out) {
      console.log(`${r.name.padEnd(11)}${pad(String(r.instructions), 14)}${pad((r.nativeCpuNs / 1e6).toFixed(2), 11)}${pad((r.el0CpuNs / 1e6).toFixed(1), 10)}${pad((r.el0MedianCpuNs / 1e6).toFixed(1), 10)}${pad(r.mips.toFixed(1), 11)}${pad(r.slowdown.toFixed(1) + 'x', 10)}${pad(r.wallSlowdown.toFixed(1) + 'x', 9)}`);
    }
    console.log(`geomean slowdown ${geomeanSlowdown.toFixed(1)}x (wall-clock ${result.geomeanWallSlowdown.toFixed(1)}x), ${result.mips.toFixed(1)} M instr/s overall`);
  }
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}el0.json`, JSON.stringify(result, null, 2) + '\n');
  return result;
}
