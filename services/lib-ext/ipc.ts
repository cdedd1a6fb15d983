// ipc.ts — moves a Msg (msg.ts) through the kernel's IPC (docs/SYSCALLS.md): X0 = capability,
// X1 = message info (label << 12 | extraCaps << 7 | length), X2..X5 = words 0..3, words 4.. in
// the IPC buffer at IPCBUF_VA + 8 + 8·i, extra-cap CPtrs at IPCBUF_VA + 0x208, the receive slot at
// IPCBUF_VA + 0x220. On return / delivery: X0 = error, X1 = info, X2..X5 = words 0..3, X6 = badge.
//
// `ipcHook` lets a native unit test route calls to an in-process server instead of the kernel.

import { Msg } from "./msg";

import {
  svc, reg, SYS_CALL, SYS_SEND, SYS_NBSEND, SYS_RECV, SYS_NBRECV, SYS_REPLY, SYS_REPLY_RECV, SYS_YIELD,
  IPCBUF_VA, IPCBUF_MSG, IPCBUF_CAPS, IPCBUF_RECV_SLOT, MI_LABEL_SHIFT, MI_EXTRA_CAPS_SHIFT, MI_EXTRA_CAPS_MASK, MI_LENGTH_MASK,
} from "../lib/sys";
import "../lib/debug"; // the abort handler services/asconfig.json names
export { svc, SYS_CALL, SYS_SEND, SYS_NBSEND, SYS_RECV, SYS_NBRECV, SYS_REPLY, SYS_REPLY_RECV, SYS_YIELD, IPCBUF_VA };


/** Test hook: when set, ipcCall goes here instead of the kernel. */
export let ipcHook: ((ep: u64, m: Msg) => u32) | null = null;
export function setIpcHook(h: ((ep: u64, m: Msg) => u32) | null): void { ipcHook = h; }

// @ts-ignore: decorator
@inline function info(m: Msg): i64 {
  return <i64>((m.label << MI_LABEL_SHIFT) | (<u64>(m.ncaps & MI_EXTRA_CAPS_MASK) << MI_EXTRA_CAPS_SHIFT) | <u64>(m.len & MI_LENGTH_MASK));
}

/** Words 4.. and the caps to the IPC buffer; returns nothing (words 0..3 go in registers). */
function stage(m: Msg): void {
  if (m.len > 4) memory.copy(IPCBUF_VA + IPCBUF_MSG + 32, m.buf + 32, <usize>(m.len - 4) << 3);
  for (let i = 0; i < m.ncaps; i++) store<u64>(IPCBUF_VA + IPCBUF_CAPS + (<usize>i << 3), unchecked(m.caps[i]));
  store<u64>(IPCBUF_VA + IPCBUF_RECV_SLOT, m.recvSlot);
}

/** Reads a delivered message from X1..X6 and the IPC buffer into m; returns X0. */
function collect(m: Msg, x0: i64): u32 {
  if (x0 != 0) return <u32>x0;
  const mi = <u64>reg(1);
  m.label = mi >> MI_LABEL_SHIFT;
  let len = <i32>(mi & MI_LENGTH_MASK);
  if (len > 64) len = 64;
  m.len = len;
  m.ncaps = <i32>((mi >> MI_EXTRA_CAPS_SHIFT) & MI_EXTRA_CAPS_MASK);
  m.badge = <u64>reg(6);
  m.setWord(0, <u64>reg(2));
  m.setWord(1, <u64>reg(3));
  m.setWord(2, <u64>reg(4));
  m.setWord(3, <u64>reg(5));
  if (len > 4) memory.copy(m.buf + 32, IPCBUF_VA + IPCBUF_MSG + 32, <usize>(len - 4) << 3);
  m.rd = 0;
  m.capIndex = 0;
  m.bad = false;
  return 0;
}

// @ts-ignore: decorator
@inline function w(m: Msg, i: i32): i64 { return <i64>m.word(i); }

