// thread.ts — thread states, the ready queues and the scheduler (seL4 src/kernel/thread.c).
//
// Fixed-priority preemptive scheduling, 32 levels (31 highest), round-robin within a level.
// The current thread is *not* on a ready queue (state RUNNING); every READY thread is on exactly
// one queue (invariant 3). A timer FIQ charges one tick to the current thread's slice; an expired
// slice sends it to the tail of its level. A thread woken at a higher priority than the current one
// preempts it at the next kernel exit; the preempted thread goes back to the *head* of its level so
// it keeps its turn (seL4 tcbSchedEnqueue). With nothing runnable the kernel idles in WFI.

import { DEBUG } from "../object/structures";
import { msr, SYSREG_TTBR0_EL1 } from "../arch";
import { traceSwitch } from "./ktrace";
import {
  Tcb, VSpace, TS_RUNNING, TS_READY, tcbSlot, TS_VTABLE, T_VSPACE,
} from "../object/structures";

export const NUM_PRIOS: u32 = 32;
export const MAX_PRIO: u32 = 31;
/** Timer ticks (FIQs) a thread runs before round-robin moves it to the tail of its level. */
export const TIMESLICE: u32 = 2;

const readyHead: usize = memory.data(<i32>NUM_PRIOS * 4, 4);
const readyTail: usize = memory.data(<i32>NUM_PRIOS * 4, 4);
let readyBitmap: u32 = 0;

/** The running thread (TCB linear address), 0 = idle. */
export let cur: u32 = 0;
/** TTBR0 value currently installed (avoids redundant MSRs). */
let ttbr0Now: u64 = 0;
/** Context switches performed (introspection / bench). */
export let switches: u64 = 0;
/** Number of threads ever created (tid allocator). */
let nextTid: u32 = 1;

export function allocTid(): u32 { return nextTid++; }

// @ts-ignore: decorator
@inline export function tcb(a: u32): Tcb { return changetype<Tcb>(<usize>a); }

function headAt(p: u32): u32 { return load<u32>(readyHead + (<usize>p << 2)); }
function tailAt(p: u32): u32 { return load<u32>(readyTail + (<usize>p << 2)); }
function setHead(p: u32, v: u32): void { store<u32>(readyHead + (<usize>p << 2), v); }
function setTail(p: u32, v: u32): void { store<u32>(readyTail + (<usize>p << 2), v); }

export function readyQueueHead(p: u32): u32 { return headAt(p); }
export function readyBits(): u32 { return readyBitmap; }

/** Appends t to the tail of its priority's queue. Precondition: t is on no queue. */
function schedAppend(a: u32): void {
  let t = tcb(a);
  let p = t.prio;
  t.schedNext = 0;
  t.schedPrev = tailAt(p);
  if (tailAt(p) != 0) tcb(tailAt(p)).schedNext = a; else setHead(p, a);
  setTail(p, a);
  readyBitmap |= 1 << p;
}

/** Puts t at the head of its priority's queue. Precondition: t is on no queue. */
function schedPrepend(a: u32): void {
  let t = tcb(a);
  let p = t.prio;
  t.schedPrev = 0;
  t.schedNext = headAt(p);
  if (headAt(p) != 0) tcb(headAt(p)).schedPrev = a; else setTail(p, a);
  setHead(p, a);
  readyBitmap |= 1 << p;
}

/** Removes t from its ready queue. Precondition: t is READY. */
export function schedDequeue(a: u32): void {
  let t = tcb(a);
  let p = t.prio;
  if (t.schedPrev != 0) tcb(t.schedPrev).schedNext = t.schedNext; else setHead(p, t.schedNext);
  if (t.schedNext != 0) tcb(t.schedNext).schedPrev = t.schedPrev; else setTail(p, t.schedPrev);
  t.schedNext = 0;
  t.schedPrev = 0;
  if (headAt(p) == 0) readyBitmap &= ~(1 << p);
}

/** Highest priority with a ready thread, or -1. */
export function highestReady(): i32 {
  return readyBitmap == 0 ? -1 : 31 - <i32>clz(readyBitmap);
}

