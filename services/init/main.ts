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
// Authority: every service's proc capability carries its pid as badge; init adds PRIV_BADGE for
// entries marked `admin` (the shell, the playground agent), and only those may kill and spawn.
//
// init never sends to a service with a blocking operation (Hubris jefe): it receives and replies;
// its log lines go to the console and its alarm requests to the timer with a non-blocking send
// (the console's are dropped to the kernel debug output when it is not waiting), and it pings
// services by signalling notifications.

import { Msg, DEFER } from "../lib-ext/msg";
import { ipcRecv, ipcReplyRecv, invoke, methodOut, svc, SYS_NBSEND } from "../lib-ext/ipc";
import * as proc from "../gen/proc";
import * as consoleP from "../gen/console";
import * as timer from "../gen/timer";
import * as E from "../gen/errors";
import { collectGarbage } from "../lib-ext/rt";
import { services, ServiceDef, SHARED_NAMES, SHARED_PAGES } from "../gen/manifest";

// ---- kernel ABI (docs/SYSCALLS.md; kernel-as/object/structures.ts) ----------------------------
const T_UNTYPED: u64 = 1, T_ENDPOINT: u64 = 2, T_NOTIFICATION: u64 = 3, T_TCB: u64 = 5, T_CNODE: u64 = 6;
const T_VSPACE: u64 = 7, T_FRAME: u64 = 8, T_DEVICE_FRAME: u64 = 9, T_IRQ_HANDLER: u64 = 11, T_IO_SPACE: u64 = 13;
const R_READ: u64 = 1, R_WRITE: u64 = 2, R_GRANT: u64 = 4, R_ALL: u64 = 7;
const UNTYPED_RETYPE: u64 = 1;
const CNODE_COPY: u64 = 16, CNODE_MINT: u64 = 17, CNODE_DELETE: u64 = 19, CNODE_REVOKE: u64 = 20;
const TCB_SET_PRIORITY: u64 = 33, TCB_RESUME: u64 = 34, TCB_SUSPEND: u64 = 35;
const TCB_BIND_NOTIFICATION: u64 = 38, TCB_SET_FAULT_HANDLER: u64 = 40;
const T_IRQ_CONTROL: u64 = 10, T_BOOT_IMAGE: u64 = 12;
const FRAME_MAP: u64 = 56;
const IRQ_CONTROL_GET: u64 = 64, IRQ_HANDLER_SET_NOTIFICATION: u64 = 72;
const BOOT_IMAGE_SPAWN: u64 = 80, BOOT_IMAGE_SPAWN_FROM: u64 = 82;
const TCB_SET_NAME: u64 = 41;
const SYS_DEBUG_PUTS: i32 = 10;
const F_VM: u64 = 1, F_UNKNOWN_SYSCALL: u64 = 2, F_USER_EXCEPTION: u64 = 3, F_EXIT: u64 = 5;

// ---- boot info (kernel-as/kernel/boot.ts) ----------------------------------------------------
const BI: usize = 0x2000;
const MY_CNODE: u64 = 2, MY_TCB: u64 = 1, MY_VSPACE: u64 = 3, IRQ_CONTROL: u64 = 4, BOOT_IMAGE: u64 = 5;

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
const MAX_PROCS: i32 = 16;
const PROC_SLOTS: u64 = 32; // per process: 0 untyped, 1 TCB, 2 VSpace, 3 CNode, 4 fault EP, 5.. frame copies
const CHILD_RADIX: u64 = 6;
const UNTYPED_BITS: u64 = 14; // per process: TCB + VSpace + CNode fit in 16 KiB

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
/** The bit init signals on a service's bound notification to ping it (lib-ext/rt.ts PING). */
const PING: u64 = 1 << 62;
/** A service's slot for its heartbeat answers (lib-ext/rt.ts SLOT_HEARTBEAT). */
const CHILD_SLOT_HEARTBEAT: u64 = 9;

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
let SLOT_SHARED: u64 = 0; // shared frames, up to 16 pages
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
let consoleEp: u64 = 0;
const logMsg = new Msg();