/** Call: sends m on ep and waits for the reply, which replaces m. 0 or a kernel error. */
export function ipcCall(ep: u64, m: Msg): u32 {
  const h = ipcHook;
  if (h) return h(ep, m);
  stage(m);
  const x0 = svc(SYS_CALL, <i64>ep, info(m), w(m, 0), w(m, 1), w(m, 2), w(m, 3));
  return collect(m, x0);
}

/** Blocking receive on an endpoint (or notification) into m. */
export function ipcRecv(ep: u64, m: Msg): u32 {
  store<u64>(IPCBUF_VA + IPCBUF_RECV_SLOT, m.recvSlot);
  const x0 = svc(SYS_RECV, <i64>ep, 0, 0, 0, 0, 0);
  return collect(m, x0);
}

/** Non-blocking receive; WOULD_BLOCK (12) when nothing is waiting. */
export function ipcNbRecv(ep: u64, m: Msg): u32 {
  store<u64>(IPCBUF_VA + IPCBUF_RECV_SLOT, m.recvSlot);
  const x0 = svc(SYS_NBRECV, <i64>ep, 0, 0, 0, 0, 0);
  return collect(m, x0);
}

/** Replies with m to the last caller, then receives the next message into m. */
export function ipcReplyRecv(ep: u64, m: Msg): u32 {
  stage(m);
  const x0 = svc(SYS_REPLY_RECV, <i64>ep, info(m), w(m, 0), w(m, 1), w(m, 2), w(m, 3));
  return collect(m, x0);
}

/** Replies with m to the last caller (nothing happens when there is none). */
export function ipcReply(m: Msg): void {
  stage(m);
  svc(SYS_REPLY, 0, info(m), w(m, 0), w(m, 1), w(m, 2), w(m, 3));
}

/** Send (blocking) m on a capability: an endpoint, or a saved reply capability (a deferred reply). */
export function ipcSend(cap: u64, m: Msg): u32 {
  stage(m);
  return <u32>svc(SYS_SEND, <i64>cap, info(m), w(m, 0), w(m, 1), w(m, 2), w(m, 3));
}

/** Signal a notification (a zero-length send). */
export function signal(ntfn: u64): u32 {
  return <u32>svc(SYS_SEND, <i64>ntfn, 0, 0, 0, 0, 0);
}

/** Wait on a notification: returns the bits (and 0 in err), or sets err. */
export let waitErr: u32 = 0;
export function wait(ntfn: u64): u64 {
  const x0 = svc(SYS_RECV, <i64>ntfn, 0, 0, 0, 0, 0);
  waitErr = <u32>x0;
  return <u64>reg(6);
}

export function yieldCpu(): void { svc(SYS_YIELD, 0, 0, 0, 0, 0, 0); }

/**
 * A kernel-object method (Call on a non-endpoint cap): label, up to 4 argument words, up to 3
 * extra caps. Returns the error; the result words are in methodOut[0..3].
 */
export const methodOut = new StaticArray<u64>(4);
export function invoke(cap: u64, label: u64, n: i32, a0: u64, a1: u64, a2: u64, a3: u64, c0: u64 = 0, c1: u64 = 0, c2: u64 = 0, ncaps: i32 = 0): u32 {
  if (ncaps > 0) store<u64>(IPCBUF_VA + IPCBUF_CAPS, c0);
  if (ncaps > 1) store<u64>(IPCBUF_VA + IPCBUF_CAPS + 8, c1);
  if (ncaps > 2) store<u64>(IPCBUF_VA + IPCBUF_CAPS + 16, c2);
  const mi = <i64>((label << MI_LABEL_SHIFT) | (<u64>(ncaps & MI_EXTRA_CAPS_MASK) << MI_EXTRA_CAPS_SHIFT) | <u64>(n & MI_LENGTH_MASK));
  const x0 = svc(SYS_CALL, <i64>cap, mi, <i64>a0, <i64>a1, <i64>a2, <i64>a3);
  unchecked(methodOut[0] = <u64>reg(2));
  unchecked(methodOut[1] = <u64>reg(3));
  unchecked(methodOut[2] = <u64>reg(4));
  unchecked(methodOut[3] = <u64>reg(5));
  return <u32>x0;
}
