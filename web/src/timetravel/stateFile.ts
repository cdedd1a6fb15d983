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

import { STATE_MAGIC, decodeFramed, encodeFramed } from '../../../hw/snapshot-format';

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
  return encodeFramed(PAGE_STATE_MAGIC, PAGE_STATE_FORMAT, transcript.subarray(Math.max(0, transcript.length - MAX_TRANSCRIPT)), state);
}

/** Splits a page state file (or takes a bare machine state file); throws StateFileError with the reason. */
export function decodePageState(file: Uint8Array): PageStateFile {
  if (magicOf(file) === STATE_MAGIC) return { transcript: new Uint8Array(0), state: file };
  const { head, tail } = decodeFramed(file, { magic: PAGE_STATE_MAGIC, version: PAGE_STATE_FORMAT, what: 'state file', maxHead: MAX_TRANSCRIPT });
  return { transcript: head, state: tail };
}
