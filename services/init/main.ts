// init — the first user program (pid 1). It receives every capability the kernel does not keep
// (boot-info page at 0x2000), builds each service of the boot manifest (services/gen/manifest.ts)
// from a boot-image file with only the capabilities its entry lists, and then serves the proc
// protocol (abi/protocols/proc.json): name lookup, ps, kill, spawn, caps, mem, args, log.
//
// It is also every service's fault handler. A fault arrives as a message on init's endpoint with
// the FAULT bit in the badge; init then destroys the process (Revoke of its Untyped takes the
// TCB, VSpace, CNode and everything derived from them) and, after an exponential back-off, builds
// it again from the boot image with fresh state — Minix 3's reincarnation server — up to the
// entry's restart limit, with a log line each time. Services whose entry declares a `heartbeat`
// are pinged every period; one that has not answered the previous ping is taken for hung, killed
// and restarted the same way. Endpoints belong to init and outlive their servers, so clients keep
// their capabilities: a call in flight when the server died returns CANCELLED and can be retried,
// and calls queued meanwhile are served by the next instance.
//
// Time comes from the timer service (services/timer): init asks it for an alarm — a signal on
// init's own notification, which is bound to init's thread, so it arrives through the same Recv
// as everything else — and reads the system counter from the AIC timebase page itself.
//
// Names: a process is shown and addressed by its thread's kernel id (tid), the id the trace and
// the playground's panels use; init reads it, and the thread's state for ps, from the kernel
// (TCB.GetInfo) and names the thread after its manifest entry (TCB.SetName), so "tmpfs" is
// "tmpfs" everywhere. A restarted service has a new thread, hence a new tid.
//
// Authority: every service's proc capability carries init's own index of it (pid) as badge; init adds PRIV_BADGE for
// entries marked `admin` (the shell, the playground agent), and only those may kill and spawn.
//
// init never sends to a service with a blocking operation (Hubris jefe): it receives and replies;
// its log lines go into the log ring the console drains (a shared page and a signal), its alarm
// requests to the timer with a non-blocking send, and it pings services by signalling notifications.

import {
  Msg, T_UNTYPED, T_ENDPOINT, T_NOTIFICATION, T_TCB, T_CNODE, T_VSPACE, T_FRAME, T_DEVICE_FRAME, T_IRQ_CONTROL,
  T_IRQ_HANDLER, T_BOOT_IMAGE, T_IO_SPACE, R_READ, R_WRITE, R_GRANT, R_ALL, F_VM, F_UNKNOWN_SYSCALL, F_USER_EXCEPTION,
  F_EXIT, SLOT_TCB, SLOT_CNODE, SLOT_VSPACE, SLOT_IRQ_CONTROL, SLOT_BOOT_IMAGE, SLOT_PROC, SLOT_SELF, SLOT_IRQ,
  SLOT_FRAME, SLOT_FRAME_MORE, SLOT_NOTIFICATION, SLOT_POOL_FRAME, SLOT_CLIENT_VSPACE, SLOT_IOSPACE, SLOT_HEARTBEAT, SLOT_END, BI_DEV_KIND_TIMEBASE, BI_DEV_KIND_IOSPACE, PING, LOG_SIGNAL, logRingPut, logRingTake, signal, ipcNbSend,
  nbSend, exit, print, retype as untypedRetype, cnodeCopy, cnodeMint, cnodeDelete, cnodeRevoke, tcbSetPriority,
  tcbResume, tcbSuspend, tcbGetInfo, tcbSetName, mr, biInitTid, tcbBindNotification, tcbSetFaultHandler, frameMap, irqControlGet, irqSetNotification,
  spawn as bootImageSpawn, spawnFrom as bootImageSpawnFrom, biPresent, biFirstEmpty, biUntypedCount, biUntypedBits, biUntypedSlot, biFindDevice,
  biDevicePages, biDeviceIrq, biDeviceSlot, biDeviceKind, biFindFile, biKernelPoolPages, readCounter, COUNTER_HZ, serve,
} from "../lib";
import * as proc from "../gen/proc";
import * as timer from "../gen/timer";
import * as E from "../gen/errors";
import { services, ServiceDef, Mapping, SHARED_NAMES, SHARED_PAGES } from "../gen/manifest";

// ---- programs that are not in the boot image (proc.run; docs/EXERCISES.md) ----------------------
// The playground agent writes a compiled program into the shared frame "codebuf"; init maps that
// frame read-only at CODEBUF_VA, copies the image into its own heap (so the process can be
// restarted after the buffer is reused) and has the kernel build the process from the copy
// (BootImage.SpawnFrom). Such a process gets only what its `grants` bits name.
const CODEBUF_VA: usize = 0x6000;
let codebufBytes: u32 = 0;
/** Priority of a run program: below the shell, so a program that spins cannot starve it. */
const RUN_PRIO: u32 = 8;

// ---- init's CSpace plan (radix 10) -------------------------------------------------------------
// 24 processes: the 13 autostarted services and 11 more (spawned, or run from the playground).
// Per process 8 + 24 slots: 768 of the 1024, the rest for the boot-info caps and init's own.
const MAX_PROCS: i32 = 24;
const PROC_SLOTS: u64 = 24; // per process: 0 untyped, 1 TCB, 2 VSpace, 3 CNode, 4 fault EP, 5..19 mapped copies (device and shared pages; at most 14 today: the agent), 20..23 the pager grant's frames
const CHILD_RADIX: u64 = ctz(SLOT_END); // a service's CNode has SLOT_END slots
const UNTYPED_BITS: u64 = 14; // per process: TCB + VSpace + CNode fit in 16 KiB
const RUN_UNTYPED_BITS: u64 = 15; // a run program: the same, plus the pager grant's POOL_FRAMES frames
const POOL_FRAMES: u64 = 4; // frames of the pager grant, slots SLOT_POOL_FRAME..
const POOL_SLOT: u64 = PROC_SLOTS - POOL_FRAMES; // init's copies of them: the last POOL_FRAMES of a process's slots

// ---- badges ----------------------------------------------------------------------------------
// On init's endpoint: pid in the low 16 bits, FAULT_BADGE on fault-handler caps, PRIV_BADGE on the
// proc caps of `admin` entries. On init's notification (bound to its thread; a signal arrives as a
// label-0, length-0 message whose badge is the notification word): NTFN_TAG, which no endpoint
// badge carries, plus ALARM_BIT from the timer or PONG_BIT(index) from a service's heartbeat.
const PID_MASK: u64 = 0xffff;
const FAULT_BADGE: u64 = 1 << 20;
const PRIV_BADGE: u64 = 1 << 21;
const NTFN_TAG: u64 = 1 << 63;
const ALARM_BIT: u64 = 1 << 32;
// @ts-ignore: decorator
@inline function PONG_BIT(index: i32): u64 { return <u64>1 << <u64>index; }

