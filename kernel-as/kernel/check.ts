// check.ts — the invariant checker (shared/reference/microkernel.md §7.5).
//
// kiCheck() walks every kernel object and capability and verifies the seven invariants:
//   1 caps    every cap names a live object of its type and agrees with it (a CNode cap's radix is
//             its CNode's, an Untyped cap covers user RAM, a Frame names user RAM, a DeviceFrame a
//             device page, an IRQHandler an issued line; a recorded frame mapping is live; a TCB's
//             own slots hold caps of the right types); reference counts equal the caps
//   2 cdt     the derivation tree is well formed (mutual, acyclic links; a derived cap has its
//             parent's type, object, at most its rights and its badge); an Untyped's children lie
//             inside its region and below its watermark
//   3 queues  every thread is in exactly one state or queue; an endpoint queue holds only senders
//             or only receivers
//   4 reply   a reply cap exists iff its caller is blocked waiting for the reply
//   5 ntfn    a notification has waiters only while its word is 0
//   6 sched   the running thread is the highest-priority runnable one, and the core is never idle
//             while a thread is ready
//   7 ipcbuf  an IPC buffer is never a device frame (every thread, its slot and its mapping)
// The first violation is printed on the console with the objects involved (slot, object, thread)
// and kept for ki_json(7). With boot argument mlk.check=1 the check runs after every kernel entry
// and a violation stops the machine (halt code KHALT_INVARIANT): it is a kernel bug.
//
// The checker reads only; it never trusts an address before checking it lies in RAM, so a corrupt
// structure is reported instead of trapping the kernel.

import * as con from "../console";
import { halt, DRAM_BASE } from "../arch";
import { bi, deviceAt, regionAt as bootRegionAt, RSV_INITRD } from "../bootinfo";
import {
  Cte, ObjHeader, CNode, VSpace, Endpoint, Notification, tcbSlot, T_NULL, T_UNTYPED, T_ENDPOINT,
  T_NOTIFICATION, T_REPLY, T_TCB, T_CNODE, T_VSPACE, T_FRAME, T_DEVICE_FRAME, T_IRQ_CONTROL, T_IRQ_HANDLER,
  T_BOOT_IMAGE, T_COUNT, CNODE_MIN_RADIX, CNODE_MAX_RADIX, TS_READY, TS_RUNNING, TS_BLOCKED_SEND,
  TS_BLOCKED_RECV, TS_BLOCKED_REPLY, TS_BLOCKED_NTFN, TS_EXITED, TS_CTABLE, TS_VTABLE, TS_CALLER, TS_IPCBUF,
  TS_FAULTEP, TCB_NSLOTS, EP_IDLE, EP_SEND, EP_RECV, CTE_SHIFT, CF_MAPPED, CF_IOMAPPED, CF_DEVICE,
  TCB_BYTES_LOG2, TCB_HDR, TCB_SLOTS,
} from "../object/structures";
import { KHALT_INVARIANT } from "../abi";
import { cur, tcb, highestReady, readyQueueHead, readyBits, NUM_PRIOS } from "./thread";
import { objectListHead, objectNext, headerOf, objectSizeBits } from "../object/objecttype";
import { hasObject } from "./cspace";
import { pteOf, ptePa, pteIsDevice, vspaceOfAsid, NUM_ASIDS } from "../object/vspace";
import { kmemBase, kmemTotal } from "./kmem";
import { takenPages } from "../frames";
import { MAX_IRQ, VTIMER_LINE, irqHandlerIssued } from "../object/irq";
import { dartLookup } from "../dart";
import { MIN_UNTYPED_BITS, MAX_UNTYPED_BITS } from "../object/untyped";

export let checkEnabled = false;
export function setCheck(on: bool): void { checkEnabled = on; }


// Result codes: the number of the violated invariant (0 = all hold).
const KC_OK: u32 = 0;
const KC_CAPS: u32 = 1;
const KC_CDT: u32 = 2;
const KC_QUEUES: u32 = 3;
const KC_REPLY: u32 = 4;
const KC_NTFN: u32 = 5;
const KC_SCHED: u32 = 6;
const KC_IPCBUF: u32 = 7;