/**
 * Makes a blocked/inactive thread runnable: READY at the tail of its level. The switch (if it
 * outranks the current thread) happens in schedule() at kernel exit.
 */
export function makeReady(a: u32): void {
  let t = tcb(a);
  if (DEBUG) assert(t.state != TS_READY && t.state != TS_RUNNING, "makeReady: already runnable");
  t.state = TS_READY;
  schedAppend(a);
}

/**
 * Takes a thread out of the runnable set (it is about to block or stop). If it is the current
 * thread, schedule() will pick another one.
 */
export function setBlocked(a: u32, state: u32): void {
  let t = tcb(a);
  if (t.state == TS_READY) schedDequeue(a);
  t.state = state;
}

let sliceExpired = false;

/**
 * Timer tick: charge the current thread one tick period of CPU time (statistical accounting, as in
 * classic Unix: no clock read on every switch) and its slice; an exhausted slice triggers round robin.
 */
export function schedTick(period: u64): void {
  if (cur == 0) return;
  let t = tcb(cur);
  t.cpuTicks += period;
  if (t.slice > 0) t.slice--;
  if (t.slice == 0) sliceExpired = true;
}

/** Yield: the current thread goes to the tail of its level. */
export function schedYield(): void {
  if (cur == 0) return;
  sliceExpired = true;
}

/**
 * Chooses the thread to run at kernel exit and installs its address space. Returns the TCB
 * linear address (0 = idle).
 */
export function schedule(): u32 {
  let c = cur;
  let best = highestReady();
  if (c != 0 && tcb(c).state == TS_RUNNING) {
    let ct = tcb(c);
    if (sliceExpired) {
      sliceExpired = false;
      ct.slice = TIMESLICE;
      if (best >= <i32>ct.prio) { ct.state = TS_READY; schedAppend(c); c = 0; }
    } else if (best > <i32>ct.prio) {
      ct.state = TS_READY;
      schedPrepend(c); // preempted: keeps its turn
      c = 0;
    }
    if (c != 0) return c;
  }
  sliceExpired = false;
  best = highestReady();
  let next: u32 = 0;
  if (best >= 0) {
    next = headAt(<u32>best);
    schedDequeue(next);
    tcb(next).state = TS_RUNNING;
    if (tcb(next).slice == 0) tcb(next).slice = TIMESLICE;
  }
  switchTo(next);
  return next;
}

/** Bookkeeping of a switch from `cur` to `next` (address space, counters). */
export function switchTo(next: u32): void {
  if (next == cur) return;
  if (next != 0) {
    tcb(next).switchedIn++; // number of times scheduled
    installVSpace(next);
  }
  switches++;
  traceSwitch(cur, next);
  cur = next;
}

/** Direct switch used by the IPC fastpath: `next` becomes current without a queue operation. */
export function directSwitch(next: u32): void {
  tcb(next).state = TS_RUNNING;
  if (tcb(next).slice == 0) tcb(next).slice = TIMESLICE;
  switchTo(next);
}

/** Loads TTBR0_EL1 with the thread's VSpace (L0 table PA | ASID << 48). */
function installVSpace(a: u32): void {
  let vs = tcbSlot(<usize>a, TS_VTABLE);
  if (vs.type != T_VSPACE) return;
  let v = changetype<VSpace>(<usize>vs.obj);
  let ttbr = v.l0Pa | (<u64>v.asid << 48);
  if (ttbr != ttbr0Now) {
    msr(SYSREG_TTBR0_EL1, ttbr);
    ttbr0Now = ttbr;
  }
}

/** A VSpace dies: if its tables are installed, point TTBR0 at nothing (they are being freed). */
export function vspaceGone(ttbr: u64): void {
  if (ttbr0Now == ttbr) { ttbr0Now = 0; msr(SYSREG_TTBR0_EL1, 0); }
}

/** A TCB is being destroyed: if it is the current thread, the CPU is left with no thread. */
export function threadGone(a: u32): void {
  if (cur == a) cur = 0;
}