// ---- supervision policy (docs/SERVICES.md "Supervision") --------------------------------------
/** One supervision tick = the kernel's scheduler tick, 10 ms of virtual time (24 MHz counter). */
const TICK: u64 = 240_000;
/** Back-off before restart n (n = 0, 1, …) is 2^n ticks, at most BACKOFF_CAP ticks. */
const BACKOFF_CAP: u32 = 64;
/** A service that ran this long since its last start counts as healthy: back-off starts over. */
const STABLE_TICKS: u64 = 200;

let firstFree: u64 = 0;
let SLOT_EP: u64 = 0; // init's own endpoint
let SLOT_SCRATCH: u64 = 0; // a minted capability on its way to a client
let SLOT_SHARED: u64 = 0; // shared frames: one slot per page of the manifest's `shared` regions
let SLOT_PERSIST: u64 = 0; // per process index: 8 slots (0 served endpoint, 1 IRQ handler, 2 notification)
let SLOT_PROCS: u64 = 0; // per process index: PROC_SLOTS slots
let SLOT_NTFN: u64 = 0; // init's notification, bound to its thread
let SLOT_ALARM: u64 = 0; // a copy badged ALARM_BIT, passed to the timer with each alarm request
let SLOT_TIMER: u64 = 0; // init's capability to the timer service (badge 1, Write + Grant)

// general-purpose Untyped (boot-info records), carved by Retype
const utSlots = new Array<u64>();
const utBits = new Array<u32>();
let totalPages: u32 = 0;
let usedBytes: u64 = 0;

// ---- log ---------------------------------------------------------------------------------------
// init's log lines go into the log ring (services/lib/logring.ts), a shared page the console
// drains onto the terminal between other programs' lines, and init signals the console's
// notification. Writing the ring never waits, so a wedged console cannot block the supervisor
// (Hubris jefe), and the console alone writes the terminal, so a log line never lands inside
// another line. Before the ring and its reader exist, and after the console has failed for good,
// lines go to the kernel's debug output (the boot log).
const LOGRING_VA: usize = 0xe000; // between codebuf (0x6000..0xe000) and the timebase page (0xf000)
let logRing = false;
/** The process that drains the log ring (the manifest entry that maps the shared frame "logring"). */
let logDrain: Proc | null = null;
const LOG_TAKE: usize = memory.data(256);

/** A log line: into the log ring for the console, or to the kernel's debug output while no console will show it. */
function log(s: string): void {
  const line = "init: " + s + "\n";
  const d = logDrain;
  if (logRing && d != null && d.state != ST_FAILED && d.state != ST_STOPPED) {
    const b = String.UTF8.encode(line);
    logRingPut(LOGRING_VA, changetype<usize>(b), <u32>b.byteLength); // a line that does not fit is counted
    if (d.logSignal) signal(d.persist + 4);
    return;
  }
  flushLogRing();
  print(line);
}

/** Lines left in the ring when its reader is gone for good: to the kernel's debug output, in order. */
function flushLogRing(): void {
  if (!logRing) return;
  for (let n = logRingTake(LOGRING_VA, LOG_TAKE, 255); n > 0; n = logRingTake(LOGRING_VA, LOG_TAKE, 255)) {
    store<u8>(LOG_TAKE + n, 0);
    print(String.UTF8.decodeUnsafe(LOG_TAKE, n));
  }
}

/** Whether a manifest entry maps the log ring (and so drains it: the console). */
function drainsLog(def: ServiceDef): bool {
  for (let i = 0; i < def.frames.length; i++) if (def.frames[i].name == "logring") return true;
  return false;
}

/** Maps the shared frame "logring" into init's own address space at LOGRING_VA. */
function mapLogRing(): void {
  const s = sharedSlot("logring");
  if (s != 0 && frameMap(s, SLOT_VSPACE, <u64>LOGRING_VA, R_READ | R_WRITE) == 0) logRing = true;
}

// ---- kernel object helpers ---------------------------------------------------------------------

/** Retype one object of type t (size bits) into slot dest from the general Untyped. */
function retype(t: u64, bits: u64, dest: u64, bytes: u64): u32 {
  let e: u32 = E.NOT_ENOUGH_MEMORY;
  for (let i = 0; i < utSlots.length; i++) {
    e = untypedRetype(utSlots[i], t, bits, dest);
    if (e == 0) { usedBytes += bytes; return 0; }
    if (e != E.NOT_ENOUGH_MEMORY) return e;
  }
  return e;
}
function del(slot: u64): void { cnodeDelete(SLOT_CNODE, slot); }

// ---- devices from boot info ----------------------------------------------------------------------
/** First device-frame slot, pages and IRQ of a device named in boot info ("uart", "block"). */
let devSlot: u64 = 0;
let devPages: u32 = 0;
let devIrq: i32 = -1;
let devKind: u32 = 0;
function findDevice(name: string): bool {
  const i = biFindDevice(name);
  if (i < 0) return false;
  devPages = biDevicePages(i);
  devIrq = biDeviceIrq(i);
  devSlot = <u64>biDeviceSlot(i);
  devKind = biDeviceKind(i);
  return true;
}

/** Slot of the IOSpace capability (DMA stream) the kernel gave for device `name`, or 0. */
function findIoSpace(name: string): u64 {
  const i = biFindDevice(name, BI_DEV_KIND_IOSPACE);
  return i < 0 ? 0 : <u64>biDeviceSlot(i);
}

// ---- the process table -----------------------------------------------------------------------
const ST_NONE: u32 = 0, ST_RUNNING: u32 = 1, ST_RESTARTING: u32 = 2, ST_FAILED: u32 = 3, ST_STOPPED: u32 = 4;

class CapRec {
  constructor(public slot: u32, public kind: u32, public rights: u32, public badge: u64, public what: string) {}
}

class Proc {
  pid: u32 = 0; // init's own key (badges); users see tid
  tid: u32 = 0; // the kernel's id of the running instance's thread, 0 while there is none
  index: i32 = 0; // slot block
  def: ServiceDef;
  state: u32 = ST_NONE;
  restarts: u32 = 0;
  faults: u32 = 0;
  hasUntyped: bool = false;
  hasEndpoint: bool = false;
  irqReady: bool = false;
  ntfnReady: bool = false; // persist+2: notification bound to the thread (IRQ, pings); +3 ping cap
  logSignal: bool = false; // persist+4: that notification badged LOG_SIGNAL (the log ring's reader)
  // back-off: the next restart's exponent, when the running instance started, the pending restart
  backoffExp: u32 = 0;
  startedAt: u64 = 0;
  nextRestart: u64 = 0;
  lastDelay: u32 = 0;
  // heartbeat: the next ping is due at hbDue; hbPending = the last ping is unanswered
  hbDue: u64 = 0;
  hbPending: bool = false;
  caps: Array<CapRec> = new Array<CapRec>();
  /** A program started by proc.run: its image (init's copy) and the capabilities granted. */
  image: Uint8Array | null = null;
  grants: u32 = 0;
  constructor(def: ServiceDef) { this.def = def; }
  get base(): u64 { return SLOT_PROCS + <u64>this.index * PROC_SLOTS; }
  get persist(): u64 { return SLOT_PERSIST + <u64>this.index * 8; }
}

