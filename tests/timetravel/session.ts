// A scripted session for the time-travel tests: boot, then shell commands typed at fixed slices
// (a file on the disk, a file on the RAM disk, a service killed and restarted by init, a program
// that faults), run in fixed slices of virtual time so that a re-run can stop where this one did.
import { readFileSync } from 'node:fs';
import { Machine } from '../../hw/machine';
import { CNTFRQ } from '../../hw/memmap';
import { seededRandom } from '../../hw/switch';
import { root } from '../services/asc';

export const SLICE = CNTFRQ / 100;

const kernel = readFileSync(`${root}build/kernel.wasm`);
const bootImage = new Uint8Array(readFileSync(`${root}build/bootimage.cpio`));

/** A machine with the invariant checker on, its trace read as every host reads it, the EL0 engine interpreting. */
export async function machine(): Promise<Machine> {
  const m = await Machine.create({ kernel, bootImage, bootargs: 'mlk.check=1' });
  m.on('trace', () => {});
  // interpreter only: the translation tier's state is not in a snapshot (docs/TIMETRAVEL.md)
  m.el0.jitThreshold = Infinity;
  return m;
}

/** What is typed, by slice number. */
export const SCRIPT: Record<number, string> = {
  25: 'echo kept on the disk > /home/tt\r',
  30: 'echo hi > /tmp/a\r',
  35: 'kill 5\r',
  52: 'spawn faults\r',
  58: 'cat /home/tt\r',
  64: 'ps\r',
};
export const SLICES = 72;

/** Runs slice `i` of the session (typing first when the script says so). */
export function runSlice(m: Machine, i: number): void {
  if (SCRIPT[i]) m.uartInput(SCRIPT[i]);
  m.run(SLICE);
}

/** A small seeded generator, for reproducible "random" points: the switch's mulberry32. */
export const rng = seededRandom;
