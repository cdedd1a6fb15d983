// The page worker's time travel (web/src/timetravel, run here in Node on the real machine): the
// session's history (inputs, transcript, the known future after going back, branches), jumps to a
// trace record, the page's state file, and the Share recording replaying the same run.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Machine, prepareKernel, type PreparedKernel } from '../../hw/machine';
import { StateFileError, stateHash } from '../../hw/snapshot-format';
import type { TraceRecord } from '../../hw/trace';
import { TimeTravelSession } from '../../web/src/timetravel/session';
import { decodePageState } from '../../web/src/timetravel/stateFile';
import { loadStateFile, saveStateFile } from '../../web/src/timetravel/workerState';
import { decodeRecording, encodeRecording } from '../../web/src/timetravel/recording';
import { root } from '../services/asc';
import { SLICE } from './session';

const kernelBytes = new Uint8Array(readFileSync(`${root}build/kernel.wasm`));
const bootImage = new Uint8Array(readFileSync(`${root}build/bootimage.cpio`));
const BOOTARGS = 'mlk.check=1';
const enc = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A page-like machine: the prepared kernel, a session, the trace and the UART read as the worker reads them. */
async function pageMachine(kernel: PreparedKernel) {
  const m = await Machine.create({ kernel, bootImage, bootargs: BOOTARGS });
  // as the page runs it: the EL0 translation tier on
  const s = new TimeTravelSession(m, { exact: false });
  const records = new Map<number, TraceRecord>();
  m.on('trace', (r) => { if (!s.quiet) records.set(r.seq, { ...r, args: [...r.args] }); });
  m.on('uart', (b) => s.output(b));
  return { m, s, records };
}

// spin: CPU-bound EL0 code, so the translation tier compiles functions during the run
const TYPED: Record<number, string> = { 28: 'spawn spin\r', 30: 'echo one\r', 40: 'ls /\r', 50: 'echo two\r' };
const SLICES = 62;