const defs = services();
const procs = new Array<Proc>();
let nextPid: u32 = 2;
let nextIndex: i32 = 0;

function byPid(pid: u32): Proc | null {
  for (let i = 0; i < procs.length; i++) if (procs[i].pid == pid) return procs[i];
  return null;
}
function byTid(tid: u32): Proc | null {
  if (tid == 0) return null;
  for (let i = 0; i < procs.length; i++) if (procs[i].tid == tid) return procs[i];
  return null;
}
function byName(name: string): Proc | null {
  for (let i = 0; i < procs.length; i++) if (procs[i].def.name == name) return procs[i];
  return null;
}

function sharedSlot(name: string): u64 {
  let s = SLOT_SHARED;
  for (let i = 0; i < SHARED_NAMES.length; i++) {
    if (SHARED_NAMES[i] == name) return s;
    s += <u64>SHARED_PAGES[i];
  }
  return 0;
}

/** Creates the objects a process keeps across restarts: its served endpoint. */
function prepare(p: Proc): u32 {
  if (p.def.serves && !p.hasEndpoint) {
    const e = retype(T_ENDPOINT, 0, p.persist, 32);
    if (e) return e;
    p.hasEndpoint = true;
  }
  return 0;
}

/**
 * A notification bound to p's thread carries its IRQ and init's heartbeat pings (kept across
 * restarts, like the endpoint); init keeps a copy badged PING to signal it, and for the log ring's
 * reader one badged LOG_SIGNAL. The IRQ handler of its first `irqs` line signals it (SLOT_IRQ).
 */
function grantSignals(p: Proc, tcb: u64, cn: u64): u32 {
  const def = p.def;
  let e: u32 = 0;
  const logReader = drainsLog(def);
  if (def.irqs.length > 0 || def.heartbeat > 0 || logReader || def.notification) {
    if (!p.ntfnReady) {
      e = retype(T_NOTIFICATION, 0, p.persist + 2, 64);
      if (e) return e;
      e = cnodeMint(SLOT_CNODE, p.persist + 3, p.persist + 2, R_WRITE, PING);
      if (e) return e;
      p.ntfnReady = true;
    }
    if (logReader && !p.logSignal) {
      e = cnodeMint(SLOT_CNODE, p.persist + 4, p.persist + 2, R_WRITE, LOG_SIGNAL);
      if (e) return e;
      p.logSignal = true;
    }
    e = tcbBindNotification(tcb, p.persist + 2);
    if (e) return e;
    // manifest "notification": the service also holds it (slot 6), to hand to the timer or a driver
    if (def.notification) {
      e = cnodeCopy(cn, SLOT_NOTIFICATION, p.persist + 2, R_ALL);
      if (e) return e;
      p.caps.push(new CapRec(<u32>SLOT_NOTIFICATION, <u32>T_NOTIFICATION, <u32>R_ALL, 0, "notification, bound"));
    }
  }
  // IRQ: one handler per line, signalling that notification
  if (def.irqs.length > 0) {
    if (!findDevice(def.irqs[0]) || devIrq < 0) return E.NO_ENTRY;
    if (!p.irqReady) {
      e = irqControlGet(SLOT_IRQ_CONTROL, <u64>devIrq, p.persist + 1);
      if (e) return e;
      e = irqSetNotification(p.persist + 1, p.persist + 2);
      if (e) return e;
      p.irqReady = true;
    }
    e = cnodeCopy(cn, SLOT_IRQ, p.persist + 1, R_ALL);
    if (e) return e;
    p.caps.push(new CapRec(<u32>SLOT_IRQ, <u32>T_IRQ_HANDLER, <u32>R_ALL, 0, "irq " + devIrq.toString() + " (" + def.irqs[0] + "), notification bound"));
  }
  return 0;
}

