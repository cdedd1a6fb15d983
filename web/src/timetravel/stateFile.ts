// The page's state file: the machine's state file (hw/snapshot-format.ts, as `mlk boot
// --save-state` writes it) preceded by the terminal's transcript, so that after a load the terminal
// shows what it showed when the state was saved (the UART's output is not machine state: it left
// the machine when it was sent).
//
//   0  8  magic "MLKPAGES"
//   8  4  format version (u32 LE)
//   12 4  transcript length T (u32 LE)
//   16 T  the UART output up to the state, as the terminal received it
//   .. ..  the machine's state file ("MLKSTATE" …)
//
// A bare machine state file (from the CLI) loads too, with an empty transcript.

import { STATE_MAGIC, StateFileError } from '../../../hw/snapshot-format';

export const PAGE_STATE_MAGIC = 'MLKPAGES';
export const PAGE_STATE_FORMAT = 1;
/** The transcript kept in a state file: its last 1 MiB at most (the terminal's scrollback holds less). */
export const MAX_TRANSCRIPT = 2 ** 20;

export interface PageStateFile {
  transcript: Uint8Array;
  /** The machine's state file. */
  state: Uint8Array;
}

const magicOf = (b: Uint8Array) => new TextDecoder().decode(b.subarray(0, 8));

export function encodePageState(transcript: Uint8Array, state: Uint8Array): Uint8Array {
  const t = transcript.subarray(Math.max(0, transcript.length - MAX_TRANSCRIPT));
  const out = new Uint8Array(16 + t.length + state.length);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(PAGE_STATE_MAGIC), 0);
  dv.setUint32(8, PAGE_STATE_FORMAT, true);
  dv.setUint32(12, t.length, true);
  out.set(t, 16);
  out.set(state, 16 + t.length);
  return out;
}

/** Splits a page state file (or takes a bare machine state file); throws StateFileError with the reason. */
export function decodePageState(file: Uint8Array): PageStateFile {
  const magic = magicOf(file);
  if (magic === STATE_MAGIC) return { transcript: new Uint8Array(0), state: file };
  if (file.length < 16 || magic !== PAGE_STATE_MAGIC) throw new StateFileError('not a state file: bad magic (expected "MLKPAGES" or "MLKSTATE")');
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== PAGE_STATE_FORMAT) throw new StateFileError(`page state file format ${version} is not supported (this page reads format ${PAGE_STATE_FORMAT})`);
  const t = dv.getUint32(12, true);
  if (t > MAX_TRANSCRIPT || 16 + t > file.length) throw new StateFileError('corrupt or truncated state file: the terminal transcript runs past the end');
  return { transcript: file.slice(16, 16 + t), state: file.subarray(16 + t) };
}