/** A log line: to the console service without blocking, else the kernel's debug output. */
function log(s: string): void {
  const line = "init: " + s + "\n";
  if (consoleEp != 0) {
    logMsg.reset(consoleP.LABEL_WRITE);
    const b = String.UTF8.encode(line);
    if (b.byteLength <= 256 && logMsg.putBytes(changetype<usize>(b), b.byteLength, 256)) {
      // NBSend: delivered only if the console is waiting for a message; never blocks init.
      const w = logMsg.len;
      for (let i = 4; i < w; i++) store<u64>(0x1000 + 8 + (<usize>i << 3), logMsg.word(i));
      const mi = (logMsg.label << 12) | <u64>w;
      const e = svc(SYS_NBSEND, <i64>consoleEp, <i64>mi, <i64>logMsg.word(0), <i64>logMsg.word(1), <i64>logMsg.word(2), <i64>logMsg.word(3));
      if (e == 0) return;
    }
  }
  const b = String.UTF8.encode(line);
  svc(SYS_DEBUG_PUTS, <i64>changetype<usize>(b), <i64>b.byteLength, 0, 0, 0, 0);
}

// ---- kernel object helpers ---------------------------------------------------------------------

/** Retype one object of type t (size bits) into slot dest from the general Untyped. */
function retype(t: u64, bits: u64, dest: u64, bytes: u64): u32 {
  let e: u32 = E.NOT_ENOUGH_MEMORY;
  for (let i = 0; i < utSlots.length; i++) {
    e = invoke(utSlots[i], UNTYPED_RETYPE, 4, t, bits, dest, 1);
    if (e == 0) { usedBytes += bytes; return 0; }
    if (e != E.NOT_ENOUGH_MEMORY) return e;
  }
  return e;
}
function copyTo(cnode: u64, dest: u64, src: u64, rights: u64): u32 { return invoke(cnode, CNODE_COPY, 3, dest, src, rights, 0); }
function mintTo(cnode: u64, dest: u64, src: u64, rights: u64, badge: u64): u32 { return invoke(cnode, CNODE_MINT, 4, dest, src, rights, badge); }
function del(slot: u64): void { invoke(MY_CNODE, CNODE_DELETE, 1, slot, 0, 0, 0); }

// ---- devices from boot info ----------------------------------------------------------------------
/** First device-frame slot, pages and IRQ of a device named in boot info ("uart", "block"). */
let devSlot: u64 = 0;
let devPages: u32 = 0;
let devIrq: i32 = -1;
let devKind: u32 = 0;
const KIND_TIMEBASE: u32 = 1; // boot-info kind of the AIC timebase page: a Read-only capability
function findDevice(name: string): bool {
  const n = load<u32>(BI + 0x24);
  for (let i: u32 = 0; i < n; i++) {
    const rec = BI + 0x100 + (<usize>i << 5);
    const nm = String.UTF8.decodeUnsafe(rec + 24, 8, true);
    if (nm == name) {
      devPages = load<u32>(rec + 8);
      devIrq = load<i32>(rec + 12);
      devSlot = <u64>load<u32>(rec + 16);
      devKind = load<u32>(rec + 20);
      return true;
    }
  }
  return false;
}

/** Slot of the IOSpace capability (DMA stream) the kernel gave for device `name` (boot-info
 *  record of kind 8), or 0. */
function findIoSpace(name: string): u64 {
  const n = load<u32>(BI + 0x24);
  for (let i: u32 = 0; i < n; i++) {
    const rec = BI + 0x100 + (<usize>i << 5);
    if (load<u32>(rec + 20) == 8 && String.UTF8.decodeUnsafe(rec + 24, 8, true) == name) return <u64>load<u32>(rec + 16);
  }
  return 0;
}

/** Boot-image file index of name ("fs.wasm"), or -1. */
function findFile(name: string): i32 {
  const n = load<u32>(BI + 0x2c);
  for (let i: u32 = 0; i < n; i++) {
    const rec = BI + 0x700 + <usize>i * 48;
    if (String.UTF8.decodeUnsafe(rec + 8, 40, true) == name) return <i32>i;
  }
  return -1;
}