/** Builds the process from its program and starts it. */
function start(p: Proc): u32 {
  const b = p.base;
  const def = p.def;
  p.caps = new Array<CapRec>();
  let e: u32 = 0;
  if (!p.hasUntyped) {
    // a run program may get the pager's frames too: its Untyped is twice the size
    const bits = p.image != null ? RUN_UNTYPED_BITS : UNTYPED_BITS;
    e = retype(T_UNTYPED, bits, b, <u64>1 << bits);
    if (e) return e;
    p.hasUntyped = true;
  }
  const tcb = b + 1, vs = b + 2, cn = b + 3;
  const image = p.image;
  if (image != null) {
    const where = <u64>image.dataStart | (<u64>image.length << 32);
    e = bootImageSpawnFrom(SLOT_BOOT_IMAGE, where, <u64>def.prio, b + 1, CHILD_RADIX, b);
  } else {
    const file = biFindFile(def.program + ".wasm");
    if (file < 0) return E.NO_ENTRY;
    e = bootImageSpawn(SLOT_BOOT_IMAGE, <u64>file, <u64>def.prio, b + 1, CHILD_RADIX, b);
  }
  if (e) return e;
  e = tcbSetName(tcb, def.name);
  if (e) return e;
  e = tcbGetInfo(tcb);
  if (e) return e;
  p.tid = <u32>mr(0);
  p.caps.push(new CapRec(<u32>SLOT_TCB, <u32>T_TCB, <u32>R_ALL, 0, "own thread"));
  p.caps.push(new CapRec(<u32>SLOT_CNODE, <u32>T_CNODE, <u32>R_ALL, 0, "own cspace"));
  p.caps.push(new CapRec(<u32>SLOT_VSPACE, <u32>T_VSPACE, <u32>R_ALL, 0, "own vspace"));
  // 4: init (proc), badged with the pid (and the privilege to kill and spawn for `admin`
  // entries); Grant so lookups can return capabilities
  const procBadge = <u64>p.pid | (def.admin ? PRIV_BADGE : 0);
  e = cnodeMint(cn, SLOT_PROC, SLOT_EP, R_WRITE | R_GRANT, procBadge);
  if (e) return e;
  p.caps.push(new CapRec(<u32>SLOT_PROC, <u32>T_ENDPOINT, <u32>(R_WRITE | R_GRANT), procBadge, "endpoint init (proc" + (def.admin ? ", privileged)" : ")")));
  // 5: the endpoint it serves
  if (def.serves) {
    const selfRights = R_READ | R_WRITE | (def.capReplies ? R_GRANT : 0); // capReplies: it mints caps from this one
    e = cnodeCopy(cn, SLOT_SELF, p.persist, selfRights);
    if (e) return e;
    p.caps.push(new CapRec(<u32>SLOT_SELF, <u32>T_ENDPOINT, <u32>selfRights, 0, "endpoint " + def.name + " (serves)"));
  }
  // 6: a notification of its own (proc.run grant NOTIFICATION), kept across restarts
  if ((p.grants & proc.GRANTS_NOTIFICATION) != 0) {
    if (!p.ntfnReady) {
      e = retype(T_NOTIFICATION, 0, p.persist + 2, 64);
      if (e) return e;
      p.ntfnReady = true;
    }
    e = cnodeCopy(cn, SLOT_NOTIFICATION, p.persist + 2, R_ALL);
    if (e) return e;
    p.caps.push(new CapRec(<u32>SLOT_NOTIFICATION, <u32>T_NOTIFICATION, <u32>R_ALL, 0, "notification (granted)"));
  }
  // device pages, mapped by init at the manifest's addresses (init keeps the mapped copy)
  let k: u64 = 5;
  for (let i = 0; i < def.devices.length; i++) {
    const d = def.devices[i];
    if (!findDevice(d.name)) return E.NO_ENTRY;
    const rights = devKind == BI_DEV_KIND_TIMEBASE ? R_READ : R_READ | R_WRITE;
    for (let j: u32 = 0; j < devPages; j++) {
      if (k >= POOL_SLOT) return E.TOO_MANY;
      e = cnodeCopy(SLOT_CNODE, b + k, devSlot + <u64>j, rights);
      if (e) return e;
      e = frameMap(b + k, vs, d.va + (<u64>j << 12), rights);
      if (e) return e;
      k++;
    }
    p.caps.push(new CapRec(0, <u32>T_DEVICE_FRAME, <u32>rights, 0, "device " + d.name + " mapped at 0x" + d.va.toString(16)));
  }
  e = grantSignals(p, tcb, cn);
  if (e) return e;
  // the device's DMA stream: its IOSpace capability goes to SLOT_IOSPACE (the driver maps its own buffers)
  if (def.iospaces.length > 0) {
    const io = findIoSpace(def.iospaces[0]);
    if (io == 0) return E.NO_ENTRY;
    e = cnodeCopy(cn, SLOT_IOSPACE, io, R_ALL);
    if (e) return e;
    p.caps.push(new CapRec(<u32>SLOT_IOSPACE, <u32>T_IO_SPACE, <u32>R_ALL, 0, "iospace " + def.iospaces[0] + " (DMA stream)"));
  }
  // heartbeat: SLOT_HEARTBEAT signals init's notification with this process's pong bit
  if (def.heartbeat > 0) {
    const pong = NTFN_TAG | PONG_BIT(p.index);
    e = cnodeMint(cn, SLOT_HEARTBEAT, SLOT_NTFN, R_WRITE, pong);
    if (e) return e;
    p.caps.push(new CapRec(<u32>SLOT_HEARTBEAT, <u32>T_NOTIFICATION, <u32>R_WRITE, pong, "notification init (heartbeat)"));
  }
  // shared frames: mapped by init; the first one's capability also goes to SLOT_FRAME
  for (let i = 0; i < def.frames.length; i++) {
    const f = def.frames[i];
    const s = sharedSlot(f.name);
    let pages: u32 = 1;
    for (let x = 0; x < SHARED_NAMES.length; x++) if (SHARED_NAMES[x] == f.name) pages = SHARED_PAGES[x];
    for (let j: u32 = 0; j < pages; j++) {
      if (k >= POOL_SLOT) return E.TOO_MANY;
      e = cnodeCopy(SLOT_CNODE, b + k, s + <u64>j, R_READ | R_WRITE);
      if (e) return e;
      e = frameMap(b + k, vs, f.va + (<u64>j << 12), R_READ | R_WRITE);
      if (e) return e;
      k++;
    }
    if (i == 0) {
      e = cnodeCopy(cn, SLOT_FRAME, s, R_READ | R_WRITE);
      if (e) return e;
      // its further pages go to slots 10.. (SLOT_FRAME_MORE): a DMA driver maps each for its device
      for (let j: u32 = 1; j < pages && j < 7; j++) {
        e = cnodeCopy(cn, SLOT_FRAME_MORE - 1 + <u64>j, s + <u64>j, R_READ | R_WRITE);
        if (e) return e;
      }
    }
    p.caps.push(new CapRec(i == 0 ? <u32>SLOT_FRAME : 0, <u32>T_FRAME, <u32>(R_READ | R_WRITE), 0, "frame " + f.name + " mapped at 0x" + f.va.toString(16)));
  }
  // pager grant: free frames of its own to map into its client (docs/EXERCISES.md "pager")
  if ((p.grants & proc.GRANTS_PAGER) != 0) {
    e = untypedRetype(b, T_FRAME, 0, b + POOL_SLOT, POOL_FRAMES);
    if (e) return e;
    for (let j: u64 = 0; j < POOL_FRAMES; j++) {
      e = cnodeCopy(cn, SLOT_POOL_FRAME + j, b + POOL_SLOT + j, R_READ | R_WRITE);
      if (e) return e;
    }
    p.caps.push(new CapRec(<u32>SLOT_POOL_FRAME, <u32>T_FRAME, <u32>(R_READ | R_WRITE), 0, POOL_FRAMES.toString() + " frames (pager pool), slots " + SLOT_POOL_FRAME.toString() + "-" + (SLOT_POOL_FRAME + POOL_FRAMES - 1).toString()));
  }
  // faults come to init, badged; a paged program's go to its pager, which gets its address space
  if ((p.grants & proc.GRANTS_PAGED) != 0) {
    const q = runningPager();
    if (q == null) { log("cannot run " + def.name + " paged: no running program has the pager grant"); return E.NO_ENTRY; }
    e = cnodeMint(SLOT_CNODE, b + 4, q.persist, R_WRITE | R_GRANT, <u64>p.pid);
    if (e) return e;
    cnodeDelete(q.base + 3, SLOT_CLIENT_VSPACE); // a previous client's
    e = cnodeCopy(q.base + 3, SLOT_CLIENT_VSPACE, vs, R_ALL);
    if (e) return e;
    q.caps.push(new CapRec(<u32>SLOT_CLIENT_VSPACE, <u32>T_VSPACE, <u32>R_ALL, 0, "vspace of " + def.name + " (its pager)"));
    p.caps.push(new CapRec(0, <u32>T_ENDPOINT, <u32>(R_WRITE | R_GRANT), <u64>p.pid, "fault endpoint: " + q.def.name + " (pager)"));
  } else {
    e = cnodeMint(SLOT_CNODE, b + 4, SLOT_EP, R_WRITE | R_GRANT, FAULT_BADGE | <u64>p.pid);
  }
  if (e) return e;
  e = tcbSetFaultHandler(tcb, b + 4);
  if (e) return e;
  e = tcbResume(tcb);
  if (e) return e;
  p.state = ST_RUNNING;
  p.startedAt = counter();
  p.nextRestart = 0;
  p.hbPending = false;
  p.hbDue = p.startedAt + <u64>def.heartbeat * TICK;
  if (p.def.name == "timer") timerUp(p);
  return 0;
}


