import { fileURLToPath } from 'node:url';
import { compileAs } from '../tests/el0/asc';
import { World } from './el0/harness';
import { El0Core } from '../hw/el0/core';
import { T } from '../hw/el0/module';
const name = process.argv[2], arg = Number(process.argv[3]);
const bin = await compileAs(`bench/workloads/${name}.ts`);
const world = new World({ ramSize: 512 << 20, fuelPerRun: 10_000_000, jitThreshold: 2000 });
const inst = world.instantiate(bin, (imp) => imp.module === 'env' ? { kind: 'func', type: { params: [T.I32, T.I32, T.I32, T.I32], results: [] }, call: () => { throw new Error('abort'); } } : undefined);
const times: number[] = [];
for (let i = 0; i < Number(process.argv[4] ?? 8); i++) { const c0 = process.cpuUsage(); inst.invoke('run', [BigInt(arg)]); const c = process.cpuUsage(c0); times.push(Math.round((c.user + c.system) / 1000)); }
console.log(name, times.join(' '));
const b = (El0Core as any).jitBails as Map<string, number> | undefined;
if (b) console.log([...b.entries()].sort((x, y) => y[1] - x[1]).slice(0, 12));