describe('time travel in the page (worker side)', () => {
  let kernel: PreparedKernel;
  let a: Awaited<ReturnType<typeof pageMachine>>;
  let endScreen: string;
  let endRecords: TraceRecord[];
  let endTicks: number;

  beforeAll(async () => {
    kernel = await prepareKernel(kernelBytes);
    a = await pageMachine(kernel);
    for (let i = 0; i < SLICES; i++) {
      if (TYPED[i]) a.s.input({ kind: 'uart', bytes: enc(TYPED[i]) });
      a.s.run(SLICE);
    }
    endScreen = text(a.s.screen());
    endRecords = [...a.records.values()];
    endTicks = a.m.clock.ticks;
    expect(endScreen).toContain('two');
    expect(endScreen).toContain('primes');
  }, 180_000);

  it('a prepared kernel gives the build id of its bytes (the page can snapshot, and the CLI reads its files)', async () => {
    const fromBytes = await Machine.create({ kernel: kernelBytes, bootImage });
    expect(a.m.buildId).toBe(fromBytes.buildId);
    expect(a.m.buildId).not.toBe('');
  });

  it('goes back to the previous IPC, shows the terminal of then, and runs forward through the same history', () => {
    const to = a.s.reverse('ipc');
    expect(to).not.toBeNull();
    expect(a.m.clock.ticks).toBeLessThan(endTicks);
    expect(a.s.inPast).toBe(true);
    expect(a.s.historySeq).toBeGreaterThan(a.m.trace.nextSequence);
    // go further back, before `echo two` was typed
    while (a.m.clock.ticks > endTicks - 15 * SLICE) expect(a.s.reverse('switch')).not.toBeNull();
    const then = text(a.s.screen());
    expect(endScreen.startsWith(then)).toBe(true);
    expect(then).not.toContain('two');
    // forward again: the logged input is typed at its virtual time, the same future unfolds
    while (a.m.clock.ticks < endTicks) a.s.run(Math.min(SLICE, endTicks - a.m.clock.ticks));
    expect(a.s.inPast).toBe(false);
    expect(text(a.s.screen())).toBe(endScreen);
    expect([...a.records.values()]).toEqual(endRecords);
  }, 180_000);

  it('jumps to a trace record, back and forward: lands right after the kernel entry that wrote it', () => {
    const target = endRecords.filter((r) => r.ticks < endTicks - 5 * SLICE).at(-1)!;
    const back = a.s.seek(target.seq, target.ticks);
    expect(back).not.toBeNull();
    expect(a.m.trace.nextSequence).toBeGreaterThan(target.seq);
    expect(a.m.clock.ticks).toBeGreaterThanOrEqual(target.ticks);
    const here = a.m.trace.nextSequence;
    // further back, then forward to the same record through the known future
    expect(a.s.reverse('entry')).not.toBeNull();
    expect(a.s.reverse('entry')).not.toBeNull();
    expect(a.m.trace.nextSequence).toBeLessThanOrEqual(target.seq);
    expect(a.s.seek(target.seq, target.ticks)).not.toBeNull();
    expect(a.m.trace.nextSequence).toBe(here);
    expect(a.m.clock.ticks).toBe(back!.ticks);
  }, 180_000);

  it('a new input in the past starts a branch: the later history is dropped', () => {
    expect(a.s.inPast).toBe(true);
    const seq = a.m.trace.nextSequence;
    const inputsBefore = a.s.inputs.length;
    const branch = a.s.input({ kind: 'uart', bytes: enc('echo branch\r') });
    expect(branch).toEqual({ branch: { seq }, accepted: true });
    expect(a.s.inPast).toBe(false);
    expect(a.s.historySeq).toBe(seq);
    expect(a.s.inputs.length).toBe(inputsBefore + 1);
    expect(a.s.inputs.at(-1)!.ticks).toBe(a.m.clock.ticks);
    for (let i = 0; i < 6; i++) a.s.run(SLICE);
    expect(text(a.s.screen())).toContain('branch');
  }, 180_000);

  it('save-state with the terminal transcript; loading it gives the same state and screen; corrupt files are refused', async () => {
    const file = await saveStateFile(a.m, a.s);
    expect(text(decodePageState(file).transcript)).toBe(text(a.s.screen()));
    const b = await pageMachine(kernel);
    const transcript = await loadStateFile(b.m, file);
    b.s.restart(transcript);
    expect(stateHash(b.m)).toBe(stateHash(a.m));
    expect(text(b.s.screen())).toBe(text(a.s.screen()));
    // it runs on: the shell answers
    b.s.input({ kind: 'uart', bytes: enc('echo loaded\r') });
    for (let i = 0; i < 6; i++) b.s.run(SLICE);
    expect(text(b.s.screen())).toContain('loaded');

    const before = stateHash(b.m);
    const broken = file.slice();
    broken[broken.length - 100] ^= 0xff;
    await expect(loadStateFile(b.m, broken)).rejects.toThrow(StateFileError);
    await expect(loadStateFile(b.m, file.subarray(0, 40))).rejects.toThrow(/truncated|not a state file/);
    await expect(loadStateFile(b.m, enc('hello, not a state'))).rejects.toThrow(/bad magic/);
    expect(stateHash(b.m)).toBe(before);
  }, 180_000);

  it('a Share recording replays the same run: the same output and trace at the same virtual times', async () => {
    const src = await pageMachine(kernel);
    for (let i = 0; i < 45; i++) {
      if (TYPED[i]) src.s.input({ kind: 'uart', bytes: enc(TYPED[i]) });
      src.s.run(SLICE);
    }
    const url = await encodeRecording({ build: src.m.buildId.slice(0, 16), bootargs: BOOTARGS, inputs: src.s.inputs });
    expect(url).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(url.length).toBeLessThan(400);
    const rec = await decodeRecording(url);
    expect(rec.inputs.map((i) => i.ticks)).toEqual(src.s.inputs.map((i) => i.ticks));

    const dst = await pageMachine(kernel);
    dst.s.preload(rec.inputs);
    // a different slicing: where the page's runs stop does not change what happens
    while (dst.m.clock.ticks < src.m.clock.ticks) dst.s.run(Math.min(SLICE * 3 + 17, src.m.clock.ticks - dst.m.clock.ticks));
    expect(text(dst.s.screen())).toBe(text(src.s.screen()));
    expect([...dst.records.values()]).toEqual([...src.records.values()]);
    await expect(decodeRecording('not-a-recording')).rejects.toThrow(/damaged/);
  }, 180_000);
});
