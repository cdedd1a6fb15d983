// sys.ts — the system calls (docs/SYSCALLS.md §2), one thin wrapper each around the `mlk.svc`
// import, and the readers of what the last one returned.
//
// A syscall is `svc(nr, X0..X5)`: X0 = a capability, X1 = message info (label << 12 | extraCaps << 7
// | length), X2..X5 = message words 0..3. It returns X0: an error code (abi/errors.json, 0 = ok).
// After it, reg(1) holds the received message info, reg(2..5) words 0..3 and reg(6) the badge.

import {
  SYS_CALL, SYS_SEND, SYS_NBSEND, SYS_RECV, SYS_NBRECV, SYS_REPLY, SYS_REPLY_RECV, SYS_YIELD, SYS_EXIT,
  MI_LABEL_SHIFT, MI_EXTRA_CAPS_SHIFT, MI_EXTRA_CAPS_MASK, MI_LENGTH_MASK,
} from "./abi";

/** The trap into the kernel: syscall `nr` with X0..X5; returns X0. */
// @ts-ignore: decorator
@external("mlk", "svc") export declare function svc(nr: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64;
/** Reads register Xi as the last syscall left it (no trap). */
// @ts-ignore: decorator
@external("mlk", "reg") export declare function reg(i: i32): i64;

/** Message info for X1: a label, the number of extra capabilities (≤ 3) and of words (≤ 64). */
// @ts-ignore: decorator
@inline export function msgInfo(label: u64, extraCaps: u32, length: u32): i64 {
  return <i64>((label << MI_LABEL_SHIFT) | (<u64>(extraCaps & MI_EXTRA_CAPS_MASK) << MI_EXTRA_CAPS_SHIFT) | <u64>(length & MI_LENGTH_MASK));
}

// ---- what the last syscall returned ---------------------------------------------------------------
/** Label of the message just received (or of a method's reply). */
// @ts-ignore: decorator
@inline export function infoLabel(): u64 { return <u64>reg(1) >> MI_LABEL_SHIFT; }
/** Number of words of the message just received. */
// @ts-ignore: decorator
@inline export function infoLength(): u32 { return <u32>reg(1) & MI_LENGTH_MASK; }
/** Number of capabilities that came with the message just received. */
// @ts-ignore: decorator
@inline export function infoExtraCaps(): u32 { return (<u32>reg(1) >> MI_EXTRA_CAPS_SHIFT) & MI_EXTRA_CAPS_MASK; }
/** Word i (0..3) of the message just received, or result i of a method. */
// @ts-ignore: decorator
@inline export function mr(i: i32): i64 { return reg(2 + i); }
/** Badge of the capability the message came through; after wait/poll: the notification word. */
// @ts-ignore: decorator
@inline export function badge(): i64 { return reg(6); }

// ---- IPC ------------------------------------------------------------------------------------------
/** Call: sends to `cap` and waits for the reply (on a kernel object: a method call). */
export function call(cap: u64, info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): u32 {
  return <u32>svc(SYS_CALL, <i64>cap, info, m0, m1, m2, m3);
}
/** Send: sends to an endpoint (blocks until received) or signals a notification. */
export function send(cap: u64, info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): u32 {
  return <u32>svc(SYS_SEND, <i64>cap, info, m0, m1, m2, m3);
}
/** NBSend: sends only if a receiver is waiting, else returns WOULD_BLOCK; never blocks. */
export function nbSend(cap: u64, info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): u32 {
  return <u32>svc(SYS_NBSEND, <i64>cap, info, m0, m1, m2, m3);
}
/** Recv: waits for a message on an endpoint (or a signal on a notification). */
export function recv(cap: u64): u32 { return <u32>svc(SYS_RECV, <i64>cap, 0, 0, 0, 0, 0); }
/** NBRecv: takes a waiting message, else returns WOULD_BLOCK; never blocks. */
export function nbRecv(cap: u64): u32 { return <u32>svc(SYS_NBRECV, <i64>cap, 0, 0, 0, 0, 0); }
/** Reply: answers the last Call received (nothing happens when there is none). */
export function reply(info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): u32 {
  return <u32>svc(SYS_REPLY, 0, info, m0, m1, m2, m3);
}
/** ReplyRecv: replies to the last caller, then waits on `cap` in one step (the server loop). */
export function replyRecv(cap: u64, info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): u32 {
  return <u32>svc(SYS_REPLY_RECV, <i64>cap, info, m0, m1, m2, m3);
}

// ---- notifications: Signal = Send, Wait = Recv, Poll = NBRecv -------------------------------------
/** Signals a notification: ORs the capability's badge into its word. */
export function signal(ntfn: u64): u32 { return send(ntfn, 0); }
/** Waits until the notification's word is non-zero; the word is then in badge(). */
export function wait(ntfn: u64): u32 { return recv(ntfn); }
/** Takes the notification's word (in badge()) if non-zero, else returns WOULD_BLOCK. */
export function poll(ntfn: u64): u32 { return nbRecv(ntfn); }

// ---- the thread -----------------------------------------------------------------------------------
/** Gives up the rest of the time slice. */
export function yieldCpu(): void { svc(SYS_YIELD, 0, 0, 0, 0, 0, 0); }
/** Ends the thread with `code` (its fault handler, if any, gets an Exit fault). */
export function exit(code: i64): void { svc(SYS_EXIT, code, 0, 0, 0, 0, 0); }