/** The running program started with the pager grant (and an endpoint), if any. */
function runningPager(): Proc | null {
  for (let i = procs.length - 1; i >= 0; i--) {
    const q = procs[i];
    if (q.state == ST_RUNNING && (q.grants & proc.GRANTS_PAGER) != 0 && q.hasEndpoint) return q;
  }
  return null;
}

/** The kernel's state of p's thread (TCB.GetInfo MR1; proc THREAD_*), INACTIVE when it has none. */
function threadState(p: Proc): u32 {
  if (p.state != ST_RUNNING) return proc.THREAD_INACTIVE;
  return tcbGetInfo(p.base + 1) == 0 ? <u32>mr(1) : proc.THREAD_INACTIVE;
}

/** "fs (tid 5)": how log lines name a process. */
function who(p: Proc): string { return p.def.name + " (tid " + p.tid.toString() + ")"; }

/** Destroys the running instance: every object made from its Untyped, and init's mapped copies. */
function stop(p: Proc): void {
  const b = p.base;
  tcbSuspend(b + 1);
  for (let k: u64 = 4; k < PROC_SLOTS; k++) del(b + k);
  cnodeRevoke(SLOT_CNODE, b);
  p.state = ST_STOPPED;
  p.tid = 0;
}

/**
 * A service that will not run again: its endpoint is destroyed (revoking every client's copy), so
 * calls queued on it fail with CANCELLED and later ones with FAILED_LOOKUP instead of waiting
 * forever; lookups answer UNAVAILABLE. `spawn` creates a fresh endpoint (clients look it up again).
 */
function fail(p: Proc): void {
  p.state = ST_FAILED;
  if (p.def.serves && p.hasEndpoint) {
    cnodeRevoke(SLOT_CNODE, p.persist);
    del(p.persist);
    p.hasEndpoint = false;
  }
  if (p.def.name == "timer") timerDown();
}

/** The back-off before p's next restart, in ticks: 2^n, capped; n starts over after a good run. */
function nextBackoff(p: Proc, now: u64): u32 {
  if (p.state == ST_RUNNING && now - p.startedAt >= STABLE_TICKS * TICK) p.backoffExp = 0;
  const n = p.backoffExp;
  return n >= 6 ? BACKOFF_CAP : min(<u32>1 << n, BACKOFF_CAP);
}

/**
 * After a fault, a kill or a missed heartbeat: stop the process now and restart it after its
 * back-off, within the restart limit; else leave it failed. The timer service itself (and any
 * service while there is no timer to wait with) is restarted at once.
 */
function reincarnate(p: Proc, why: string): void {
  const now = counter();
  const delay = nextBackoff(p, now);
  const what = who(p) + " " + why;
  stop(p);
  if (p.restarts >= p.def.restartLimit) {
    fail(p);
    log(what + "; restart limit " + p.def.restartLimit.toString() + " reached, not restarting");
    return;
  }
  p.restarts++;
  p.state = ST_RESTARTING;
  if (timerProc == null || timerProc === p || !timerRunning()) {
    log(what + "; restarting at once (no timer to back off with)");
    restartNow(p);
    return;
  }
  if (p.backoffExp < 31) p.backoffExp++;
  p.lastDelay = delay;
  p.nextRestart = now + <u64>delay * TICK;
  log(what + "; restart " + p.restarts.toString() + "/" + p.def.restartLimit.toString() + " in " + delay.toString() + (delay == 1 ? " tick" : " ticks"));
}

/** Builds the process again (its back-off is over). */
function restartNow(p: Proc): void {
  p.nextRestart = 0;
  const e = start(p);
  if (e) {
    stop(p);
    fail(p);
    log(p.def.name + " restart failed: " + E.errName(e));
    return;
  }
  log(p.def.name + " restarted as tid " + p.tid.toString() + " (" + p.restarts.toString() + "/" + p.def.restartLimit.toString() + ")");
}

function faultText(kind: u64, m: Msg): string {
  const a = m.word(0), code = m.word(1), pc = m.word(2);
  if (kind == F_VM) return "page fault at 0x" + a.toString(16) + " (esr 0x" + code.toString(16) + ", pc 0x" + pc.toString(16) + ")";
  if (kind == F_UNKNOWN_SYSCALL) return "unknown syscall " + a.toString();
  if (kind == F_USER_EXCEPTION) return "trap " + code.toString() + " (pc 0x" + pc.toString(16) + ")";
  if (kind == F_EXIT) return "exited with status " + a.toString();
  return "fault " + kind.toString();
}

function onFault(m: Msg): void {
  const pid = <u32>(m.badge & PID_MASK);
  const p = byPid(pid);
  if (p == null) return;
  const kind = m.label;
  p.faults++;
  if (kind == F_EXIT && p.def.restartLimit == 0) {
    const what = who(p) + " " + faultText(kind, m);
    stop(p);
    log(what);
    return;
  }
  reincarnate(p, faultText(kind, m));
}

/** A run program's name: a lower-case letter, then letters, digits or '-', at most 16. */
function validRunName(name: string): bool {
  if (name.length == 0 || name.length > 16) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (i > 0 && ((c >= 48 && c <= 57) || c == 45));
    if (!ok) return false;
  }
  return true;
}

function grantNames(g: u32): string {
  let s = "";
  if ((g & proc.GRANTS_CONSOLE) != 0) s += ",console";
  if ((g & proc.GRANTS_VFS) != 0) s += ",vfs";
  if ((g & proc.GRANTS_TIMER) != 0) s += ",timer";
  if ((g & proc.GRANTS_ENDPOINT) != 0) s += ",endpoint";
  if ((g & proc.GRANTS_NOTIFICATION) != 0) s += ",notification";
  if ((g & proc.GRANTS_PEERS) != 0) s += ",peers";
  if ((g & proc.GRANTS_PAGER) != 0) s += ",pager";
  if ((g & proc.GRANTS_PAGED) != 0) s += ",paged";
  if ((g & proc.GRANTS_GPIO) != 0) s += ",gpio";
  return s.length == 0 ? "none" : s.substring(1);
}

