// ipc.ts — moves a Msg (msg.ts) through the kernel's IPC (docs/SYSCALLS.md §2): words 0..3 in
// X2..X5, words 4.. and the extra capabilities in the IPC buffer (ipcbuf.ts). On delivery: X0 =
// error, X1 = info, X2..X5 = words 0..3, X6 = badge. Every function returns the kernel's error
// code (0 = ok).
//
// `setIpcHook` lets a native unit test route calls to an in-process server instead of the kernel.

import { Msg } from "./msg";
import { svc, reg, msgInfo } from "./sys";
import {
  SYS_CALL, SYS_SEND, SYS_NBSEND, SYS_RECV, SYS_NBRECV, SYS_REPLY, SYS_REPLY_RECV,
  IPCBUF_VA, IPCBUF_MSG, IPCBUF_CAPS, IPCBUF_RECV_SLOT, MI_LABEL_SHIFT, MI_EXTRA_CAPS_SHIFT, MI_EXTRA_CAPS_MASK, MI_LENGTH_MASK,
  MSG_MAX_WORDS, MSG_REG_WORDS,
} from "./abi";

let ipcHook: ((ep: u64, m: Msg) => u32) | null = null;
/** Test hook: when set, ipcCall goes to `h` instead of the kernel (native unit tests). */
export function setIpcHook(h: ((ep: u64, m: Msg) => u32) | null): void { ipcHook = h; }

// @ts-ignore: decorator
@inline function info(m: Msg): i64 { return msgInfo(m.label, <u32>m.ncaps, <u32>m.len); }
// @ts-ignore: decorator
@inline function w(m: Msg, i: i32): i64 { return <i64>m.word(i); }
const BUF_WORDS: usize = IPCBUF_VA + IPCBUF_MSG + (<usize>MSG_REG_WORDS << 3);

/** Words 4.., the caps and the receive slot to the IPC buffer (words 0..3 go in registers). */
function stage(m: Msg): void {
  if (m.len > MSG_REG_WORDS) memory.copy(BUF_WORDS, m.buf + (<usize>MSG_REG_WORDS << 3), <usize>(m.len - MSG_REG_WORDS) << 3);
  for (let i = 0; i < m.ncaps; i++) store<u64>(IPCBUF_VA + IPCBUF_CAPS + (<usize>i << 3), unchecked(m.caps[i]));
  store<u64>(IPCBUF_VA + IPCBUF_RECV_SLOT, m.recvSlot);
}

/** Reads a delivered message from X1..X6 and the IPC buffer into m; returns X0. */
function collect(m: Msg, x0: i64): u32 {
  if (x0 != 0) return <u32>x0;
  const mi = <u64>reg(1);
  m.label = mi >> MI_LABEL_SHIFT;
  let len = <i32>(mi & MI_LENGTH_MASK);
  if (len > MSG_MAX_WORDS) len = MSG_MAX_WORDS;
  m.len = len;
  m.ncaps = <i32>((mi >> MI_EXTRA_CAPS_SHIFT) & MI_EXTRA_CAPS_MASK);
  m.badge = <u64>reg(6);
  m.setWord(0, <u64>reg(2));
  m.setWord(1, <u64>reg(3));
  m.setWord(2, <u64>reg(4));
  m.setWord(3, <u64>reg(5));
  if (len > MSG_REG_WORDS) memory.copy(m.buf + (<usize>MSG_REG_WORDS << 3), BUF_WORDS, <usize>(len - MSG_REG_WORDS) << 3);
  m.rd = 0;
  m.capIndex = 0;
  m.bad = false;
  return 0;
}

/** Call: sends m on ep and waits for the reply, which replaces m. */
export function ipcCall(ep: u64, m: Msg): u32 {
  const h = ipcHook;
  if (h) return h(ep, m);
  stage(m);
  return collect(m, svc(SYS_CALL, <i64>ep, info(m), w(m, 0), w(m, 1), w(m, 2), w(m, 3)));
}

/** Send (blocking) m on a capability: an endpoint, or a saved reply capability (a deferred reply). */
export function ipcSend(cap: u64, m: Msg): u32 {
  stage(m);
  return <u32>svc(SYS_SEND, <i64>cap, info(m), w(m, 0), w(m, 1), w(m, 2), w(m, 3));
}

/** NBSend: delivers m only if a receiver is waiting on `cap`, else WOULD_BLOCK; never blocks. */
export function ipcNbSend(cap: u64, m: Msg): u32 {
  stage(m);
  return <u32>svc(SYS_NBSEND, <i64>cap, info(m), w(m, 0), w(m, 1), w(m, 2), w(m, 3));
}

/** Blocking receive on an endpoint (or notification) into m. */
export function ipcRecv(ep: u64, m: Msg): u32 {
  store<u64>(IPCBUF_VA + IPCBUF_RECV_SLOT, m.recvSlot);
  return collect(m, svc(SYS_RECV, <i64>ep, 0, 0, 0, 0, 0));
}

/** Non-blocking receive into m; WOULD_BLOCK when nothing is waiting. */
export function ipcNbRecv(ep: u64, m: Msg): u32 {
  store<u64>(IPCBUF_VA + IPCBUF_RECV_SLOT, m.recvSlot);
  return collect(m, svc(SYS_NBRECV, <i64>ep, 0, 0, 0, 0, 0));
}

/** Replies with m to the last caller (nothing happens when there is none). */
export function ipcReply(m: Msg): u32 {
  stage(m);
  return <u32>svc(SYS_REPLY, 0, info(m), w(m, 0), w(m, 1), w(m, 2), w(m, 3));
}

/** Replies with m to the last caller, then receives the next message into m. */
export function ipcReplyRecv(ep: u64, m: Msg): u32 {
  stage(m);
  return collect(m, svc(SYS_REPLY_RECV, <i64>ep, info(m), w(m, 0), w(m, 1), w(m, 2), w(m, 3)));
}
