// Record and replay (issue 15; docs/TIMETRAVEL.md "Record and replay"). The machine is
// deterministic, so a run is fully decided by its start state and the outside inputs with the
// virtual time each arrived at: UART bytes and host mailbox posts (the disk's contents at the start
// are part of the start state). A recording holds exactly that, and replaying it reaches the same
// final state hash.
//
// Recording file:
//   0  8  magic "MLKRECRD"
//   8  4  format version (u32 LE)
//   12 4  descriptor length (u32 LE)
//   16 .. descriptor: UTF-8 JSON {buildId, startTicks, endTicks, endHash, inputs: [{ticks, uart|mailbox}]}
//         (uart: the bytes as a latin1 string; mailbox: the words)
//   .. .. the start state, a complete state file (hw/snapshot-format.ts)

import type { HostInput, Machine } from '../hw/machine';
import { captureState, restoreState } from '../hw/snapshot';
import { StateFileError, decodeFramed, decodeStateFile, encodeFramed, encodeStateFile, stateHash } from '../hw/snapshot-format';

export const RECORDING_MAGIC = 'MLKRECRD';
export const RECORDING_FORMAT = 1;

export interface RecordedInput {
  ticks: number;
  uart?: string;
  mailbox?: number[];
  /** A GPIO button: [button, 1 pressed / 0 released]. */
  gpio?: [number, number];
}

export interface Recording {
  buildId: string;
  startTicks: number;
  endTicks: number;
  endHash: string;
  /**
   * Whether the host read the trace ring as records were written (a trace listener): the ring's
   * DROPPED count, which the guest can read, depends on it, so a replay must read it the same way.
   */
  traceRead: boolean;
  inputs: RecordedInput[];
  /** Where the recorded run stopped at EL0 (see Machine's 'stop' event), as tick deltas from the start. */
  stops: number[];
  /** The start state as a state file. */
  start: Uint8Array;
}

const latin1 = (b: Uint8Array) => Array.from(b, (c) => String.fromCharCode(c)).join('');
const unlatin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

/** Logs every outside input of a machine from now on, with its virtual time. */
export class Recorder {
  readonly inputs: RecordedInput[] = [];
  readonly stops: number[] = [];
  private lastStop: number;
  private readonly detachStops: () => void;
  private readonly startTicks: number;
  private readonly start: Promise<Uint8Array>;
  private readonly detach: () => void;

  constructor(private readonly m: Machine) {
    this.startTicks = m.clock.ticks;
    this.lastStop = m.clock.ticks;
    this.detachStops = m.on('stop', (t) => { this.stops.push(t - this.lastStop); this.lastStop = t; });
    this.start = encodeStateFile(captureState(m));
    this.detach = m.on('input', (i: HostInput) => {
      this.inputs.push(i.kind === 'uart' ? { ticks: m.clock.ticks, uart: latin1(i.bytes) }
        : i.kind === 'gpio' ? { ticks: m.clock.ticks, gpio: [i.button, i.down ? 1 : 0] }
        : { ticks: m.clock.ticks, mailbox: Array.from(i.words) });
    });
  }

  /** Stops recording; the machine's state now is the recording's end. */
  async finish(): Promise<Recording> {
    this.detach();
    this.detachStops();
    return {
      buildId: this.m.buildId,
      startTicks: this.startTicks,
      endTicks: this.m.clock.ticks,
      endHash: stateHash(this.m),
      traceRead: this.m.trace.onRecord !== null,
      inputs: this.inputs,
      stops: this.stops,
      start: await this.start,
    };
  }
}

export function encodeRecording(r: Recording): Uint8Array {
  const { start, ...rest } = r;
  return encodeFramed(RECORDING_MAGIC, RECORDING_FORMAT, new TextEncoder().encode(JSON.stringify(rest)), start);
}

/** Parses a recording file; throws StateFileError with the reason when it is not one. */
export function decodeRecording(file: Uint8Array): Recording {
  const { head, tail } = decodeFramed(file, { magic: RECORDING_MAGIC, version: RECORDING_FORMAT, what: 'recording' });
  let d: Omit<Recording, 'start'>;
  try {
    d = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(head));
  } catch {
    throw new StateFileError('corrupt recording: the descriptor is not JSON');
  }
  const okInput = (i: RecordedInput) => Number.isInteger(i?.ticks) && i.ticks >= 0 &&
    (typeof i.uart === 'string' || (Array.isArray(i.mailbox) && i.mailbox.every((w) => Number.isInteger(w))) ||
      (Array.isArray(i.gpio) && i.gpio.length === 2 && Number.isInteger(i.gpio[0]) && i.gpio[0] >= 0 && i.gpio[0] < 4 && (i.gpio[1] === 0 || i.gpio[1] === 1)));
  if (typeof d?.buildId !== 'string' || !Number.isInteger(d.startTicks) || !Number.isInteger(d.endTicks) || d.endTicks < d.startTicks ||
    typeof d.endHash !== 'string' || typeof d.traceRead !== 'boolean' ||
    !Array.isArray(d.stops) || !d.stops.every((x) => Number.isInteger(x) && x >= 0) || !Array.isArray(d.inputs) || !d.inputs.every(okInput) ||
    d.inputs.some((i, k) => i.ticks < d.startTicks || i.ticks > d.endTicks || (k > 0 && i.ticks < d.inputs[k - 1].ticks)))
    throw new StateFileError('corrupt recording: bad descriptor fields');
  return { ...d, start: tail };
}

/**
 * Runs until the clock reaches `ticks` exactly. A deterministic re-run stops on the boundaries the
 * first run stopped on, so landing elsewhere (or idling, or halting, early) means it diverged.
 */
export function runTo(m: Machine, ticks: number): void {
  while (m.clock.ticks < ticks) {
    const r = m.run(ticks - m.clock.ticks);
    if (m.halted || r.reason === 'idle') break;
  }
  if (m.clock.ticks !== ticks)
    throw new Error(`replay diverged: reached tick ${m.clock.ticks} instead of ${ticks}${m.halted ? ` (the machine halted: ${m.halted.reason})` : ''}`);
}

export interface ReplayResult {
  hash: string;
  /** True when the final state hash equals the recorded one. */
  exact: boolean;
}

/** Loads the recording's start state into `m` and replays its inputs at their virtual times. */
export async function replay(m: Machine, r: Recording): Promise<ReplayResult> {
  const { state } = await decodeStateFile(r.start, m.buildId);
  restoreState(m, state);
  if (r.traceRead && m.trace.onRecord === null) m.on('trace', () => {});
  // stops and inputs in time order (an input at a stop's tick comes after that stop)
  let k = 0;
  let stop = r.startTicks;
  const applyInputsUpTo = (t: number) => {
    for (; k < r.inputs.length && r.inputs[k].ticks <= t; k++) {
      const i = r.inputs[k];
      runTo(m, i.ticks);
      if (i.uart !== undefined) m.uartInput(unlatin1(i.uart));
      else if (i.mailbox) m.mailbox.post(i.mailbox);
      else if (i.gpio) m.gpio.setButton(i.gpio[0], i.gpio[1] === 1);
    }
  };
  for (const d of r.stops) {
    stop += d;
    applyInputsUpTo(stop - 1);
    runTo(m, stop);
  }
  applyInputsUpTo(r.endTicks);
  runTo(m, r.endTicks);
  const hash = stateHash(m);
  return { hash, exact: hash === r.endHash };
}