export function invariantName(code: u32): string {
  switch (code) {
    case KC_CAPS: return "caps name live objects of their type";
    case KC_CDT: return "derivation tree well formed";
    case KC_QUEUES: return "thread in exactly one state or queue";
    case KC_REPLY: return "reply cap iff caller waits";
    case KC_NTFN: return "notification waiters only while word is 0";
    case KC_SCHED: return "running thread is the highest runnable";
    case KC_IPCBUF: return "IPC buffer never a device frame";
  }
  return "none";
}

// ---- the last violation (ki_json 7) --------------------------------------------------------------
export let vCode: u32 = 0;
export let vWhat: string = "";
export let vSlot: u64 = 0; // kernel linear address of the capability slot (0 = none)
export let vObject: u64 = 0; // object address / PFN / IRQ the cap or queue names (0 = none)
export let vTid: u32 = 0; // thread involved or owning the slot (0 = none)
export let violations: u32 = 0; // violations found since boot

// @ts-ignore: decorator
@inline function hdr(a: usize): ObjHeader { return changetype<ObjHeader>(a); }
// @ts-ignore: decorator
@inline function slot(a: usize): Cte { return changetype<Cte>(a); }

/** Bytes of RAM (the kernel's linear memory). */
function ramBytes(): u64 { return <u64>memory.size() << 16; }
/** True when [a, a + n) is inside RAM (kernel linear addresses). */
function inRam(a: u64, n: u64): bool { let r = ramBytes(); return a < r && n <= r - a; }

/** The thread whose CSpace or TCB holds slot `sl` (0 = none found). Slow: violations only. */
function ownerOf(sl: usize): u32 {
  let a = objectListHead(T_TCB);
  let guard = 0;
  while (a != 0 && guard++ < 100000) {
    if (sl >= <usize>a + TCB_SLOTS && sl < <usize>a + TCB_SLOTS + (<usize>TCB_NSLOTS << CTE_SHIFT)) return tcb(a).tid;
    let root = tcbSlot(<usize>a, TS_CTABLE);
    if (root.type == T_CNODE && inRam(<u64>root.obj, 32)) {
      let n: u64 = <u64>1 << (<u64>changetype<CNode>(<usize>root.obj).radix & 31);
      if (<u64>sl >= <u64>root.obj && <u64>sl < <u64>root.obj + (n << CTE_SHIFT)) return tcb(a).tid;
    }
    a = objectNext(T_TCB, a);
  }
  return 0;
}

function violation(code: u32, what: string, sl: usize, obj: u64, tid: u32): u32 {
  if (sl != 0 && tid == 0) tid = ownerOf(sl);
  vCode = code; vWhat = what; vSlot = <u64>sl; vObject = obj; vTid = tid;
  violations++;
  con.str("ki_check: invariant "); con.dec(code); con.str(" ("); con.str(invariantName(code)); con.str(") violated: ");
  con.str(what);
  if (sl != 0) { con.str(", slot "); con.hexs(<u64>sl); }
  if (obj != 0) { con.str(", object "); con.hexs(obj); }
  if (tid != 0) { con.str(", thread "); con.dec(tid); }
  con.newline();
  return code;
}

// ---- what a cap may name -------------------------------------------------------------------------

/** Physical range of init's Untyped memory (everything user space may own). */
function userBase(): u64 { return kmemBase() + (<u64>kmemTotal() << 12); }
function userEnd(): u64 { return kmemBase() + (<u64>takenPages << 12); }

function inRamPa(pa: u64): bool { return pa >= bi.ramBase && pa - bi.ramBase < bi.ramSize; }

/** A Frame cap may name a page of user memory or of the boot image (its read-only frames). */
function frameOk(pa: u64): bool {
  if (pa >= userBase() && pa < userEnd()) return true;
  for (let i = 0; i < bi.nRegions; i++) {
    let r = bootRegionAt(i);
    if (r.kind == RSV_INITRD && pa + 4096 > (r.base & ~(<u64>0xfff)) && pa < r.base + r.size) return true;
  }
  return false;
}

/** A DeviceFrame cap names a page of a device register window outside RAM. */
function deviceOk(pa: u64): bool {
  if (inRamPa(pa)) return false;
  if (bi.aicTimebase != 0 && pa == (bi.aicTimebase & ~(<u64>0xfff))) return true;
  for (let i = 0; i < bi.nDevices; i++) {
    let d = deviceAt(i);
    let base = d.base & ~(<u64>0xfff);
    let size = d.size < 4096 ? <u64>4096 : d.size;
    if (pa >= base && pa < d.base + size) return true;
  }
  return false;
}