// ---- the process table -----------------------------------------------------------------------
const ST_NONE: u32 = 0, ST_RUNNING: u32 = 1, ST_RESTARTING: u32 = 2, ST_FAILED: u32 = 3, ST_STOPPED: u32 = 4;

class CapRec {
  constructor(public slot: u32, public kind: u32, public rights: u32, public badge: u64, public what: string) {}
}

class Proc {
  pid: u32 = 0;
  index: i32 = 0; // slot block
  def: ServiceDef;
  state: u32 = ST_NONE;
  restarts: u32 = 0;
  faults: u32 = 0;
  hasUntyped: bool = false;
  hasEndpoint: bool = false;
  irqReady: bool = false;
  ntfnReady: bool = false; // persist+2: notification bound to the thread (IRQ, pings); +3 ping cap
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

/** Builds the process from its program and starts it. */
function start(p: Proc): u32 {
  const b = p.base;
  const def = p.def;
  p.caps = new Array<CapRec>();
  let e: u32 = 0;
  if (!p.hasUntyped) {
    e = retype(T_UNTYPED, UNTYPED_BITS, b, 1 << UNTYPED_BITS);
    if (e) return e;
    p.hasUntyped = true;
  }
  const tcb = b + 1, vs = b + 2, cn = b + 3;
  const image = p.image;
  if (image != null) {
    const where = <u64>image.dataStart | (<u64>image.length << 32);
    e = invoke(BOOT_IMAGE, BOOT_IMAGE_SPAWN_FROM, 4, where, <u64>def.prio, b + 1, CHILD_RADIX, b, 0, 0, 1);
    if (e) return e;
    const nm = new Uint8Array(24);
    const raw = String.UTF8.encode(def.name);
    memory.copy(nm.dataStart, changetype<usize>(raw), <usize>min(raw.byteLength, 23));
    invoke(tcb, TCB_SET_NAME, 3, load<u64>(nm.dataStart), load<u64>(nm.dataStart + 8), load<u64>(nm.dataStart + 16), 0);
  } else {
    const file = findFile(def.program + ".wasm");
    if (file < 0) return E.NO_ENTRY;
    e = invoke(BOOT_IMAGE, BOOT_IMAGE_SPAWN, 4, <u64>file, <u64>def.prio, b + 1, CHILD_RADIX, b, 0, 0, 1);
    if (e) return e;
  }
  p.caps.push(new CapRec(1, <u32>T_TCB, <u32>R_ALL, 0, "own thread"));
  p.caps.push(new CapRec(2, <u32>T_CNODE, <u32>R_ALL, 0, "own cspace"));
  p.caps.push(new CapRec(3, <u32>T_VSPACE, <u32>R_ALL, 0, "own vspace"));
  // 4: init (proc), badged with the pid (and the privilege to kill and spawn for `admin`
  // entries); Grant so lookups can return capabilities
  const procBadge = <u64>p.pid | (def.admin ? PRIV_BADGE : 0);
  e = mintTo(cn, 4, SLOT_EP, R_WRITE | R_GRANT, procBadge);
  if (e) return e;
  p.caps.push(new CapRec(4, <u32>T_ENDPOINT, <u32>(R_WRITE | R_GRANT), procBadge, "endpoint init (proc" + (def.admin ? ", privileged)" : ")")));
  // 5: the endpoint it serves
  if (def.serves) {
    e = copyTo(cn, 5, p.persist, R_READ | R_WRITE);
    if (e) return e;
    p.caps.push(new CapRec(5, <u32>T_ENDPOINT, <u32>(R_READ | R_WRITE), 0, "endpoint " + def.name + " (serves)"));
  }
  // 6: a notification of its own (proc.run grant NOTIFICATION), kept across restarts
  if ((p.grants & proc.GRANTS_NOTIFICATION) != 0) {
    if (!p.ntfnReady) {
      e = retype(T_NOTIFICATION, 0, p.persist + 2, 64);
      if (e) return e;
      p.ntfnReady = true;
    }
    e = copyTo(cn, 6, p.persist + 2, R_ALL);
    if (e) return e;
    p.caps.push(new CapRec(6, <u32>T_NOTIFICATION, <u32>R_ALL, 0, "notification (granted)"));
  }
  // device pages, mapped by init at the manifest's addresses (init keeps the mapped copy)
  let k: u64 = 5;
  for (let i = 0; i < def.devices.length; i++) {
    const d = def.devices[i];
    if (!findDevice(d.name)) return E.NO_ENTRY;
    const rights = devKind == KIND_TIMEBASE ? R_READ : R_READ | R_WRITE;
    for (let j: u32 = 0; j < devPages; j++) {
      e = copyTo(MY_CNODE, b + k, devSlot + <u64>j, rights);
      if (e) return e;
      e = invoke(b + k, FRAME_MAP, 2, d.va + (<u64>j << 12), rights, 0, 0, vs, 0, 0, 1);
      if (e) return e;
      k++;
    }
    p.caps.push(new CapRec(0, <u32>T_DEVICE_FRAME, <u32>rights, 0, "device " + d.name + " mapped at 0x" + d.va.toString(16)));
  }
  // a notification bound to the thread carries its IRQ and init's heartbeat pings (kept across
  // restarts, like the endpoint); init keeps a copy badged PING to signal it
  if (def.irqs.length > 0 || def.heartbeat > 0) {
    if (!p.ntfnReady) {
      e = retype(T_NOTIFICATION, 0, p.persist + 2, 64);
      if (e) return e;
      e = mintTo(MY_CNODE, p.persist + 3, p.persist + 2, R_WRITE, PING);
      if (e) return e;
      p.ntfnReady = true;
    }
    e = invoke(tcb, TCB_BIND_NOTIFICATION, 0, 0, 0, 0, 0, p.persist + 2, 0, 0, 1);
    if (e) return e;
  }
  // IRQ: one handler per line, signalling that notification
  if (def.irqs.length > 0) {
    if (!findDevice(def.irqs[0]) || devIrq < 0) return E.NO_ENTRY;
    if (!p.irqReady) {
      e = invoke(IRQ_CONTROL, IRQ_CONTROL_GET, 2, <u64>devIrq, p.persist + 1, 0, 0);
      if (e) return e;
      e = invoke(p.persist + 1, IRQ_HANDLER_SET_NOTIFICATION, 0, 0, 0, 0, 0, p.persist + 2, 0, 0, 1);
      if (e) return e;
      p.irqReady = true;
    }
    e = copyTo(cn, 6, p.persist + 1, R_ALL);
    if (e) return e;
    p.caps.push(new CapRec(6, <u32>T_IRQ_HANDLER, <u32>R_ALL, 0, "irq " + devIrq.toString() + " (" + def.irqs[0] + "), notification bound"));
  }
  // the device's DMA stream: its IOSpace capability goes to slot 8 (the driver maps its own buffers)
  if (def.iospaces.length > 0) {
    const io = findIoSpace(def.iospaces[0]);
    if (io == 0) return E.NO_ENTRY;
    e = copyTo(cn, 8, io, R_ALL);
    if (e) return e;
    p.caps.push(new CapRec(8, <u32>T_IO_SPACE, <u32>R_ALL, 0, "iospace " + def.iospaces[0] + " (DMA stream)"));
  }
  // heartbeat: slot 9 signals init's notification with this process's pong bit
  if (def.heartbeat > 0) {
    const pong = NTFN_TAG | PONG_BIT(p.index);
    e = mintTo(cn, CHILD_SLOT_HEARTBEAT, SLOT_NTFN, R_WRITE, pong);
    if (e) return e;
    p.caps.push(new CapRec(<u32>CHILD_SLOT_HEARTBEAT, <u32>T_NOTIFICATION, <u32>R_WRITE, pong, "notification init (heartbeat)"));
  }
  // shared frames: mapped by init; the first one's capability also goes to slot 7
  for (let i = 0; i < def.frames.length; i++) {
    const f = def.frames[i];
    const s = sharedSlot(f.name);
    let pages: u32 = 1;
    for (let x = 0; x < SHARED_NAMES.length; x++) if (SHARED_NAMES[x] == f.name) pages = SHARED_PAGES[x];
    for (let j: u32 = 0; j < pages; j++) {
      e = copyTo(MY_CNODE, b + k, s + <u64>j, R_READ | R_WRITE);
      if (e) return e;
      e = invoke(b + k, FRAME_MAP, 2, f.va + (<u64>j << 12), R_READ | R_WRITE, 0, 0, vs, 0, 0, 1);
      if (e) return e;
      k++;
    }
    if (i == 0) {
      e = copyTo(cn, 7, s, R_READ | R_WRITE);
      if (e) return e;
    }
    p.caps.push(new CapRec(i == 0 ? 7 : 0, <u32>T_FRAME, <u32>(R_READ | R_WRITE), 0, "frame " + f.name + " mapped at 0x" + f.va.toString(16)));
  }
  // faults come to init, badged
  e = mintTo(MY_CNODE, b + 4, SLOT_EP, R_WRITE | R_GRANT, FAULT_BADGE | <u64>p.pid);
  if (e) return e;
  e = invoke(tcb, TCB_SET_FAULT_HANDLER, 0, 0, 0, 0, 0, b + 4, 0, 0, 1);
  if (e) return e;
  e = invoke(tcb, TCB_RESUME, 0, 0, 0, 0, 0);
  if (e) return e;
  p.state = ST_RUNNING;
  p.startedAt = counter();
  p.nextRestart = 0;
  p.hbPending = false;
  p.hbDue = p.startedAt + <u64>def.heartbeat * TICK;
  if (p.def.name == "timer") timerUp(p);
  return 0;
}

/** Destroys the running instance: every object made from its Untyped, and init's mapped copies. */
function stop(p: Proc): void {
  const b = p.base;
  invoke(b + 1, TCB_SUSPEND, 0, 0, 0, 0, 0);
  for (let k: u64 = 4; k < PROC_SLOTS; k++) del(b + k);
  invoke(MY_CNODE, CNODE_REVOKE, 1, b, 0, 0, 0);
  p.state = ST_STOPPED;
}

/**
 * A service that will not run again: its endpoint is destroyed (revoking every client's copy), so
 * calls queued on it fail with CANCELLED and later ones with FAILED_LOOKUP instead of waiting
 * forever; lookups answer UNAVAILABLE. `spawn` creates a fresh endpoint (clients look it up again).
 */
function fail(p: Proc): void {
  p.state = ST_FAILED;
  if (p.def.serves && p.hasEndpoint) {
    invoke(MY_CNODE, CNODE_REVOKE, 1, p.persist, 0, 0, 0);
    del(p.persist);
    p.hasEndpoint = false;
    if (p.def.name == "console") consoleEp = 0;
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
  stop(p);
  const what = p.def.name + " (pid " + p.pid.toString() + ") " + why;
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
    log(p.def.name + " (pid " + p.pid.toString() + ") restart failed: " + E.errName(e));
    return;
  }
  if (p.def.name == "console") consoleEp = p.persist;
  log(p.def.name + " (pid " + p.pid.toString() + ") restarted (" + p.restarts.toString() + "/" + p.def.restartLimit.toString() + ")");
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
    stop(p);
    log(p.def.name + " (pid " + pid.toString() + ") " + faultText(kind, m));
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
    if (invoke(s + <u64>j, FRAME_MAP, 2, <u64>CODEBUF_VA + (<u64>j << 12), R_READ, 0, 0, MY_VSPACE, 0, 0, 1) != 0) return;
    codebufBytes += 4096;
  }
}

