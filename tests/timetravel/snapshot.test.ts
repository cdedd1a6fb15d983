// Whole-machine snapshots: restore-and-continue is indistinguishable from never stopping (state
// hash equality at 20 seeded points of a scripted session), and bad state files are refused
// without touching the machine.
import { beforeAll, describe, expect, it } from 'vitest';
import { captureState, restoreState, type MachineState } from '../../hw/snapshot';
import { StateFileError, decodeStateFile, encodeStateFile, stateHash } from '../../hw/snapshot-format';
import type { Machine } from '../../hw/machine';
import { SLICES, machine, rng, runSlice } from './session';

describe('snapshot, restore, continue', () => {
  const points: number[] = [];
  const states = new Map<number, MachineState>();
  const hashes = new Map<number, string>();
  let out = '';
  let reference: Machine;

  beforeAll(async () => {
    const r = rng(15);
    const set = new Set<number>();
    while (set.size < 20) set.add(1 + Math.floor(r() * (SLICES - 1)));
    points.push(...[...set].sort((a, b) => a - b));
    reference = await machine();
    reference.on('uart', (b) => { out += Buffer.from(b).toString('latin1'); });
    for (let i = 0; i < SLICES; i++) {
      if (set.has(i)) { states.set(i, captureState(reference)); hashes.set(i, stateHash(reference)); }
      runSlice(reference, i);
    }
    hashes.set(SLICES, stateHash(reference));
  }, 120_000);

  it('the session did what it says (disk write, kill and restart, a faulting program)', () => {
    expect(out).toContain('kept on the disk');
    expect(out).toMatch(/init: fs \(tid 5\) killed; restart 1\/5/);
    expect(out).toMatch(/started faults as tid \d+/);
    expect(reference.halted).toBeNull();
  });

  it('restoring at each of 20 points and running on reaches the same state hash as the uninterrupted run', async () => {
    const m = await machine();
    const bounds = [...points, SLICES];
    for (let k = 0; k < points.length; k++) {
      restoreState(m, states.get(points[k])!);
      expect(stateHash(m), `right after restoring at slice ${points[k]}`).toBe(hashes.get(points[k]));
      for (let i = points[k]; i < bounds[k + 1]; i++) runSlice(m, i);
      expect(stateHash(m), `from slice ${points[k]} to ${bounds[k + 1]}`).toBe(hashes.get(bounds[k + 1]));
    }
  }, 120_000);

  it('a state file round-trips to the same hash', async () => {
    const m = await machine();
    const file = await encodeStateFile(states.get(points[10])!);
    const { state, hash } = await decodeStateFile(file, m.buildId);
    restoreState(m, state);
    expect(stateHash(m)).toBe(hash);
    expect(hash).toBe(hashes.get(points[10]));
  });

  describe('refused cleanly, the machine untouched', () => {
    let file: Uint8Array;
    let m: Machine;
    let before: string;
    beforeAll(async () => {
      file = await encodeStateFile(states.get(points[5])!);
      m = await machine();
      for (let i = 0; i < 3; i++) runSlice(m, i);
      before = stateHash(m);
    });
    const load = async (bytes: Uint8Array) => {
      const { state } = await decodeStateFile(bytes, m.buildId);
      restoreState(m, state);
    };
    const refused = async (bytes: Uint8Array, why: RegExp) => {
      await expect(load(bytes)).rejects.toThrow(why);
      expect(stateHash(m)).toBe(before);
    };

    it('truncated', async () => {
      await refused(file.subarray(0, file.length - 100), /truncated|corrupt/);
      await refused(file.subarray(0, 40), /shorter than the 64-byte header/);
    });
    it('corrupt', async () => {
      const bad = file.slice();
      bad[bad.length >> 1] ^= 0x55;
      await refused(bad, /corrupt/);
    });
    it('wrong version', async () => {
      const bad = file.slice();
      new DataView(bad.buffer).setUint32(8, 99, true);
      await refused(bad, /format 99 is not supported/);
    });
    it('not a state file', async () => {
      await refused(new TextEncoder().encode('hello, this is not a machine state at all, not even close to one'), /bad magic/);
    });
    it('another build', async () => {
      const bad = file.slice();
      bad.set(new TextEncoder().encode('0123456789abcdef0123456789abcdef'), 16);
      await refused(bad, /another build/);
    });
    it('a state whose device part a device refuses: refused before anything is loaded', async () => {
      const { state } = await decodeStateFile(file, m.buildId);
      (state.devices.uart as { rx: unknown }).rx = 'not an array';
      expect(() => restoreState(m, state)).toThrow(/refused and the machine left as it was.*Uart/);
      expect(stateHash(m)).toBe(before);
    });
    it('errors are StateFileErrors with one-line reasons', async () => {
      const e = await decodeStateFile(file.subarray(0, 10)).catch((x) => x);
      expect(e).toBeInstanceOf(StateFileError);
      expect(e.message).not.toContain('\n');
    });
  });
});