/** Size in bytes of the object a cap of `type` names (header-bearing types). */
function objBytes(type: u8, bits: u32): u64 { return <u64>1 << objectSizeBits(type, bits); }

// Per-check marks: an object's header flags bit 0x80 = "on its type's list"; pad = caps counted.
const LISTED: u8 = 0x80;
const irqCount: usize = memory.data(<i32>(VTIMER_LINE + 1) * 4, 4);

/** Checks one capability slot (invariants 1, 2, 4). */
function checkSlot(sl: usize): u32 {
  let c = slot(sl);
  let type = c.type;
  if (type == T_NULL) {
    if (c.parent != 0 || c.child != 0 || c.next != 0 || c.prev != 0) return violation(KC_CDT, "empty slot with CDT links", sl, 0, 0);
    return 0;
  }
  if (type >= T_COUNT) return violation(KC_CAPS, "cap of an unknown type", sl, <u64>type, 0);
  let r = checkCapObject(sl, c);
  if (r != 0) return r;
  return checkCdt(sl, c);
}

/** Invariant 1: the cap names a live object of its type and agrees with it. */
function checkCapObject(sl: usize, c: Cte): u32 {
  let type = c.type;
  if (hasObject(type)) {
    let a = <u64>c.obj;
    let bits: u32 = type == T_CNODE ? <u32>(c.data & 0xff) : 0;
    if (type == T_CNODE && (c.data < <u64>CNODE_MIN_RADIX || c.data > <u64>CNODE_MAX_RADIX)) return violation(KC_CAPS, "CNode cap with an impossible radix", sl, a, 0);
    if (!inRam(a, objBytes(type, bits)) || a < 0x1000) return violation(KC_CAPS, "cap names an address outside RAM", sl, a, 0);
    let h = hdr(<usize>headerOf(type, c.obj));
    if (h.otype != type || (h.flags & LISTED) == 0) return violation(KC_CAPS, "cap names a dead object or one of another type", sl, a, 0);
    if (type == T_CNODE && changetype<CNode>(<usize>c.obj).radix != bits) return violation(KC_CAPS, "CNode cap's size differs from its CNode's", sl, a, 0);
    h.pad++;
    return 0;
  }
  switch (type) {
    case T_REPLY: {
      let a = <u64>c.obj;
      if (!inRam(a, <u64>1 << TCB_BYTES_LOG2)) return violation(KC_CAPS, "reply cap names an address outside RAM", sl, a, 0);
      let h = hdr(<usize>a + TCB_HDR);
      if (h.otype != T_TCB || (h.flags & LISTED) == 0) return violation(KC_CAPS, "reply cap names a dead thread", sl, a, 0);
      let t = tcb(c.obj);
      if (t.state != TS_BLOCKED_REPLY || t.replySlot != <u32>sl) return violation(KC_REPLY, "reply cap to a thread not waiting for it", sl, a, t.tid);
      if (c.parent != 0 || c.child != 0) return violation(KC_CDT, "reply cap in the CDT", sl, a, 0);
      return 0;
    }
    case T_UNTYPED: {
      let bits = <u32>(c.data & 0xff);
      let base = <u64>c.obj << 12;
      if (bits < MIN_UNTYPED_BITS || bits > MAX_UNTYPED_BITS) return violation(KC_CAPS, "Untyped cap with an impossible size", sl, base, 0);
      let size = <u64>1 << bits;
      if ((base & (size - 1)) != 0) return violation(KC_CAPS, "Untyped cap not aligned to its size", sl, base, 0);
      if ((c.data >> 8) > size) return violation(KC_CAPS, "Untyped watermark beyond its region", sl, base, 0);
      if ((c.flags & CF_DEVICE) != 0) {
        if (inRamPa(base) || inRamPa(base + size - 1)) return violation(KC_CAPS, "device Untyped covers RAM", sl, base, 0);
      } else if (base < userBase() || base + size > userEnd()) {
        return violation(KC_CAPS, "Untyped cap outside user memory", sl, base, 0);
      }
      return 0;
    }
    case T_FRAME:
    case T_DEVICE_FRAME: {
      let pa = <u64>c.obj << 12;
      if (type == T_FRAME && !frameOk(pa)) return violation(KC_CAPS, "Frame cap names a page that is not user memory", sl, pa, 0);
      if (type == T_DEVICE_FRAME && !deviceOk(pa)) return violation(KC_CAPS, "DeviceFrame cap names no device page", sl, pa, 0);
      if ((c.flags & CF_MAPPED) != 0) {
        let asid = <u32>(c.data & 0xfff);
        let va = c.data & ~(<u64>0xfff);
        let vs = asid < NUM_ASIDS ? vspaceOfAsid(asid) : 0;
        if (vs == 0) return violation(KC_CAPS, "frame cap records a mapping in a dead address space", sl, pa, 0);
        let pte = pteOf(vs, va);
        if (pte == 0 || ptePa(pte) != pa) return violation(KC_CAPS, "frame cap records a mapping that is gone", sl, pa, 0);
        if (pteIsDevice(pte) != (type == T_DEVICE_FRAME)) return violation(KC_CAPS, "frame mapped with the wrong memory type", sl, pa, 0);
      } else if ((c.flags & CF_IOMAPPED) != 0) {
        // a DMA mapping (object/iospace.ts): data = iova | stream, and the DART maps that frame there
        if (type != T_FRAME) return violation(KC_CAPS, "DeviceFrame cap mapped for DMA", sl, pa, 0);
        let sid = <u32>(c.data & 0xfff);
        let iova = c.data & ~(<u64>0xfff);
        if (dartLookup(sid, iova) != <i64>pa) return violation(KC_CAPS, "frame cap records a DMA mapping that is gone", sl, pa, 0);
      } else if (c.data != 0) {
        return violation(KC_CAPS, "unmapped frame cap with a mapping address", sl, pa, 0);
      }
      return 0;
    }
    case T_IRQ_HANDLER: {
      let irq = c.obj;
      if (irq != VTIMER_LINE && (irq >= MAX_IRQ || (bi.aicNrIrq != 0 && irq >= bi.aicNrIrq))) return violation(KC_CAPS, "IRQHandler cap names no interrupt line", sl, <u64>irq, 0);
      if (!irqHandlerIssued(irq)) return violation(KC_CAPS, "IRQHandler cap for a line never issued", sl, <u64>irq, 0);
      let p = irqCount + (<usize>irq << 2);
      store<u32>(p, load<u32>(p) + 1);
      return 0;
    }
    case T_IRQ_CONTROL:
    case T_BOOT_IMAGE:
      if (c.obj != 0) return violation(KC_CAPS, "singleton cap names an object", sl, <u64>c.obj, 0);
      return 0;
  }
  return 0;
}

