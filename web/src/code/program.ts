// program.ts — how a compiled program reaches init (shared by the page and the CLI).
//
// The page and `mlk run` never load a program themselves: they queue host-mailbox messages for the
// playground agent (services/agent), which writes the bytes into the shared frame "codebuf" and
// asks init to start them (proc.run). init copies the image and has the kernel's loader build the
// process (BootImage.SpawnFrom), with only the capabilities named here. See docs/EXERCISES.md.

import { encodeRequest } from '../agent';
import { AGENT_MAX_MSG_WORDS, CODE_RUN, CODE_SLOT, CODE_WRITE } from '../../../host/abi';
import procProtocol from '../../../abi/protocols/proc.json';

// the bits as proc.run reads them: declared once, in abi/protocols/proc.json
const GRANT_BITS = procProtocol.flags.Grants;

/** The shared frame "codebuf": 8 pages (services/manifest.json). */
export const CODEBUF_BYTES = 8 * 4096;
/** Bytes one CODE_WRITE carries: a full frame's words less offset and count, 8 bytes a word. */
export const CHUNK_BYTES = (AGENT_MAX_MSG_WORDS - 2) * 8;

/** The capabilities a student may grant (abi/protocols/proc.json, flags Grants), in panel order. */
export const GRANTS = [
  { name: 'console', bit: GRANT_BITS.CONSOLE, doc: 'look up the console service (print, read lines)' },
  { name: 'vfs', bit: GRANT_BITS.VFS, doc: 'look up the file system (open, read, write files)' },
  { name: 'timer', bit: GRANT_BITS.TIMER, doc: 'look up the timer service (sleep, deadlines)' },
  { name: 'endpoint', bit: GRANT_BITS.ENDPOINT, doc: 'a fresh endpoint to serve on, in slot 5' },
  { name: 'notification', bit: GRANT_BITS.NOTIFICATION, doc: 'a notification of its own, in slot 6' },
  { name: 'peers', bit: GRANT_BITS.PEERS, doc: 'look up the other programs run from here (Write + Grant)' },
  { name: 'pager', bit: GRANT_BITS.PAGER, doc: '4 free frames in slots 10-13; the address space of a program run later with paged, in slot 8' },
  { name: 'paged', bit: GRANT_BITS.PAGED, doc: 'its page faults go to the endpoint of the running program granted pager' },
  { name: 'gpio', bit: GRANT_BITS.GPIO, doc: 'the GPIO bank (LEDs, buttons): registers at 0x4000, its IRQ handler in slot 6 (not with notification)' },
] as const;
export type GrantName = (typeof GRANTS)[number]['name'];

/** "console,vfs" → bit mask; throws naming an unknown grant. */
export function grantBits(names: readonly string[]): number {
  let bits = 0;
  for (const n of names) {
    const g = GRANTS.find((x) => x.name === n.trim());
    if (!g) throw new Error(`unknown grant '${n}' (known: ${GRANTS.map((x) => x.name).join(', ')})`);
    bits |= g.bit;
  }
  return bits;
}

export function grantNames(bits: number): string[] {
  return GRANTS.filter((g) => (bits & g.bit) !== 0).map((g) => g.name);
}

/** A process name init accepts for a run program. */
export const PROGRAM_NAME = /^[a-z][a-z0-9-]{0,15}$/;

/**
 * The mailbox messages that upload `binary` and start it as `name`: CODE_WRITE pieces, then one
 * CODE_RUN. Tags count up from `firstTag`; the CODE_RUN message has the last tag.
 */
export function programMessages(binary: Uint8Array, name: string, grants: number, firstTag: number): number[][] {
  if (!PROGRAM_NAME.test(name)) throw new Error(`'${name}' is not a program name (a lower-case letter, then letters, digits or '-', at most 16)`);
  if (binary.length === 0) throw new Error('the program is empty');
  if (binary.length > CODEBUF_BYTES) throw new Error(`the program is ${binary.length} bytes; at most ${CODEBUF_BYTES} fit in the code buffer`);
  const out: number[][] = [];
  let tag = firstTag;
  for (let off = 0; off < binary.length; off += CHUNK_BYTES) {
    const piece = binary.subarray(off, Math.min(off + CHUNK_BYTES, binary.length));
    const words: bigint[] = [BigInt(off), BigInt(piece.length)];
    for (let i = 0; i < piece.length; i += 8) {
      let w = 0n;
      for (let j = 0; j < 8 && i + j < piece.length; j++) w |= BigInt(piece[i + j]) << BigInt(8 * j);
      words.push(w);
    }
    out.push(encodeRequest(tag++, CODE_SLOT, BigInt(CODE_WRITE), words));
  }
  const nameBytes = new Uint8Array(16);
  nameBytes.set(new TextEncoder().encode(name));
  const dv = new DataView(nameBytes.buffer);
  out.push(encodeRequest(tag, CODE_SLOT, BigInt(CODE_RUN), [BigInt(binary.length), BigInt(grants), dv.getBigUint64(0, true), dv.getBigUint64(8, true)]));
  return out;
}
