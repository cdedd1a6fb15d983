// Reverse execution: every reverse command lands on exactly the state that running forward to the
// same moment reaches (state hash equality), and the checkpoints stay within their memory budget.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Machine } from '../../hw/machine';
import { captureState, restoreState, stateTicks, type MachineState } from '../../hw/snapshot';
import { stateHash } from '../../hw/snapshot-format';
import { TRACE_KINDS } from '../../host/abi';
import { TimeTravel, type ReverseTarget } from '../../host/timetravel';
import { SCRIPT, SLICE, machine, runSlice } from './session';

const kind = (name: string) => TRACE_KINDS.find((k) => k.name === name)!.kind;
const FROM = 51; // the reference snapshot: just before `spawn faults`
const END = 56;

describe('reverse execution', () => {
  let m: Machine;
  let tt: TimeTravel;
  let reference: MachineState;
  const stepHashes = new Map<number, string>();

  beforeAll(async () => {
    m = await machine();
    // a small budget, so that thinning happens during the test
    tt = new TimeTravel(m, { interval: SLICE * 5, memoryBudget: 12 * 2 ** 20 });
    for (let i = 0; i < END; i++) {
      if (i === FROM) reference = captureState(m);
      if (SCRIPT[i]) m.uartInput(SCRIPT[i]);
      tt.run(SLICE);
    }
    // forward stepping, with something for EL0 to do, until a few instructions have retired
    m.uartInput('ls /\r');
    const first = m.instructions;
    for (let n = 0; n < 20_000 && m.instructions < first + 6; n++) {
      tt.step();
      if (m.cpu.el === 0) stepHashes.set(m.clock.ticks, stateHash(m));
    }
    expect(m.instructions).toBeGreaterThanOrEqual(first + 6);
  }, 120_000);

  /** The state hash at `ticks` running forward from the reference snapshot: at the end of a kernel entry, or by stopping there. */
  async function forwardHash(ticks: number, atEntryEnd: boolean): Promise<string> {
    const b = await machine();
    restoreState(b, reference);
    let hash = '';
    if (atEntryEnd) b.on('entry', () => { if (b.clock.ticks === ticks) hash = stateHash(b); });
    for (let i = FROM; i < END && !hash; i++) {
      if (SCRIPT[i]) b.uartInput(SCRIPT[i]);
      if (!atEntryEnd && b.clock.ticks + SLICE >= ticks) { b.run(ticks - b.clock.ticks); return stateHash(b); }
      b.run(SLICE);
    }
    if (!hash) {
      // past the scripted part: as the forward run went on, stepping
      b.uartInput('ls /\r');
      while (!hash && b.clock.ticks < ticks) b.step();
    }
    return hash;
  }

  it('thins old checkpoints to stay within the memory budget, keeping the first', () => {
    const s = tt.stats();
    expect(s.bytes).toBeLessThanOrEqual(s.memoryBudget);
    expect(s.oldest).toBe(0);
    expect(s.checkpoints).toBeGreaterThan(2);
  });

  it('steps back one EL0 instruction at a time onto the states forward stepping reached', () => {
    for (let k = 0; k < 4; k++) {
      const before = m.instructions;
      const to = tt.reverse('instruction');
      expect(to).not.toBeNull();
      expect(m.instructions).toBe(before - 1);
      expect(stepHashes.get(m.clock.ticks), `at tick ${m.clock.ticks}`).toBe(stateHash(m));
    }
  });

  const targets: [string, ReverseTarget][] = [
    ['kernel entry', 'entry'],
    ['IPC', 'ipc'],
    ['context switch', 'switch'],
    ['breakpoint (a syscall)', { breakpoint: (r) => r.kind === kind('SYSCALL') }],
    ['fault', 'fault'],
  ];
  for (const [name, target] of targets) {
    it(`goes back to the previous ${name}, the state forward execution reaches there`, async () => {
      const before = m.clock.ticks;
      const to = tt.reverse(target);
      expect(to, name).not.toBeNull();
      expect(m.clock.ticks).toBe(to!.ticks);
      expect(to!.ticks).toBeLessThan(before);
      expect(to!.ticks).toBeGreaterThan(stateTicks(reference));
      const here = stateHash(m);
      expect(await forwardHash(to!.ticks, true), name).toBe(here);
    }, 60_000);
  }

  it('goes to the end of the kernel entry that wrote a chosen earlier record (a timeline click), the state forward execution reaches there', async () => {
    const recs = m.trace.records().filter((r) => r.kind === kind('SYSCALL') && r.ticks > stateTicks(reference));
    expect(recs.length).toBeGreaterThan(4);
    const rec = recs[Math.floor(recs.length / 2)];
    const to = tt.reverseTo((r) => r.seq === rec.seq, rec.ticks);
    expect(to).not.toBeNull();
    expect(m.clock.ticks).toBe(to!.ticks);
    expect(to!.ticks).toBeGreaterThanOrEqual(rec.ticks);
    expect(m.trace.nextSequence).toBeGreaterThan(rec.seq);
    const here = stateHash(m);
    expect(await forwardHash(to!.ticks, true)).toBe(here);
    // a record of the future is not a place to go back to
    expect(tt.reverseTo(() => true, m.clock.ticks)).toBeNull();
    expect(stateHash(m)).toBe(here);
  }, 60_000);

  it('going back past the whole history finds nothing and leaves the machine where it was', () => {
    const here = stateHash(m);
    expect(tt.reverse({ breakpoint: () => false })).toBeNull();
    expect(stateHash(m)).toBe(here);
  });

  it('runs on forward from where it went back, and steps back again', () => {
    for (let i = 0; i < 3; i++) tt.run(SLICE);
    const at = m.clock.ticks;
    expect(tt.reverse('ipc')).not.toBeNull();
    expect(m.clock.ticks).toBeLessThan(at);
  });
});