/** Maps the shared frame "codebuf" read-only into init's own address space at CODEBUF_VA. */
function mapCodebuf(): void {
  const s = sharedSlot("codebuf");
  if (s == 0) return;
  let pages: u32 = 0;
  for (let i = 0; i < SHARED_NAMES.length; i++) if (SHARED_NAMES[i] == "codebuf") pages = SHARED_PAGES[i];
  if (pages > 8) pages = 8; // 0x6000..0xe000: below the timebase page at 0xf000
  for (let j: u32 = 0; j < pages; j++) {
    if (frameMap(s + <u64>j, SLOT_VSPACE, <u64>CODEBUF_VA + (<u64>j << 12), R_READ) != 0) return;
    codebufBytes += 4096;
  }
}

// ---- the proc server -------------------------------------------------------------------------
let scratchUsed = false;

/** init's own thread id, from the boot info (0x30: the kernel writes it there). */

class ProcServer extends proc.Server {
  lookup(badge: u64, name: string, slot: u32, out: proc.LookupReply): u32 {
    const pid = <u64>(badge & PID_MASK);
    const me = byPid(<u32>pid);
    if (me == null) return E.DENIED;
    let target = "";
    // Grant (passing capabilities in requests) only for an entry that holds a notification to hand
    // out (manifest "notification": the network stack attaches it to netdrv and to timer alarms)
    let rights: u64 = me.def.notification ? R_WRITE | R_GRANT : R_WRITE;
    const u = me.def.uses;
    for (let i = 0; i + 1 < u.length; i += 2) if (u[i] == name) target = u[i + 1];
    if (target.length == 0) {
      // the playground agent (privileged) reaches the programs it ran (proc.run) to talk to them
      // so do run programs granted `peers` (the exercises' helper clients), with Grant: caps may come back
      const r = byName(name);
      if (r == null || r.image == null) return E.DENIED;
      if ((badge & PRIV_BADGE) != 0) target = name;
      else if ((me.grants & proc.GRANTS_PEERS) != 0) { target = name; rights = R_WRITE | R_GRANT; }
      else return E.DENIED;
    }
    const t = byName(target);
    if (t == null || !t.def.serves) return E.NO_ENTRY;
    // a reply carries capabilities only through a caller's Grant (docs/SYSCALLS.md §5): clients of a
    // service that hands them out (manifest capReplies: net's sockets) get it
    if (t.def.capReplies) rights |= R_GRANT;
    if (!t.hasEndpoint) return E.UNAVAILABLE;
    if (scratchUsed) { del(SLOT_SCRATCH); scratchUsed = false; }
    const e = cnodeMint(SLOT_CNODE, SLOT_SCRATCH, t.persist, rights, pid);
    if (e) return e;
    scratchUsed = true;
    out.ep = SLOT_SCRATCH;
    me.caps.push(new CapRec(slot, <u32>T_ENDPOINT, <u32>rights, pid, "endpoint " + target + (name != target ? " (as " + name + ")" : "")));
    return 0;
  }
  ps(badge: u64, index: u32, out: proc.PsReply): u32 {
    if (index == 0) {
      const me = tcbGetInfo(SLOT_TCB) == 0;
      out.tid = me ? <u32>mr(0) : 0; out.thread = me ? <u32>mr(1) : proc.THREAD_INACTIVE;
      out.name = "init"; out.state = ST_RUNNING; out.restarts = 0; out.prio = defs[0].prio; out.faults = 0;
      out.nextRestart = 0; out.backoff = 0;
      return 0;
    }
    if (index > <u32>procs.length) return E.NO_ENTRY;
    const p = procs[index - 1];
    out.tid = p.tid; out.thread = threadState(p); out.name = p.def.name; out.state = p.state; out.restarts = p.restarts; out.prio = p.def.prio; out.faults = p.faults;
    out.nextRestart = p.state == ST_RESTARTING ? p.nextRestart : 0;
    out.backoff = p.state == ST_RESTARTING ? p.lastDelay : nextBackoff(p, counter());
    return 0;
  }
  kill(badge: u64, tid: u32): u32 {
    if ((badge & PRIV_BADGE) == 0) return E.DENIED; // only a privileged proc capability may kill
    if (tid == biInitTid()) return E.DENIED;
    const p = byTid(tid);
    if (p == null) return E.NO_ENTRY;
    if (p.state != ST_RUNNING) return E.NO_ENTRY;
    if (p.def.restartLimit == 0) { const what = who(p); stop(p); log(what + " killed"); return 0; }
    reincarnate(p, "killed");
    return 0;
  }
  spawn(badge: u64, name: string, out: proc.SpawnReply): u32 {
    if ((badge & PRIV_BADGE) == 0) return E.DENIED;
    let def: ServiceDef | null = null;
    for (let i = 1; i < defs.length; i++) if (defs[i].name == name) def = defs[i];
    if (def == null) {
      const r = byName(name);
      if (r == null || r.image == null) return E.NO_ENTRY;
      def = r.def; // a program run earlier (proc.run): started again from init's copy
    }
    const existing = byName(name);
    if (existing != null) {
      if (existing.state == ST_RUNNING || existing.state == ST_RESTARTING) return E.BUSY;
      existing.restarts = 0;
      existing.backoffExp = 0;
      let e = prepare(existing);
      if (e == 0) e = start(existing);
      if (e) { stop(existing); fail(existing); return e; }
      out.tid = existing.tid;
      log("started " + who(existing));
      return 0;
    }
    if (nextIndex >= MAX_PROCS) return E.TOO_MANY;
    const p = new Proc(def);
    p.pid = nextPid++;
    p.index = nextIndex++;
    procs.push(p);
    let e = prepare(p);
    if (e == 0) e = start(p);
    if (e) { stop(p); fail(p); return e; }
    out.tid = p.tid;
    log("started " + who(p));
    return 0;
  }
  run(badge: u64, name: string, len: u32, grants: u32, out: proc.RunReply): u32 {
    if ((badge & PRIV_BADGE) == 0) return E.DENIED;
    if (!validRunName(name) || len == 0 || len > codebufBytes) return E.INVALID;
    if ((grants & proc.GRANTS_GPIO) != 0 && (grants & proc.GRANTS_NOTIFICATION) != 0) return E.INVALID; // both use slot 6
    for (let i = 0; i < defs.length; i++) if (defs[i].name == name) return E.BUSY; // a manifest name
    let p = byName(name);
    if (p == null) {
      if (nextIndex >= MAX_PROCS) return E.TOO_MANY;
      p = new Proc(new ServiceDef());
      p.pid = nextPid++;
      p.index = nextIndex++;
      procs.push(p);
    } else if (p.state == ST_RUNNING || p.state == ST_RESTARTING) stop(p); // replaced by the new version
    const img = new Uint8Array(len);
    memory.copy(img.dataStart, CODEBUF_VA, len);
    const def = p.def;
    def.name = name; def.program = name; def.prio = RUN_PRIO; def.restartLimit = 0; def.autostart = false;
    def.serves = (grants & proc.GRANTS_ENDPOINT) != 0;
    def.uses = new Array<string>();
    if ((grants & proc.GRANTS_CONSOLE) != 0) { def.uses.push("console"); def.uses.push("console"); }
    if ((grants & proc.GRANTS_VFS) != 0) { def.uses.push("vfs"); def.uses.push("vfs"); }
    if ((grants & proc.GRANTS_TIMER) != 0) { def.uses.push("timer"); def.uses.push("timer"); }
    // the driver exercise's device: its registers at 0x4000, its IRQ handler in slot 6 (SLOT_IRQ), a
    // notification bound to the thread; slot 6 cannot hold the notification grant's as well
    def.devices = new Array<Mapping>();
    def.irqs = new Array<string>();
    if ((grants & proc.GRANTS_GPIO) != 0) {
      def.devices.push(new Mapping("gpio", 0x4000));
      def.irqs.push("gpio");
    }
    p.image = img;
    p.grants = grants;
    p.restarts = 0;
    p.backoffExp = 0;
    let e = prepare(p);
    if (e == 0) e = start(p);
    if (e) { stop(p); fail(p); log("cannot run " + name + ": " + E.errName(e)); return e; }
    log("running " + name + " (tid " + p.tid.toString() + ", " + len.toString() + " bytes, grants " + grantNames(grants) + ")");
    out.tid = p.tid;
    return 0;
  }
  caps(badge: u64, tid: u32, index: u32, out: proc.CapsReply): u32 {
    if (tid == biInitTid()) {
      if (index == 0) { out.slot = <u32>SLOT_EP; out.kind = <u32>T_ENDPOINT; out.rights = <u32>R_ALL; out.badge = 0; out.what = "endpoint init (proc, faults)"; return 0; }
      if (index == 1) { out.slot = <u32>SLOT_IRQ_CONTROL; out.kind = <u32>T_IRQ_CONTROL; out.rights = <u32>R_ALL; out.badge = 0; out.what = "irq control"; return 0; }
      if (index == 2) { out.slot = <u32>SLOT_BOOT_IMAGE; out.kind = <u32>T_BOOT_IMAGE; out.rights = <u32>R_ALL; out.badge = 0; out.what = "boot image"; return 0; }
      if (index == 3) { out.slot = <u32>utSlots[0]; out.kind = <u32>T_UNTYPED; out.rights = <u32>R_ALL; out.badge = 0; out.what = utSlots.length.toString() + " untyped, " + totalPages.toString() + " pages"; return 0; }
      return E.NO_ENTRY;
    }
    const p = byTid(tid);
    if (p == null) return E.NO_ENTRY;
    if (index >= <u32>p.caps.length || p.state != ST_RUNNING) return E.NO_ENTRY;
    const c = p.caps[index];
    out.slot = c.slot; out.kind = c.kind; out.rights = c.rights; out.badge = c.badge; out.what = c.what;
    return 0;
  }
  mem(badge: u64, out: proc.MemReply): u32 {
    out.total = totalPages;
    out.used = <u32>((usedBytes + 4095) >> 12);
    out.kernelPool = <u32>biKernelPoolPages();
    return 0;
  }
  uptime(badge: u64, out: proc.UptimeReply): u32 {
    if (!timebase) return E.UNSUPPORTED;
    out.ticks = counter();
    out.freq = COUNTER_HZ;
    return 0;
  }
  args(badge: u64, out: proc.ArgsReply): u32 {
    const p = byPid(<u32>(badge & PID_MASK));
    if (p == null) return E.NO_ENTRY;
    out.args = p.def.args;
    return 0;
  }
  log(badge: u64, line: string): u32 {
    const p = byPid(<u32>(badge & PID_MASK));
    log((p != null ? p.def.name : "?") + ": " + line);
    return 0;
  }

