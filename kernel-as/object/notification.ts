// notification.ts — asynchronous signals: one word of badge bits (seL4 src/object/notification.c).
//
// Signal ORs the badge of the cap used into the word and wakes the first waiter (which takes the
// whole word and clears it). Wait blocks while the word is 0; Poll never blocks. A notification
// bound to a TCB (TCB.BindNotification) also wakes that thread while it is blocked in Recv on an
// endpoint. IRQs signal the notification their handler is bound to.
// Invariant 5: waiters exist only while the word is 0.

import { DEBUG } from "./structures";
import {
  Notification, TS_BLOCKED_NTFN, TS_BLOCKED_RECV, E_OK, E_WOULD_BLOCK, E_CANCELLED, msgInfo,
} from "./structures";
import { tcb, setBlocked, makeReady } from "../kernel/thread";
import { cancelEndpointIPC } from "./endpoint";
import { tr, tidOf } from "../kernel/ktrace";
import { TRACE_SIGNAL } from "../abi";
import { tqAppend, tqRemove } from "../kernel/tqueue";

// @ts-ignore: decorator
@inline export function ntfn(a: u32): Notification { return changetype<Notification>(<usize>a); }

function nAppend(n: u32, t: u32): void {
  tqAppend(<usize>n + offsetof<Notification>("qHead"), t);
}

function nRemove(n: u32, t: u32): void {
  tqRemove(<usize>n + offsetof<Notification>("qHead"), t);
}

/** Delivers `word` to thread t as a completed notification receive. */
function deliver(t: u32, word: u64): void {
  let th = tcb(t);
  th.r0 = E_OK;
  th.r1 = msgInfo(0, 0, 0, 0);
  th.r6 = word;
}

/** Signal with `badge` from thread `from` (0 = the kernel, e.g. an IRQ). Returns the woken thread or 0. */
export function sendSignal(n: u32, badge: u64, from: u32): u32 {
  let x = ntfn(n);
  let woken: u32 = 0;
  if (x.qHead != 0) {
    if (DEBUG) assert(x.word == 0, "sendSignal: waiters with a non-zero word");
    woken = x.qHead;
    nRemove(n, woken);
    deliver(woken, x.word | badge);
    x.word = 0;
    makeReady(woken);
  } else if (x.boundTcb != 0 && tcb(x.boundTcb).state == TS_BLOCKED_RECV) {
    woken = x.boundTcb;
    cancelEndpointIPC(woken);
    deliver(woken, x.word | badge);
    x.word = 0;
    makeReady(woken);
  } else {
    x.word |= badge;
  }
  tr(TRACE_SIGNAL, tidOf(from), n, <u32>badge, tidOf(woken));
  return woken;
}

/** Wait (blocking) or Poll on notification n by thread t. */
export function receiveSignal(t: u32, n: u32, blocking: bool): u64 {
  let x = ntfn(n);
  if (x.word != 0) {
    deliver(t, x.word);
    x.word = 0;
    return E_OK;
  }
  if (!blocking) {
    deliver(t, 0);
    return E_WOULD_BLOCK;
  }
  tcb(t).blockedOn = n;
  setBlocked(t, TS_BLOCKED_NTFN);
  nAppend(n, t);
  return E_OK;
}

/** Before t blocks in Recv on an endpoint: a pending word on its bound notification wins. */
export function notificationPendingForRecv(t: u32): bool {
  let b = tcb(t).boundNtfn;
  if (b == 0) return false;
  let x = ntfn(b);
  if (x.word == 0) return false;
  deliver(t, x.word);
  x.word = 0;
  return true;
}

/** Takes a thread blocked in Wait off the queue. */
export function cancelSignalWait(t: u32): void {
  let th = tcb(t);
  if (th.blockedOn != 0) nRemove(th.blockedOn, t);
}

/** The notification dies: waiters wake with E_CANCELLED, a bound TCB is unbound. */
export function notificationCancelAll(n: u32): void {
  let x = ntfn(n);
  while (x.qHead != 0) {
    let t = x.qHead;
    nRemove(n, t);
    tcb(t).r0 = E_CANCELLED;
    makeReady(t);
  }
  if (x.boundTcb != 0) { tcb(x.boundTcb).boundNtfn = 0; x.boundTcb = 0; }
}