/** Invariant 2: CDT links, derivation rules, Untyped children inside their parent. */
function checkCdt(sl: usize, c: Cte): u32 {
  if (c.next != 0) {
    if (!inRam(<u64>c.next, 32) || slot(<usize>c.next).prev != <u32>sl) return violation(KC_CDT, "sibling links not mutual", sl, 0, 0);
  }
  if (c.child != 0) {
    if (!inRam(<u64>c.child, 32)) return violation(KC_CDT, "child link outside RAM", sl, 0, 0);
    let k = slot(<usize>c.child);
    if (k.parent != <u32>sl || k.prev != 0) return violation(KC_CDT, "first child does not point back", sl, 0, 0);
  }
  if (c.parent == 0) {
    if (c.prev != 0 || c.next != 0) return violation(KC_CDT, "root cap with siblings", sl, 0, 0);
    return 0;
  }
  if (!inRam(<u64>c.parent, 32)) return violation(KC_CDT, "parent link outside RAM", sl, 0, 0);
  let p = slot(<usize>c.parent);
  if (p.type == T_NULL) return violation(KC_CDT, "parent slot is empty", sl, 0, 0);
  if (c.prev != 0) {
    if (!inRam(<u64>c.prev, 32) || slot(<usize>c.prev).next != <u32>sl || slot(<usize>c.prev).parent != c.parent) return violation(KC_CDT, "sibling links not mutual", sl, 0, 0);
  } else if (p.child != <u32>sl) {
    return violation(KC_CDT, "child missing from its parent's list", sl, 0, 0);
  }
  if (p.type == T_UNTYPED) {
    // made by Retype: inside the parent's region, below its watermark
    let base = <u64>p.obj << 12;
    let top = base + (p.data >> 8);
    let lo: u64, size: u64;
    if (c.type == T_FRAME || c.type == T_DEVICE_FRAME) { lo = <u64>c.obj << 12; size = 4096; }
    else if (c.type == T_UNTYPED) { lo = <u64>c.obj << 12; size = <u64>1 << (c.data & 0xff); }
    else if (hasObject(c.type)) { lo = DRAM_BASE + <u64>c.obj; size = objBytes(c.type, <u32>(c.data & 0xff)); }
    else return violation(KC_CDT, "a cap of this type cannot come from Untyped", sl, <u64>c.obj, 0);
    if (lo < base || lo + size > top) return violation(KC_CDT, "Untyped child outside its parent's region or above its watermark", sl, lo, 0);
  } else {
    // made by Copy/Mint: same type and object, no more rights, the parent's badge if it had one
    if (p.type != c.type || p.obj != c.obj) return violation(KC_CDT, "derived cap names another object than its parent", sl, <u64>c.obj, 0);
    if ((c.rights & ~p.rights) != 0) return violation(KC_CDT, "derived cap has rights its parent lacks", sl, <u64>c.obj, 0);
    if ((c.type == T_ENDPOINT || c.type == T_NOTIFICATION) && p.data != 0 && c.data != p.data) return violation(KC_CDT, "derived cap changed its parent's badge", sl, <u64>c.obj, 0);
  }
  // no cycles: the ancestor chain ends
  let anc = <usize>c.parent;
  let depth = 0;
  while (anc != 0) {
    if (!inRam(<u64>anc, 32) || ++depth > 1000000) return violation(KC_CDT, "cycle in the CDT", sl, 0, 0);
    anc = <usize>slot(anc).parent;
  }
  return 0;
}