  // ---- the rest of init's loop (serve, services/lib/server.ts) ----
  /** The lookup capability has gone out with the last reply: empty the scratch slot. */
  before(): void { if (scratchUsed) { del(SLOT_SCRATCH); scratchUsed = false; } }
  /** A signal on init's notification (alarm, heartbeat answers); other label-0 messages are ignored. */
  notified(bits: u64): void { if ((bits & NTFN_TAG) != 0) onNotification(bits); }
  /** A fault message of a service (on a FAULT_BADGE capability) is not answered: init restarts it. */
  other(m: Msg): bool {
    if ((m.badge & FAULT_BADGE) == 0) return super.other(m);
    onFault(m);
    return false;
  }
  /** After every message: restarts due, heartbeats, the next alarm. */
  after(): void { supervise(); }
}

// ---- time ----------------------------------------------------------------------------------------
// EL0 code cannot read the system counter; the AIC's timebase page (t8103 AIC + 0x8000: the counter
// at +0x20 / +0x28, hw/aic.ts) can be mapped read-only. init maps it into its own address space
// when the kernel hands it over as a boot-info device named "timebase"; otherwise uptime is
// UNSUPPORTED.
const TIMEBASE_VA: usize = 0xf000;
let timebase = false;

/** The system counter (0 without the timebase page). */
function counter(): u64 { return timebase ? readCounter(TIMEBASE_VA) : 0; }

// ---- the timer service, seen from init ------------------------------------------------------------
// init keeps one alarm with the timer service: the earliest of every pending restart and heartbeat.
// It asks with a non-blocking send (the timer outranks init, so it is waiting unless it is dead or
// hung); when that fails, init asks again the next time it wakes.
let timerProc: Proc | null = null;
let armedAt: u64 = 0; // the alarm the timer service holds for init, 0 = none
const alarmMsg = new Msg();

function timerRunning(): bool { const t = timerProc; return t != null && t.state == ST_RUNNING; }

/** The timer service (re)started: make init's capability to it, forget the old instance's alarm. */
function timerUp(p: Proc): void {
  timerProc = p;
  del(SLOT_TIMER);
  cnodeMint(SLOT_CNODE, SLOT_TIMER, p.persist, R_WRITE | R_GRANT, 1);
  armedAt = 0;
}
function timerDown(): void { armedAt = 0; }

