// The playground agent's mailbox protocol (D9). The agent (services/agent) is a user-space service
// that owns the host-mailbox device (its MMIO frame and IRQ 701, granted by the manifest). The page
// can only queue messages on that device; the agent performs each IPC with the capabilities it
// holds, so a send to an endpoint it has no capability for fails in the kernel, and the kernel's
// error comes back. The page never writes RAM or kernel state.
//
// The frame (abi/mailbox.json, AGENT_* of host/abi.ts; generated for the agent too) carries one
// whole IPC message both ways: a label and up to 64 message words, each a (lo, hi) pair of 32-bit
// mailbox words.
// Host → agent:  [tag, slot, label_lo, label_hi, n, w0_lo, w0_hi, … w(n−1)_hi]     n ≤ 64
//   tag    non-zero, chosen by the page, echoed in the reply
//   slot   CPtr, in the agent's CSpace, of the endpoint to call
//   label  the message label (protocol id << 8 | op id, host/wire.ts)
// Agent → host:  [tag, err, label_lo, label_hi, n, w0_lo, w0_hi, …]
//   err    the kernel's error code for the call (0 = the call went through; then label is the
//          server's reply label: 0 ok or a protocol error, and w… the reply words)
// Agent → host at start, and again when asked with tag 0:  [0, version, k, slot1 … slotk]
//   (hello: the endpoint slots the agent holds)
// Slot 2 (the agent's own CNode) takes only CNode Mint (17: dest, src, rights, badge), Delete (19)
// and Revoke (20) on its scratch slots 48..55, Mint only from an endpoint slot the agent holds or a
// scratch slot (services/agent/main.ts); anything else on the agent's own objects is AGENT_REFUSED.

import {
  AGENT_ERR, AGENT_HELLO_COUNT, AGENT_HELLO_SLOTS, AGENT_HELLO_VERSION, AGENT_LABEL_HI, AGENT_LABEL_LO, AGENT_LEN,
  AGENT_MAX_MSG_WORDS, AGENT_REFUSED, AGENT_SLOT, AGENT_TAG, AGENT_WORDS, ERRORS, FIRST_SERVICE_ERROR,
} from '../../host/abi';

export { AGENT_REFUSED };

/** Names of the syscall ABI's error codes (abi/errors.json, through host/abi.ts): "invalid capability". */
export const KERNEL_ERRORS: string[] = ERRORS.filter((e) => e.code < FIRST_SERVICE_ERROR)
  .map((e) => e.name.toLowerCase().replace(/_/g, ' '));

export const errorText = (code: number): string =>
  code === AGENT_REFUSED ? 'refused by the agent (one of its own kernel objects)' : (KERNEL_ERRORS[code] ?? `error ${code}`);

const lo = (v: bigint) => Number(BigInt.asUintN(32, v));
const hi = (v: bigint) => Number(BigInt.asUintN(32, v >> 32n));

/** The mailbox words of a request; more than 64 words are no IPC message, and the composer says so. */
export function encodeRequest(tag: number, slot: number, label: bigint, words: bigint[]): number[] {
  if (words.length > AGENT_MAX_MSG_WORDS) throw new Error(`an IPC message has at most ${AGENT_MAX_MSG_WORDS} words, not ${words.length}`);
  const frame: number[] = [];
  frame[AGENT_TAG] = tag;
  frame[AGENT_SLOT] = slot;
  frame[AGENT_LABEL_LO] = lo(label);
  frame[AGENT_LABEL_HI] = hi(label);
  frame[AGENT_LEN] = words.length;
  words.forEach((w, i) => { frame[AGENT_WORDS + 2 * i] = lo(w); frame[AGENT_WORDS + 2 * i + 1] = hi(w); });
  return frame;
}

export type AgentMessage =
  | { type: 'hello'; version: number; slots: number[] }
  | { type: 'reply'; tag: number; err: number; label: bigint; words: bigint[] };

/** A message from the agent: a hello, or the reply to a request (words a short frame lacks are left out). */
export function decodeAgent(w: number[]): AgentMessage | null {
  if (w.length < 2) return null;
  if (w[AGENT_TAG] === 0) {
    const k = w[AGENT_HELLO_COUNT] ?? 0;
    return { type: 'hello', version: w[AGENT_HELLO_VERSION], slots: w.slice(AGENT_HELLO_SLOTS, AGENT_HELLO_SLOTS + k) };
  }
  const pair = (i: number) => (BigInt(w[i + 1] >>> 0) << 32n) | BigInt(w[i] >>> 0);
  const n = Math.min(w[AGENT_LEN] ?? 0, AGENT_MAX_MSG_WORDS);
  const words: bigint[] = [];
  for (let i = 0; i < n && AGENT_WORDS + 2 * i + 1 < w.length; i++) words.push(pair(AGENT_WORDS + 2 * i));
  return { type: 'reply', tag: w[AGENT_TAG], err: w[AGENT_ERR], label: w.length > AGENT_LABEL_HI ? pair(AGENT_LABEL_LO) : 0n, words };
}
