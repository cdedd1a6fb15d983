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

import {
  Msg, DEFER, SLOT_SELF, SLOT_IRQ, SLOT_CNODE, ipcSend, nbSend, mr, irqSetDeadline, cnodeSaveCaller, allocSlot, freeSlot,
  keepCap, readCounter, COUNTER_HZ, serve,
} from "../lib";
import * as timer from "../gen/timer";
import * as E from "../gen/errors";

const TIMEBASE: usize = 0x4000; // the AIC timebase page (services/manifest.json)
const NEVER: u64 = 0xffff_ffff_ffff_ffff;
const TIMER_BIT: u64 = 1; // the vtimer's signal on the bound notification
const MAX_SLEEPERS = 24;
const MAX_ALARMS = 16;

/** The system counter. */
function now(): u64 { return readCounter(TIMEBASE); }

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
    nbSend(a.ntfn, 0);
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
    if (irqSetDeadline(SLOT_IRQ, next) != 0) return;
    if (next == NEVER || next > <u64>mr(0)) return; // mr(0): the counter when the deadline was set
    expire(now());
  }
}

function addSleeper(at: u64): u32 {
  if (sleepers.length >= MAX_SLEEPERS) return E.TOO_MANY;
  const slot = allocSlot();
  if (slot == 0) return E.TOO_MANY;
  if (cnodeSaveCaller(SLOT_CNODE, slot) != 0) { freeSlot(slot); return E.TOO_MANY; }
  sleepers.push(new Sleeper(at, slot));
  return DEFER;
}

function findAlarm(badge: u64): i32 {
  for (let i = 0; i < alarms.length; i++) if (alarms[i].badge == badge) return i;
  return -1;
}

class TimerServer extends timer.Server {
  /** alarm() passes a notification capability. */
  constructor() { super(); this.acceptsCaps = true; }
  now(badge: u64, out: timer.NowReply): u32 {
    out.ticks = now(); out.freq = COUNTER_HZ;
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
    alarms.push(new Alarm(badge, at, period, keepCap()));
    return 0;
  }
  cancel(badge: u64): u32 {
    const i = findAlarm(badge);
    if (i < 0) return E.NO_ENTRY;
    freeSlot(alarms[i].ntfn);
    alarms.splice(i, 1);
    return 0;
  }
  /** The virtual timer fired (init's heartbeat pings are answered by serve). */
  notified(bits: u64): void {
    if ((bits & TIMER_BIT) != 0) expire(now());
  }
  /** After every message the hardware is set to the earliest deadline. */
  after(): void { rearm(); }
}

// A deadline a previous instance left set is forgotten: nothing is due until a client asks.
rearm();

serve(SLOT_SELF, new TimerServer());