// ---- the proc server -------------------------------------------------------------------------
let scratchUsed = false;

class ProcServer extends proc.Server {
  lookup(badge: u64, name: string, slot: u32, out: proc.LookupReply): u32 {
    const pid = <u64>(badge & PID_MASK);
    const me = byPid(<u32>pid);
    if (me == null) return E.DENIED;
    let target = "";
    const u = me.def.uses;
    for (let i = 0; i + 1 < u.length; i += 2) if (u[i] == name) target = u[i + 1];
    if (target.length == 0) {
      // the playground agent (privileged) reaches the programs it ran (proc.run) to talk to them
      const r = byName(name);
      if ((badge & PRIV_BADGE) == 0 || r == null || r.image == null) return E.DENIED;
      target = name;
    }
    const t = byName(target);
    if (t == null || !t.def.serves) return E.NO_ENTRY;
    if (!t.hasEndpoint) return E.UNAVAILABLE;
    if (scratchUsed) { del(SLOT_SCRATCH); scratchUsed = false; }
    const e = mintTo(MY_CNODE, SLOT_SCRATCH, t.persist, R_WRITE, pid);
    if (e) return e;
    scratchUsed = true;
    out.ep = SLOT_SCRATCH;
    me.caps.push(new CapRec(slot, <u32>T_ENDPOINT, <u32>R_WRITE, pid, "endpoint " + target + (name != target ? " (as " + name + ")" : "")));
    return 0;
  }
  ps(badge: u64, index: u32, out: proc.PsReply): u32 {
    if (index == 0) {
      out.pid = 1; out.name = "init"; out.state = ST_RUNNING; out.restarts = 0; out.prio = defs[0].prio; out.faults = 0;
      out.nextRestart = 0; out.backoff = 0;
      return 0;
    }
    if (index > <u32>procs.length) return E.NO_ENTRY;
    const p = procs[index - 1];
    out.pid = p.pid; out.name = p.def.name; out.state = p.state; out.restarts = p.restarts; out.prio = p.def.prio; out.faults = p.faults;
    out.nextRestart = p.state == ST_RESTARTING ? p.nextRestart : 0;
    out.backoff = p.state == ST_RESTARTING ? p.lastDelay : nextBackoff(p, counter());
    return 0;
  }
  kill(badge: u64, pid: u32): u32 {
    if ((badge & PRIV_BADGE) == 0) return E.DENIED; // only a privileged proc capability may kill
    if (pid == 1) return E.DENIED;
    const p = byPid(pid);
    if (p == null) return E.NO_ENTRY;
    if (p.state != ST_RUNNING) return E.NO_ENTRY;
    if (p.def.restartLimit == 0) { stop(p); log(p.def.name + " (pid " + pid.toString() + ") killed"); return 0; }
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
      if (existing.def.name == "console") consoleEp = existing.persist;
      out.pid = existing.pid;
      log("started " + name + " (pid " + existing.pid.toString() + ")");
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
    out.pid = p.pid;
    log("started " + name + " (pid " + p.pid.toString() + ")");
    return 0;
  }
  run(badge: u64, name: string, len: u32, grants: u32, out: proc.RunReply): u32 {
    if ((badge & PRIV_BADGE) == 0) return E.DENIED;
    if (!validRunName(name) || len == 0 || len > codebufBytes) return E.INVALID;
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
    p.image = img;
    p.grants = grants;
    p.restarts = 0;
    p.backoffExp = 0;
    let e = prepare(p);
    if (e == 0) e = start(p);
    if (e) { stop(p); fail(p); log("cannot run " + name + ": " + E.errName(e)); return e; }
    log("running " + name + " (pid " + p.pid.toString() + ", " + len.toString() + " bytes, grants " + grantNames(grants) + ")");
    out.pid = p.pid;
    return 0;
  }
  caps(badge: u64, pid: u32, index: u32, out: proc.CapsReply): u32 {
    if (pid == 1) {
      if (index == 0) { out.slot = <u32>SLOT_EP; out.kind = <u32>T_ENDPOINT; out.rights = <u32>R_ALL; out.badge = 0; out.what = "endpoint init (proc, faults)"; return 0; }
      if (index == 1) { out.slot = <u32>IRQ_CONTROL; out.kind = 10; out.rights = <u32>R_ALL; out.badge = 0; out.what = "irq control"; return 0; }
      if (index == 2) { out.slot = <u32>BOOT_IMAGE; out.kind = 12; out.rights = <u32>R_ALL; out.badge = 0; out.what = "boot image"; return 0; }
      if (index == 3) { out.slot = <u32>utSlots[0]; out.kind = <u32>T_UNTYPED; out.rights = <u32>R_ALL; out.badge = 0; out.what = utSlots.length.toString() + " untyped, " + totalPages.toString() + " pages"; return 0; }
      return E.NO_ENTRY;
    }
    const p = byPid(pid);
    if (p == null) return E.NO_ENTRY;
    if (index >= <u32>p.caps.length || p.state != ST_RUNNING) return E.NO_ENTRY;
    const c = p.caps[index];
    out.slot = c.slot; out.kind = c.kind; out.rights = c.rights; out.badge = c.badge; out.what = c.what;
    return 0;
  }
  mem(badge: u64, out: proc.MemReply): u32 {
    out.total = totalPages;
    out.used = <u32>((usedBytes + 4095) >> 12);
    out.kernelPool = <u32>load<u64>(BI + 0x38);
    return 0;
  }
  uptime(badge: u64, out: proc.UptimeReply): u32 {
    if (!timebase) return E.UNSUPPORTED;
    out.ticks = counter();
    out.freq = 24_000_000; // CNTFRQ of the M1's system counter
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
}

// ---- time ----------------------------------------------------------------------------------------
// EL0 code cannot read the system counter; the AIC's timebase page (t8103 AIC + 0x8000: the counter
// at +0x20 / +0x28, hw/aic.ts) can be mapped read-only. init maps it into its own address space
// when the kernel hands it over as a boot-info device named "timebase"; otherwise uptime is
// UNSUPPORTED.
const TIMEBASE_VA: usize = 0xf000;
let timebase = false;

/** The system counter (0 without the timebase page). High, low, high: the low word may wrap. */
function counter(): u64 {
  if (!timebase) return 0;
  const hi1 = load<u32>(TIMEBASE_VA + 0x28);
  const lo = load<u32>(TIMEBASE_VA + 0x20);
  const hi2 = load<u32>(TIMEBASE_VA + 0x28);
  return (<u64>hi2 << 32) | <u64>(hi1 == hi2 ? lo : load<u32>(TIMEBASE_VA + 0x20));
}

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
  mintTo(MY_CNODE, SLOT_TIMER, p.persist, R_WRITE | R_GRANT, 1);
  armedAt = 0;
}
function timerDown(): void { armedAt = 0; }

