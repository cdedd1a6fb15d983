// The worker's side of save-state, load-state and the page's view after a jump: the state file
// with the terminal transcript (stateFile.ts), the trace history the loaded machine holds, the
// thread running at a moment, and the status line of a reverse command.

import type { Machine } from '../../../hw/machine';
import { CNTFRQ } from '../../../hw/memmap';
import { captureState, restoreState } from '../../../hw/snapshot';
import { decodeStateFile, encodeStateFile } from '../../../hw/snapshot-format';
import type { Moment } from '../../../host/timetravel';
import { kindOf } from '../../../host/traceKinds';
import { TRACE_STRIDE } from '../worker/protocol';
import { decodePageState, encodePageState } from './stateFile';
import type { TimeTravelSession } from './session';

/** The machine's state now, with the terminal's transcript: a page state file. */
export async function saveStateFile(m: Machine, s: TimeTravelSession): Promise<Uint8Array> {
  const screen = s.screen();
  const state = await encodeStateFile(captureState(m));
  return encodePageState(screen, state);
}

/**
 * Loads a page (or CLI) state file into `m`: checked whole before the machine is touched (format,
 * build, hash, every device's part: hw/snapshot.ts restoreState); throws with the reason when refused,
 * the machine left as it was. Returns the transcript to show.
 */
export async function loadStateFile(m: Machine, bytes: Uint8Array): Promise<Uint8Array> {
  const file = decodePageState(bytes);
  const { state } = await decodeStateFile(file.state, m.buildId);
  restoreState(m, state);
  return file.transcript;
}

/** The records the machine's trace ring holds, packed as the worker streams them (TRACE_STRIDE numbers each). */
export function historyRecords(m: Machine): Float64Array {
  // the page always reads the ring as records are written, so reading it here changes nothing the guest sees
  const recs = m.trace.records();
  const out = new Float64Array(recs.length * TRACE_STRIDE);
  recs.forEach((r, i) => out.set([r.seq, r.ticks, r.kind, ...r.args.slice(0, 6)], i * TRACE_STRIDE));
  return out;
}

const SWITCH = kindOf('SWITCH');
/** How far back (records) the thread running now is looked for. */
const SWITCH_LOOKBACK = 8192;

/** The thread the kernel's last SWITCH record switched to (undefined when the ring holds none recent). */
export function lastSwitchTid(m: Machine): number | undefined {
  const recs = m.trace.records(Math.max(0, m.trace.nextSequence - 1 - SWITCH_LOOKBACK));
  for (let i = recs.length - 1; i >= 0; i--) if (recs[i].kind === SWITCH) return recs[i].args[1];
  return undefined;
}

/** "back to the previous IPC (−1.234 ms virtual; 85 ms)", or why nothing moved. */
export function describeMoment(what: string, fromTicks: number, to: Moment | null, ms: number): string {
  if (!to) return what.startsWith('the ') ? `${what.slice(4)} is not in the history` : `no ${what} there in the history`;
  const dt = ((to.ticks - fromTicks) / CNTFRQ) * 1e3;
  const target = what.startsWith('the ') ? what : `the previous ${what}`;
  const dir = dt < 0 ? `back to ${target}` : `forward to ${what}`;
  return `${dir} (${dt < 0 ? '−' : '+'}${Math.abs(dt).toFixed(3)} ms virtual; ${Math.round(ms)} ms to compute)`;
}