const CHECK_TYPES: StaticArray<u8> = [T_TCB, T_ENDPOINT, T_NOTIFICATION, T_CNODE, T_VSPACE];
const MAX_OBJECTS: u32 = 1 << 20;

/** Marks every listed object (LISTED, pad = 0); a list that is not a chain of live objects is a violation. */
function markObjects(): u32 {
  for (let i = 0; i < CHECK_TYPES.length; i++) {
    let ty = unchecked(CHECK_TYPES[i]);
    let a = objectListHead(ty);
    let n: u32 = 0;
    while (a != 0) {
      if (!inRam(<u64>headerOf(ty, a), 16)) return violation(KC_CAPS, "object list runs outside RAM", 0, <u64>a, 0);
      let h = hdr(<usize>headerOf(ty, a));
      if (h.otype != ty) return violation(KC_CAPS, "object on its type's list has another type", 0, <u64>a, 0);
      if ((h.flags & LISTED) != 0 || ++n > MAX_OBJECTS) return violation(KC_CAPS, "object list has a cycle", 0, <u64>a, 0);
      h.flags |= LISTED;
      h.pad = 0;
      a = h.next;
    }
  }
  return 0;
}

function unmarkObjects(): void {
  for (let i = 0; i < CHECK_TYPES.length; i++) {
    let ty = unchecked(CHECK_TYPES[i]);
    let a = objectListHead(ty);
    let n: u32 = 0;
    while (a != 0 && inRam(<u64>headerOf(ty, a), 16) && n++ < MAX_OBJECTS) {
      let h = hdr(<usize>headerOf(ty, a));
      if ((h.flags & LISTED) == 0) break;
      h.flags &= ~LISTED;
      h.pad = 0;
      a = h.next;
    }
  }
}

/** Length of a thread queue (endpoint / notification), or -1 when it is not a chain of listed TCBs. */
function queueLen(head: u32, tail: u32): i32 {
  let x = head;
  let prev: u32 = 0;
  let n = 0;
  while (x != 0) {
    if (!isListedTcb(x) || tcb(x).epPrev != prev || ++n > <i32>MAX_OBJECTS) return -1;
    prev = x;
    x = tcb(x).epNext;
  }
  return prev == tail ? n : -1;
}

function isListedTcb(a: u32): bool {
  if (!inRam(<u64>a, <u64>1 << TCB_BYTES_LOG2)) return false;
  let h = hdr(<usize>a + TCB_HDR);
  return h.otype == T_TCB && (h.flags & LISTED) != 0;
}