/** Asks the timer service to signal init at `at` (non-blocking; false when it was not waiting). */
function requestAlarm(at: u64): bool {
  alarmMsg.reset(timer.LABEL_ALARM);
  alarmMsg.putU64(at);
  alarmMsg.putU64(0);
  store<u64>(0x1000 + 0x208, SLOT_ALARM); // IPC buffer caps[0]: the capability the timer signals
  const mi = (alarmMsg.label << 12) | (<u64>1 << 7) | <u64>alarmMsg.len;
  return svc(SYS_NBSEND, <i64>SLOT_TIMER, <i64>mi, <i64>alarmMsg.word(0), <i64>alarmMsg.word(1), 0, 0) == 0;
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
        svc(SYS_NBSEND, <i64>(p.persist + 3), 0, 0, 0, 0, 0); // signal PING on its notification
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
  if (invoke(devSlot, FRAME_MAP, 2, <u64>TIMEBASE_VA, R_READ, 0, 0, 3, 0, 0, 1) == 0) timebase = true;
  else if (copyTo(MY_CNODE, slot, devSlot, R_READ) == 0 && invoke(slot, FRAME_MAP, 2, <u64>TIMEBASE_VA, R_READ, 0, 0, 3, 0, 0, 1) == 0) timebase = true;
}

