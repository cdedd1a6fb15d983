// tqueue.ts — the FIFO of blocked threads that endpoints and notifications both keep: a head and a
// tail TCB id at adjacent u32 fields of the object, linked through the TCBs' epNext/epPrev.
//
//   ┌ +0 head: u32 ┬ +4 tail: u32 ┐   (Endpoint.qHead at 0x10, Notification.qHead at 0x18)

import { tcb } from "./thread";

// @ts-ignore: decorator
@unmanaged class ThreadQueue {
  head: u32;
  tail: u32;
}

/** Appends thread t to the queue whose head field is at address q. */
// @ts-ignore: decorator
@inline export function tqAppend(q: usize, t: u32): void {
  let x = changetype<ThreadQueue>(q);
  let th = tcb(t);
  th.epNext = 0;
  th.epPrev = x.tail;
  if (x.tail != 0) tcb(x.tail).epNext = t; else x.head = t;
  x.tail = t;
}

/** Unlinks thread t from the queue whose head field is at address q; t is no longer blocked on it. */
// @ts-ignore: decorator
@inline export function tqRemove(q: usize, t: u32): void {
  let x = changetype<ThreadQueue>(q);
  let th = tcb(t);
  if (th.epPrev != 0) tcb(th.epPrev).epNext = th.epNext; else x.head = th.epNext;
  if (th.epNext != 0) tcb(th.epNext).epPrev = th.epPrev; else x.tail = th.epPrev;
  th.epNext = 0;
  th.epPrev = 0;
  th.blockedOn = 0;
}
