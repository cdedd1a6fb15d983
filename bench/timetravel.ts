// Time-travel benchmark (issue 15): state-file size, save and restore time, the forward cost of
// periodic checkpoints, and reverse-step latency after a busy run. The busy run is the IPC
// ping-pong of bench/kernel-programs (a client Calls a server 200,000 times, then idles), run for
// up to 10 virtual seconds under the reverse engine with its default interval and memory budget.
// Writes bench/results/timetravel.json.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Machine } from '../hw/machine';
import { CNTFRQ } from '../hw/memmap';
import { captureState, restoreState } from '../hw/snapshot';
import { decodeStateFile, encodePayload, encodeStateFile } from '../hw/snapshot-format';
import { TimeTravel } from '../host/timetravel';
import { writeCpio } from '../host/cpio.mjs';
import { image } from '../tests/kernel/mlk';

const dir = fileURLToPath(new URL('./kernel-programs', import.meta.url));
const VIRTUAL_SECONDS = 10;
const SLICE = CNTFRQ / 100;

export interface TimeTravelResult {
  /** Compressed state file of the machine after the busy run, bytes. */
  stateFileBytes: number;
  /** The payload before compression (zero pages already left out), bytes. */
  statePayloadBytes: number;
  /** Capture + encode + compress, ms. */
  saveMs: number;
  /** Decompress + check + restore into a fresh machine, ms. */
  restoreMs: number;
  /** Restoring a checkpoint already in memory (what reverse steps do), ms. */
  restoreCheckpointMs: number;
  /** Wall time of the run without the reverse engine (translation tier on, then interpreter only) and with it, ms. */
  runMs: number;
  runInterpretedMs: number;
  runWithCheckpointsMs: number;
  virtualSeconds: number;
  checkpoints: number;
  checkpointBytes: number;
  memoryBudget: number;
  checkpointInterval: number;
  /** Latency of each reverse command at the end of the run, ms. */
  reverseMs: { instruction: number; entry: number; ipc: number; switch: number };
  /** Virtual ticks between the end of the run and where reverse-to-IPC landed. */
  ipcDistanceTicks: number;
}

async function busyMachine(kernel: Uint8Array, bootImage: Uint8Array): Promise<Machine> {
  const m = await Machine.create({ kernel, bootImage });
  m.on('trace', () => {});
  return m;
}

export async function benchTimeTravel(opts: { quiet?: boolean } = {}): Promise<TimeTravelResult> {
  const kernel = new Uint8Array(readFileSync(fileURLToPath(new URL('../build/kernel.wasm', import.meta.url))));
  const bootImage = writeCpio(await image(['ipc', 'ipcsrv'], dir)) as Uint8Array;
  const end = VIRTUAL_SECONDS * CNTFRQ;

  const plain = await busyMachine(kernel, bootImage);
  let t = performance.now();
  while (plain.clock.ticks < end && !plain.halted) plain.run(SLICE);
  const runMs = performance.now() - t;

  const interp = await busyMachine(kernel, bootImage);
  interp.el0.jitThreshold = Infinity; // as under the reverse engine
  t = performance.now();
  while (interp.clock.ticks < end && !interp.halted) interp.run(SLICE);
  const runInterpretedMs = performance.now() - t;

  const m = await busyMachine(kernel, bootImage);
  const tt = new TimeTravel(m);
  t = performance.now();
  while (m.clock.ticks < end && !m.halted) tt.run(SLICE);
  const runWithCheckpointsMs = performance.now() - t;
  const stats = tt.stats();

  t = performance.now();
  const file = await encodeStateFile(captureState(m));
  const saveMs = performance.now() - t;
  const fresh = await busyMachine(kernel, bootImage);
  t = performance.now();
  const { state } = await decodeStateFile(file, fresh.buildId);
  restoreState(fresh, state);
  const restoreMs = performance.now() - t;
  const payload = encodePayload(state).length;
  t = performance.now();
  restoreState(fresh, state, true);
  const restoreCheckpointMs = performance.now() - t;

  const time = (f: () => unknown) => { const t0 = performance.now(); f(); return performance.now() - t0; };
  const before = m.clock.ticks;
  const reverseMs = {
    instruction: time(() => tt.reverse('instruction')),
    entry: time(() => tt.reverse('entry')),
    ipc: 0,
    switch: 0,
  };
  let ipcAt = 0;
  reverseMs.ipc = time(() => { ipcAt = tt.reverse('ipc')?.ticks ?? 0; });
  reverseMs.switch = time(() => tt.reverse('switch'));

  const r2 = (x: number) => Math.round(x * 10) / 10;
  const result: TimeTravelResult = {
    stateFileBytes: file.length,
    statePayloadBytes: payload,
    saveMs: r2(saveMs),
    restoreMs: r2(restoreMs),
    restoreCheckpointMs: r2(restoreCheckpointMs),
    runMs: Math.round(runMs),
    runInterpretedMs: Math.round(runInterpretedMs),
    runWithCheckpointsMs: Math.round(runWithCheckpointsMs),
    virtualSeconds: r2(before / CNTFRQ),
    checkpoints: stats.checkpoints,
    checkpointBytes: stats.bytes,
    memoryBudget: stats.memoryBudget,
    checkpointInterval: stats.interval,
    reverseMs: { instruction: r2(reverseMs.instruction), entry: r2(reverseMs.entry), ipc: r2(reverseMs.ipc), switch: r2(reverseMs.switch) },
    ipcDistanceTicks: ipcAt ? before - ipcAt : -1,
  };
  mkdirSync(fileURLToPath(new URL('./results', import.meta.url)), { recursive: true });
  writeFileSync(new URL('./results/timetravel.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  if (!opts.quiet) {
    console.log(`time travel (IPC ping-pong, ${result.virtualSeconds} virtual s)`);
    console.log(`  state file ${(result.stateFileBytes / 1024).toFixed(0)} KiB (payload ${(result.statePayloadBytes / 1024).toFixed(0)} KiB); save ${result.saveMs} ms, restore ${result.restoreMs} ms (from memory ${result.restoreCheckpointMs} ms)`);
    console.log(`  run ${result.runMs} ms (interpreter only ${result.runInterpretedMs} ms), with checkpoints every ${result.checkpointInterval / CNTFRQ} s ${result.runWithCheckpointsMs} ms; ${result.checkpoints} checkpoints, ${(result.checkpointBytes / 2 ** 20).toFixed(1)} MiB of ${(result.memoryBudget / 2 ** 20).toFixed(0)} MiB`);
    console.log(`  reverse: instruction ${result.reverseMs.instruction} ms, entry ${result.reverseMs.entry} ms, IPC ${result.reverseMs.ipc} ms (${result.ipcDistanceTicks} ticks back), switch ${result.reverseMs.switch} ms`);
  }
  return result;
}