// ---- boot --------------------------------------------------------------------------------------

/** A boot that cannot go on: say why and exit, so the machine does not spin without services. */
function fatal(why: string): void {
  log(why);
  svc(8, 1, 0, 0, 0, 0, 0); // Exit(1): the kernel reports it, and `mlk boot` stops on it
}

function boot(): void {
  if (load<u32>(BI) != 0x424b4c4d) { fatal("no boot info"); return; }
  invoke(MY_TCB, TCB_SET_PRIORITY, 1, <u64>defs[0].prio, 0, 0, 0);
  firstFree = <u64>load<u32>(BI + 0x0c);
  const nut = load<u32>(BI + 0x28);
  // largest Untyped first
  for (let i: u32 = 0; i < nut; i++) {
    const rec = BI + 0x300 + (<usize>i << 4);
    const bits = load<u32>(rec + 8);
    totalPages += 1 << (bits - 12);
    utSlots.push(<u64>load<u32>(rec + 12));
    utBits.push(bits);
    for (let j = utSlots.length - 1; j > 0 && utBits[j - 1] < utBits[j]; j--) {
      const a = utSlots[j]; utSlots[j] = utSlots[j - 1]; utSlots[j - 1] = a;
      const c = utBits[j]; utBits[j] = utBits[j - 1]; utBits[j - 1] = c;
    }
  }
  SLOT_EP = firstFree;
  SLOT_SCRATCH = firstFree + 1;
  SLOT_SHARED = firstFree + 3;
  SLOT_PERSIST = SLOT_SHARED + 16;
  SLOT_PROCS = SLOT_PERSIST + 8 * <u64>MAX_PROCS;
  SLOT_NTFN = SLOT_PROCS + PROC_SLOTS * <u64>MAX_PROCS;
  SLOT_ALARM = SLOT_NTFN + 1;
  SLOT_TIMER = SLOT_NTFN + 2;
  let e = retype(T_ENDPOINT, 0, SLOT_EP, 32);
  if (e) { fatal("cannot create its endpoint: " + E.errName(e)); return; }
  // init's notification, bound to its thread: alarms and heartbeat answers arrive through Recv
  e = retype(T_NOTIFICATION, 0, SLOT_NTFN, 64);
  if (e == 0) e = invoke(MY_TCB, TCB_BIND_NOTIFICATION, 0, 0, 0, 0, 0, SLOT_NTFN, 0, 0, 1);
  if (e == 0) e = mintTo(MY_CNODE, SLOT_ALARM, SLOT_NTFN, R_WRITE, NTFN_TAG | ALARM_BIT);
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
  // the process table: every entry, endpoints first so lookups never race a start
  for (let i = 1; i < defs.length; i++) {
    if (!defs[i].autostart) continue;
    const p = new Proc(defs[i]);
    p.pid = nextPid++;
    p.index = nextIndex++;
    procs.push(p);
    e = prepare(p);
    if (e) { log("cannot prepare " + p.def.name + ": " + E.errName(e)); fail(p); }
  }
  log("boot manifest: " + procs.length.toString() + " services, " + totalPages.toString() + " pages of untyped memory");
  for (let i = 0; i < procs.length; i++) {
    const p = procs[i];
    if (p.state == ST_FAILED) continue;
    e = start(p);
    if (e) { stop(p); fail(p); log("cannot start " + p.def.name + ": " + E.errName(e)); continue; }
    log("started " + p.def.name + " (pid " + p.pid.toString() + ", priority " + p.def.prio.toString() + ")");
    if (p.def.name == "console") consoleEp = p.persist;
  }
}

boot();
supervise(); // the first heartbeat alarm

// ---- the server loop -----------------------------------------------------------------------------
const m = new Msg();
const server = new ProcServer();
let e = ipcRecv(SLOT_EP, m);
while (true) {
  collectGarbage(); // here no managed object lives only in a local (lib-ext/rt.ts)
  let reply = false;
  if (e == 0) {
    if (m.label == 0 && m.len == 0 && (m.badge & NTFN_TAG) != 0) onNotification(m.badge);
    else if ((m.badge & FAULT_BADGE) != 0 && m.label < 256) onFault(m);
    else if (m.label >= 256) reply = proc.dispatch(m, server);
  }
  supervise();
  if (reply) e = ipcReplyRecv(SLOT_EP, m);
  else e = ipcRecv(SLOT_EP, m);
  if (scratchUsed) { del(SLOT_SCRATCH); scratchUsed = false; }
}
