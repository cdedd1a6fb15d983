// The playground agent's mailbox protocol (D9). The agent (services/agent) is a user-space service
// that owns the host-mailbox device (its MMIO frame and IRQ 701, granted by the manifest). The page
// can only queue messages on that device; the agent performs each IPC with the capabilities it
// holds, so a send to an endpoint it has no capability for fails in the kernel, and the kernel's
// error comes back. The page never writes RAM or kernel state.
//
// Mailbox messages are 32-bit words; IPC message words are 64-bit, sent as (lo, hi) pairs.
// Host → agent:  [tag, slot, label_lo, label_hi, n, w0_lo, w0_hi, … w(n−1)_hi]     n ≤ 29
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

import { ERRORS, FIRST_SERVICE_ERROR } from '../../host/abi';

export const AGENT_MAX_WORDS = 29;

/** Names of the syscall ABI's error codes (abi/errors.json, through host/abi.ts): "invalid capability". */
export const KERNEL_ERRORS: string[] = ERRORS.filter((e) => e.code < FIRST_SERVICE_ERROR)
  .map((e) => e.name.toLowerCase().replace(/_/g, ' '));

/** err value of a request the agent would not forward (a call on its own TCB, CNode, VSpace…). */
export const AGENT_REFUSED = 0xffff_ffff;

export const errorText = (code: number): string =>
  code === AGENT_REFUSED ? 'refused by the agent (one of its own kernel objects)' : (KERNEL_ERRORS[code] ?? `error ${code}`);

const lo = (v: bigint) => Number(BigInt.asUintN(32, v));
const hi = (v: bigint) => Number(BigInt.asUintN(32, v >> 32n));

export function encodeRequest(tag: number, slot: number, label: bigint, words: bigint[]): number[] {
  if (words.length > AGENT_MAX_WORDS) throw new Error(`at most ${AGENT_MAX_WORDS} message words fit in one mailbox message`);
  return [tag, slot, lo(label), hi(label), words.length, ...words.flatMap((w) => [lo(w), hi(w)])];
}

export type AgentMessage =
  | { type: 'hello'; version: number; slots: number[] }
  | { type: 'reply'; tag: number; err: number; label: bigint; words: bigint[] };

export function decodeAgent(w: number[]): AgentMessage | null {
  if (w.length < 2) return null;
  if (w[0] === 0) return { type: 'hello', version: w[1], slots: w.slice(3, 3 + (w[2] ?? 0)) };
  const pair = (i: number) => (BigInt(w[i + 1] >>> 0) << 32n) | BigInt(w[i] >>> 0);
  const n = w[4] ?? 0;
  const words: bigint[] = [];
  for (let i = 0; i < n && 5 + 2 * i + 1 < w.length; i++) words.push(pair(5 + 2 * i));
  return { type: 'reply', tag: w[0], err: w[1], label: w.length > 3 ? pair(2) : 0n, words };
}