function isListed(type: u8, a: u32): bool {
  if (a == 0 || !inRam(<u64>a, 16)) return false;
  let h = hdr(<usize>a);
  return h.otype == type && (h.flags & LISTED) != 0;
}

/** Runs every check; returns 0 or the first violated invariant's number (printed). */
export function kiCheck(): u32 {
  let r = markObjects();
  if (r == 0) r = checkAll();
  unmarkObjects();
  return r;
}

function checkAll(): u32 {
  let r: u32 = 0;
  // ---- 3. scheduler queues: every ready thread on exactly the queue of its priority
  let readyCount = 0;
  for (let p: u32 = 0; p < NUM_PRIOS; p++) {
    let t = readyQueueHead(p);
    let has = (readyBits() & (1 << p)) != 0;
    if (has != (t != 0)) return violation(KC_QUEUES, "ready bitmap disagrees with the ready queue", 0, <u64>p, 0);
    let prev: u32 = 0;
    while (t != 0) {
      if (!isListedTcb(t)) return violation(KC_QUEUES, "ready queue holds a dead thread", 0, <u64>t, 0);
      let th = tcb(t);
      if (th.state != TS_READY || th.prio != p) return violation(KC_QUEUES, "thread on a ready queue is not ready at that priority", 0, <u64>t, th.tid);
      if (th.schedPrev != prev) return violation(KC_QUEUES, "ready queue links broken", 0, <u64>t, th.tid);
      prev = t;
      t = th.schedNext;
      if (++readyCount > <i32>MAX_OBJECTS) return violation(KC_QUEUES, "ready queue cycle", 0, <u64>p, 0);
    }
  }
  if (cur != 0 && !isListedTcb(cur)) return violation(KC_QUEUES, "current thread is dead", 0, <u64>cur, 0);
  let nReady = 0;
  let nWaiting = 0; // threads blocked on an endpoint or a notification
  let a = objectListHead(T_TCB);
  while (a != 0) {
    let th = tcb(a);
    let st = th.state;
    if (st > TS_EXITED) return violation(KC_QUEUES, "thread in an unknown state", 0, <u64>a, th.tid);
    if (st == TS_READY) nReady++;
    if (st == TS_RUNNING && a != cur) return violation(KC_QUEUES, "running thread is not the current one", 0, <u64>a, th.tid);
    if (st != TS_READY && (th.schedNext != 0 || th.schedPrev != 0)) return violation(KC_QUEUES, "thread not ready but linked on a ready queue", 0, <u64>a, th.tid);
    if (st == TS_BLOCKED_REPLY) {
      let rs = th.replySlot;
      if (rs == 0 || !inRam(<u64>rs, 32) || slot(<usize>rs).type != T_REPLY || slot(<usize>rs).obj != a) return violation(KC_REPLY, "caller blocked on reply without a reply cap", 0, <u64>a, th.tid);
    } else if (th.replySlot != 0) return violation(KC_REPLY, "reply slot recorded for a thread not waiting", 0, <u64>a, th.tid);
    if (st == TS_BLOCKED_SEND || st == TS_BLOCKED_RECV) {
      nWaiting++;
      if (!isListed(T_ENDPOINT, th.blockedOn)) return violation(KC_QUEUES, "blocked thread without a live endpoint", 0, <u64>th.blockedOn, th.tid);
      let e = changetype<Endpoint>(<usize>th.blockedOn);
      if (e.state != (st == TS_BLOCKED_SEND ? EP_SEND : EP_RECV)) return violation(KC_QUEUES, "endpoint state disagrees with a queued thread", 0, <u64>th.blockedOn, th.tid);
    } else if (st == TS_BLOCKED_NTFN) {
      nWaiting++;
      if (!isListed(T_NOTIFICATION, th.blockedOn)) return violation(KC_NTFN, "waiting thread without a live notification", 0, <u64>th.blockedOn, th.tid);
    } else if (th.blockedOn != 0 || th.epNext != 0 || th.epPrev != 0) {
      return violation(KC_QUEUES, "thread not blocked but on a wait queue", 0, <u64>th.blockedOn, th.tid);
    }
    if (th.boundNtfn != 0 && (!isListed(T_NOTIFICATION, th.boundNtfn) || changetype<Notification>(<usize>th.boundNtfn).boundTcb != a)) return violation(KC_NTFN, "binding to a notification not mutual", 0, <u64>th.boundNtfn, th.tid);
    // the TCB's own slots hold caps of the right type (invariants 1, 7)
    let s0 = tcbSlot(<usize>a, TS_CTABLE).type, s1 = tcbSlot(<usize>a, TS_VTABLE).type;
    let s2 = tcbSlot(<usize>a, TS_CALLER).type, s3 = tcbSlot(<usize>a, TS_IPCBUF).type, s4 = tcbSlot(<usize>a, TS_FAULTEP).type;
    if (s0 != T_NULL && s0 != T_CNODE) return violation(KC_CAPS, "CSpace root slot holds a non-CNode cap", changetype<usize>(tcbSlot(<usize>a, TS_CTABLE)), 0, th.tid);
    if (s1 != T_NULL && s1 != T_VSPACE) return violation(KC_CAPS, "address-space slot holds a non-VSpace cap", changetype<usize>(tcbSlot(<usize>a, TS_VTABLE)), 0, th.tid);
    if (s2 != T_NULL && s2 != T_REPLY) return violation(KC_REPLY, "caller slot holds a non-reply cap", changetype<usize>(tcbSlot(<usize>a, TS_CALLER)), 0, th.tid);
    if (s4 != T_NULL && s4 != T_ENDPOINT) return violation(KC_CAPS, "fault-handler slot holds a non-endpoint cap", changetype<usize>(tcbSlot(<usize>a, TS_FAULTEP)), 0, th.tid);
    if (s3 != T_NULL && s3 != T_FRAME) return violation(KC_IPCBUF, "IPC-buffer slot holds a device frame or a non-frame cap", changetype<usize>(tcbSlot(<usize>a, TS_IPCBUF)), 0, th.tid);
    r = checkIpcBuffer(a);
    if (r != 0) return r;
    a = objectNext(T_TCB, a);
  }
  if (nReady != readyCount) return violation(KC_QUEUES, "ready threads not on exactly one ready queue", 0, <u64>nReady, 0);
  if (cur != 0 && tcb(cur).state != TS_RUNNING) return violation(KC_QUEUES, "current thread is not running", 0, <u64>cur, tcb(cur).tid);

  // ---- 3 and 5. endpoints and notifications
  let queued = 0;
  a = objectListHead(T_ENDPOINT);
  while (a != 0) {
    let e = changetype<Endpoint>(<usize>a);
    if (e.state > EP_RECV) return violation(KC_QUEUES, "endpoint in an unknown state", 0, <u64>a, 0);
    if ((e.qHead == 0) != (e.state == EP_IDLE)) return violation(KC_QUEUES, "endpoint idle state disagrees with its queue", 0, <u64>a, 0);
    let n = queueLen(e.qHead, e.qTail);
    if (n < 0) return violation(KC_QUEUES, "endpoint queue links broken", 0, <u64>a, 0);
    queued += n;
    let want = e.state == EP_SEND ? TS_BLOCKED_SEND : TS_BLOCKED_RECV;
    let t = e.qHead;
    while (t != 0) {
      if (tcb(t).state != want || tcb(t).blockedOn != a) return violation(KC_QUEUES, "endpoint queue mixes senders and receivers", 0, <u64>a, tcb(t).tid);
      t = tcb(t).epNext;
    }
    a = objectNext(T_ENDPOINT, a);
  }
  a = objectListHead(T_NOTIFICATION);
  while (a != 0) {
    let n = changetype<Notification>(<usize>a);
    if (n.qHead != 0 && n.word != 0) return violation(KC_NTFN, "notification has waiters and a non-zero word", 0, <u64>a, tcb(n.qHead).tid);
    let len = queueLen(n.qHead, n.qTail);
    if (len < 0) return violation(KC_NTFN, "notification queue links broken", 0, <u64>a, 0);
    queued += len;
    let t = n.qHead;
    while (t != 0) {
      if (tcb(t).state != TS_BLOCKED_NTFN || tcb(t).blockedOn != a) return violation(KC_NTFN, "notification queue holds a thread not waiting on it", 0, <u64>a, tcb(t).tid);
      t = tcb(t).epNext;
    }
    if (n.boundTcb != 0 && (!isListedTcb(n.boundTcb) || tcb(n.boundTcb).boundNtfn != a)) return violation(KC_NTFN, "binding to a thread not mutual", 0, <u64>a, 0);
    a = objectNext(T_NOTIFICATION, a);
  }
  if (queued != nWaiting) return violation(KC_QUEUES, "blocked threads not on exactly one wait queue", 0, <u64>queued, 0);

  // ---- 6. the running thread outranks every ready one; never idle while one is ready
  if (cur != 0 && highestReady() > <i32>tcb(cur).prio) return violation(KC_SCHED, "a ready thread outranks the running one", 0, <u64>cur, tcb(cur).tid);
  if (cur == 0 && highestReady() >= 0) return violation(KC_SCHED, "idle while a thread is ready", 0, 0, tcb(readyQueueHead(<u32>highestReady())).tid);

  // ---- 1 and 2. capabilities: every slot of every CNode and TCB; reference counts
  memory.fill(irqCount, 0, <usize>(VTIMER_LINE + 1) * 4);
  a = objectListHead(T_CNODE);
  while (a != 0) {
    let radix = changetype<CNode>(<usize>a).radix;
    if (radix < CNODE_MIN_RADIX || radix > CNODE_MAX_RADIX || !inRam(<u64>a, <u64>1 << (radix + CTE_SHIFT))) return violation(KC_CAPS, "CNode of an impossible size", 0, <u64>a, 0);
    let n: u32 = 1 << radix;
    for (let i: u32 = 1; i < n; i++) { r = checkSlot(<usize>a + (<usize>i << CTE_SHIFT)); if (r != 0) return r; }
    a = objectNext(T_CNODE, a);
  }
  a = objectListHead(T_TCB);
  while (a != 0) {
    for (let i: u32 = 0; i < TCB_NSLOTS; i++) { r = checkSlot(changetype<usize>(tcbSlot(<usize>a, i))); if (r != 0) return r; }
    a = objectNext(T_TCB, a);
  }
  for (let i = 0; i < CHECK_TYPES.length; i++) {
    let ty = unchecked(CHECK_TYPES[i]);
    a = objectListHead(ty);
    while (a != 0) {
      let h = hdr(<usize>headerOf(ty, a));
      if (<u32>h.pad != h.refs) return violation(KC_CAPS, "object reference count differs from its caps", 0, <u64>a, ty == T_TCB ? tcb(a).tid : 0);
      if (h.refs == 0) return violation(KC_CAPS, "live object without a cap", 0, <u64>a, ty == T_TCB ? tcb(a).tid : 0);
      a = h.next;
    }
  }
  for (let irq: u32 = 0; irq <= VTIMER_LINE; irq++) {
    if (irq >= MAX_IRQ && irq != VTIMER_LINE) continue;
    if ((load<u32>(irqCount + (<usize>irq << 2)) != 0) != irqHandlerIssued(irq)) return violation(KC_CAPS, "IRQ line issued without a handler cap, or the reverse", 0, <u64>irq, 0);
  }
  return KC_OK;
}