/** Asks the timer service to signal init at `at` (non-blocking; false when it was not waiting). */
function requestAlarm(at: u64): bool {
  alarmMsg.reset(timer.LABEL_ALARM);
  alarmMsg.putU64(at);
  alarmMsg.putU64(0);
  alarmMsg.putCap(SLOT_ALARM); // the capability the timer signals
  return ipcNbSend(SLOT_TIMER, alarmMsg) == 0;
}

/** Restarts whose back-off is over, pings due, services that missed one; then re-arms the alarm. */
function supervise(): void {
  const now = counter();
  let next: u64 = 0xffff_ffff_ffff_ffff;
  for (let i = 0; i < procs.length; i++) {
    const p = procs[i];
    if (p.state == ST_RESTARTING && p.nextRestart != 0 && p.nextRestart <= now) restartNow(p);
    if (p.state == ST_RUNNING && p.def.heartbeat > 0 && p.hbDue <= now) {
      if (p.hbPending) { p.faults++; reincarnate(p, "missed its heartbeat (hung)"); }
      else {
        nbSend(p.persist + 3, 0); // signal PING on its notification
        p.hbPending = true;
        p.hbDue = now + <u64>p.def.heartbeat * TICK;
      }
    }
    if (p.state == ST_RESTARTING && p.nextRestart != 0 && p.nextRestart < next) next = p.nextRestart;
    if (p.state == ST_RUNNING && p.def.heartbeat > 0 && p.hbDue < next) next = p.hbDue;
  }
  if (next == 0xffff_ffff_ffff_ffff || !timerRunning()) return;
  if (armedAt != 0 && armedAt <= next && armedAt > now) return; // an earlier alarm will wake us
  armedAt = requestAlarm(next) ? next : 0;
}

/** A signal on init's notification: the alarm, and heartbeat answers. */
function onNotification(bits: u64): void {
  if ((bits & ALARM_BIT) != 0) armedAt = 0;
  for (let i = 0; i < procs.length; i++) if ((bits & PONG_BIT(procs[i].index)) != 0) procs[i].hbPending = false;
}

function mapTimebase(): void {
  if (!findDevice("timebase")) return;
  const slot = SLOT_SHARED - 1; // the slot after the scratch slot is free (see the plan above)
  if (frameMap(devSlot, SLOT_VSPACE, <u64>TIMEBASE_VA, R_READ) == 0) timebase = true;
  else if (cnodeCopy(SLOT_CNODE, slot, devSlot, R_READ) == 0 && frameMap(slot, SLOT_VSPACE, <u64>TIMEBASE_VA, R_READ) == 0) timebase = true;
}

// ---- boot --------------------------------------------------------------------------------------

/** A boot that cannot go on: say why and exit, so the machine does not spin without services. */
function fatal(why: string): void {
  log(why);
  exit(1); // the kernel reports it, and `mlk boot` stops on it
}

function boot(): void {
  if (!biPresent()) { fatal("no boot info"); return; }
  tcbSetPriority(SLOT_TCB, <u64>defs[0].prio);
  firstFree = <u64>biFirstEmpty();
  const nut = biUntypedCount();
  // largest Untyped first
  for (let i: u32 = 0; i < nut; i++) {
    const bits = biUntypedBits(i);
    totalPages += 1 << (bits - 12);
    utSlots.push(<u64>biUntypedSlot(i));
    utBits.push(bits);
    for (let j = utSlots.length - 1; j > 0 && utBits[j - 1] < utBits[j]; j--) {
      const a = utSlots[j]; utSlots[j] = utSlots[j - 1]; utSlots[j - 1] = a;
      const c = utBits[j]; utBits[j] = utBits[j - 1]; utBits[j - 1] = c;
    }
  }
  SLOT_EP = firstFree;
  SLOT_SCRATCH = firstFree + 1;
  SLOT_SHARED = firstFree + 3;
  let sharedPages: u64 = 0;
  for (let i = 0; i < SHARED_PAGES.length; i++) sharedPages += <u64>SHARED_PAGES[i];
  SLOT_PERSIST = SLOT_SHARED + sharedPages;
  SLOT_PROCS = SLOT_PERSIST + 8 * <u64>MAX_PROCS;
  SLOT_NTFN = SLOT_PROCS + PROC_SLOTS * <u64>MAX_PROCS;
  SLOT_ALARM = SLOT_NTFN + 1;
  SLOT_TIMER = SLOT_NTFN + 2;
  let e = retype(T_ENDPOINT, 0, SLOT_EP, 32);
  if (e) { fatal("cannot create its endpoint: " + E.errName(e)); return; }
  // init's notification, bound to its thread: alarms and heartbeat answers arrive through Recv
  e = retype(T_NOTIFICATION, 0, SLOT_NTFN, 64);
  if (e == 0) e = tcbBindNotification(SLOT_TCB, SLOT_NTFN);
  if (e == 0) e = cnodeMint(SLOT_CNODE, SLOT_ALARM, SLOT_NTFN, R_WRITE, NTFN_TAG | ALARM_BIT);
  if (e) log("cannot create its notification: " + E.errName(e) + " (no back-off, no heartbeats)");
  mapTimebase();
  let s = SLOT_SHARED;
  for (let i = 0; i < SHARED_NAMES.length; i++) {
    for (let j: u32 = 0; j < SHARED_PAGES[i]; j++) {
      e = retype(T_FRAME, 12, s++, 4096);
      if (e) { fatal("cannot create shared frame " + SHARED_NAMES[i] + ": " + E.errName(e)); return; }
    }
  }
  mapCodebuf();
  mapLogRing();
  // the process table: every entry, endpoints first so lookups never race a start
  for (let i = 1; i < defs.length; i++) {
    if (!defs[i].autostart) continue;
    const p = new Proc(defs[i]);
    p.pid = nextPid++;
    p.index = nextIndex++;
    procs.push(p);
    if (drainsLog(p.def)) logDrain = p;
    e = prepare(p);
    if (e) { log("cannot prepare " + p.def.name + ": " + E.errName(e)); fail(p); }
  }
  log("boot manifest: " + procs.length.toString() + " services, " + totalPages.toString() + " pages of untyped memory");
  for (let i = 0; i < procs.length; i++) {
    const p = procs[i];
    if (p.state == ST_FAILED) continue;
    e = start(p);
    if (e) { stop(p); fail(p); log("cannot start " + p.def.name + ": " + E.errName(e)); continue; }
    log("started " + p.def.name + " (tid " + p.tid.toString() + ", priority " + p.def.prio.toString() + ")");
    }
}

boot();
supervise(); // the first heartbeat alarm

// ---- the server loop -----------------------------------------------------------------------------
serve(SLOT_EP, new ProcServer());
