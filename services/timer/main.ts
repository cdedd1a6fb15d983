// timer — virtual time for user space (abi/protocols/timer.json): sleep, deadlines and periodic
// alarms, on the core's EL1 virtual timer. The kernel lends that timer to this service as an
// IRQHandler (slot 6, its notification bound to this thread): IRQHandler.SetDeadline programs
// CNTV_CVAL and unmasks it, and when the counter reaches it the kernel masks the timer and signals
// the notification (docs/SYSCALLS.md §4). The counter itself is read from the AIC timebase page,
// mapped read-only at 0x4000. Times are counter ticks (24 MHz): virtual time, never wall-clock.
//
// Waiting clients: `sleep`/`deadline` keep the caller's reply capability and answer at the
// deadline (the caller is blocked in Call meanwhile); `alarm` keeps a notification capability the
// client passed and signals it, once or periodically — the form a client that must never block on
// this service (init, the supervisor) uses. The hardware timer is always set to the earliest
// deadline of all of them.

import { Msg, DEFER } from "../lib-ext/msg";
import { ipcRecv, ipcReplyRecv, ipcSend, invoke, methodOut, svc, SYS_NBSEND } from "../lib-ext/ipc";
import { SLOT_SELF, SLOT_IRQ, saveCaller, allocSlot, freeSlot, deleteSlot, answerPing, collectGarbage } from "../lib-ext/rt";
import * as timer from "../gen/timer";
import * as E from "../gen/errors";
import { IRQ_HANDLER_SET_DEADLINE } from "../lib/abi";

const TIMEBASE: usize = 0x4000; // AIC timebase page: counter at +0x20 (low) / +0x28 (high)
const FREQ: u32 = 24_000_000; // CNTFRQ of the M1's system counter
const NEVER: u64 = 0xffff_ffff_ffff_ffff;
const TIMER_BIT: u64 = 1; // the vtimer's signal on the bound notification
const MAX_SLEEPERS = 24;
const MAX_ALARMS = 16;

/** The system counter (read high, low, high: the low word may wrap between the reads). */
function now(): u64 {
  const hi1 = load<u32>(TIMEBASE + 0x28);
  const lo = load<u32>(TIMEBASE + 0x20);
  const hi2 = load<u32>(TIMEBASE + 0x28);
  return (<u64>hi2 << 32) | <u64>(hi1 == hi2 ? lo : load<u32>(TIMEBASE + 0x20));
}

class Sleeper { constructor(public at: u64, public reply: u64) {} }
class Alarm { constructor(public badge: u64, public at: u64, public period: u64, public ntfn: u64) {} }
const sleepers = new Array<Sleeper>();
const alarms = new Array<Alarm>();
const wakeMsg = new Msg();

/** Answers every sleeper and signals every alarm whose time has come. */
function expire(t: u64): void {
  for (let i = 0; i < sleepers.length; ) {
    const s = sleepers[i];
    if (s.at > t) { i++; continue; }
    wakeMsg.reset(0);
    wakeMsg.putU64(t);
    ipcSend(s.reply, wakeMsg); // a reply capability never blocks; a vanished caller is ignored
    freeSlot(s.reply);
    sleepers.splice(i, 1);
  }
  for (let i = 0; i < alarms.length; ) {
    const a = alarms[i];
    if (a.at > t) { i++; continue; }
    // NBSend: a notification is signalled; whatever else a client passed can never block us
    svc(SYS_NBSEND, <i64>a.ntfn, 0, 0, 0, 0, 0);
    if (a.period == 0) { freeSlot(a.ntfn); alarms.splice(i, 1); continue; }
    a.at += a.period;
    if (a.at <= t) a.at = t + a.period; // late: the missed ticks are not replayed
    i++;
  }
}

/** Sets the hardware to the earliest deadline; loops while that deadline has already passed. */
function rearm(): void {
  for (;;) {
    let next = NEVER;
    for (let i = 0; i < sleepers.length; i++) if (sleepers[i].at < next) next = sleepers[i].at;
    for (let i = 0; i < alarms.length; i++) if (alarms[i].at < next) next = alarms[i].at;
    if (invoke(SLOT_IRQ, IRQ_HANDLER_SET_DEADLINE, 1, next, 0, 0, 0) != 0) return;
    if (next == NEVER || next > unchecked(methodOut[0])) return;
    expire(now());
  }
}

function addSleeper(at: u64): u32 {
  if (sleepers.length >= MAX_SLEEPERS) return E.TOO_MANY;
  const slot = allocSlot();
  if (slot == 0) return E.TOO_MANY;
  if (saveCaller(slot) != 0) { freeSlot(slot); return E.TOO_MANY; }
  sleepers.push(new Sleeper(at, slot));
  return DEFER;
}

function findAlarm(badge: u64): i32 {
  for (let i = 0; i < alarms.length; i++) if (alarms[i].badge == badge) return i;
  return -1;
}

/** The receive slot a client's capability (alarm's notification) lands in. */
let recvSlot: u64 = 0;
let recvKept = false;

class TimerServer extends timer.Server {
  now(badge: u64, out: timer.NowReply): u32 {
    out.ticks = now(); out.freq = FREQ;
    return 0;
  }
  sleep(badge: u64, ticks: u64, out: timer.SleepReply): u32 {
    const t = now();
    return addSleeper(ticks > NEVER - t ? NEVER : t + ticks);
  }
  deadline(badge: u64, at: u64, out: timer.DeadlineReply): u32 {
    return addSleeper(at);
  }
  alarm(badge: u64, at: u64, period: u64, ntfn: u64): u32 {
    if (ntfn == 0) return E.INVALID;
    const i = findAlarm(badge);
    if (i >= 0) { freeSlot(alarms[i].ntfn); alarms.splice(i, 1); }
    if (alarms.length >= MAX_ALARMS) return E.TOO_MANY;
    alarms.push(new Alarm(badge, at, period, ntfn));
    recvKept = true;
    return 0;
  }
  cancel(badge: u64): u32 {
    const i = findAlarm(badge);
    if (i < 0) return E.NO_ENTRY;
    freeSlot(alarms[i].ntfn);
    alarms.splice(i, 1);
    return 0;
  }
}

// A deadline a previous instance left set is forgotten: nothing is due until a client asks.
rearm();

const m = new Msg();
const server = new TimerServer();
recvSlot = allocSlot();
m.recvSlot = recvSlot;
let e = ipcRecv(SLOT_SELF, m);
while (true) {
  collectGarbage(); // here no managed object lives only in a local (lib-ext/rt.ts)
  let reply = false;
  recvKept = false;
  if (e == 0) {
    if (m.label == 0 && m.len == 0) {
      answerPing(m.badge);
      if ((m.badge & TIMER_BIT) != 0) expire(now());
    } else {
      reply = timer.dispatch(m, server);
    }
  }
  // a capability that arrived and was not kept is dropped, so the receive slot is empty again
  if (recvKept) { recvSlot = allocSlot(); m.recvSlot = recvSlot; }
  else if (e == 0 && m.ncaps > 0) deleteSlot(recvSlot);
  rearm();
  e = reply ? ipcReplyRecv(SLOT_SELF, m) : ipcRecv(SLOT_SELF, m);
}