/** Invariant 7 for one thread: its IPC buffer, as recorded and as mapped, is ordinary RAM. */
function checkIpcBuffer(a: u32): u32 {
  let th = tcb(a);
  if (th.ipcBufPa != 0 && !frameOk(th.ipcBufPa & ~(<u64>0xfff)) && !kernelPage(th.ipcBufPa)) return violation(KC_IPCBUF, "IPC buffer is not RAM", 0, th.ipcBufPa, th.tid);
  if (th.ipcBufVa == 0) return 0;
  let vs = tcbSlot(<usize>a, TS_VTABLE);
  if (vs.type != T_VSPACE) return 0;
  let pte = pteOf(<usize>vs.obj, th.ipcBufVa);
  if (pte != 0 && (pteIsDevice(pte) || !inRamPa(ptePa(pte)))) return violation(KC_IPCBUF, "IPC buffer mapped to a device page", 0, ptePa(pte), th.tid);
  return 0;
}

/** A page of the kernel pool (the kernel makes IPC buffers for the processes it loads). */
function kernelPage(pa: u64): bool { return pa >= kmemBase() && pa < userBase(); }

/** After-entry hook (mlk.check=1): a violation is a kernel bug, so the machine stops. */
export function kiCheckAfterEntry(): void {
  if (kiCheck() != 0) {
    con.line("ki_check failed after a kernel entry: halting");
    halt(KHALT_INVARIANT);
  }
}
