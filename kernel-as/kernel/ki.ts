// ki.ts — kernel introspection (D10) and the invariant checker.
//
// ki_json(what, arg) writes JSON text into a static buffer (no allocation) and returns its length;
// ki_buf() is the buffer's address. what: 0 threads, 1 CSpace of thread `arg` (tid), 2 address
// space of thread `arg`, 3 endpoints + notifications, 4 memory (with a per-frame map), 5 counters,
// 6 one thread with its saved EL0 register file, 7 the checker's last violation.
// A process is identified by its thread id (one thread per process today): pid = tid.
//
// 7 the last invariant violation the checker found (check.ts: invariant number and name, what,
// slot, object, thread).

import * as con from "../console";
import { DRAM_BASE } from "../arch";
import { bi, regionAt as bootRegionAt, RSV_KERNEL, RSV_INITRD, RSV_LOWMEM } from "../bootinfo";
import {
  Tcb, Cte, CNode, VSpace, Endpoint, Notification, regionAt, tcbSlot, typeName, stateName, regionName, T_NULL,
  T_ENDPOINT, T_NOTIFICATION, T_TCB, T_CNODE, T_VSPACE, T_REPLY, T_FRAME, T_DEVICE_FRAME, T_UNTYPED,
  TS_BLOCKED_SEND, TS_BLOCKED_RECV, TS_BLOCKED_REPLY, TS_BLOCKED_NTFN, TS_VTABLE, TCB_NSLOTS, TCB_NAME,
  EP_SEND, EP_RECV, R_READ, R_WRITE, R_GRANT, MAP_EXEC, RG_DEMAND, CTE_SHIFT, CF_MAPPED, TS_EXITED,
} from "../object/structures";
import { cur, tcb, switches } from "./thread";
import { objectListHead, objectNext } from "../object/objecttype";
import { nextMapped, pteOf, ptePa, pteRights, pteKind, pteIsDevice, USER_VA_LIMIT, countLeaves } from "../object/vspace";
import { kmemTotal, kmemFree, kmemUsed, kmemBase, kmemKindAt, K_KINDS, K_PT, K_DEMAND, K_DATA, K_IPCBUF, kindName } from "./kmem";
import { syscalls, fastpaths } from "./syscall";
import { entries } from "./entry";
import { faultCount } from "./fault";
import { framesTotal, framesFree, takenPages } from "../frames";
import { vCode, vWhat, vSlot, vObject, vTid, violations, invariantName } from "./check";


// ---- JSON writer ------------------------------------------------------------------------------
const KI_BUF_BYTES: u32 = 256 * 1024;
const kbuf: usize = memory.data(<i32>KI_BUF_BYTES, 8);
let pos: u32 = 0;
let full = false;

function ch(c: u32): void {
  if (pos >= KI_BUF_BYTES - 1) { full = true; return; }
  store<u8>(kbuf + pos++, <u8>c);
}
function s(x: string): void { for (let i = 0; i < x.length; i++) ch(<u32>x.charCodeAt(i)); }
function num(v: u64): void {
  let tmp = memory.data(24);
  let n = 0;
  do { store<u8>(tmp + n, <u8>(48 + <u32>(v % 10))); v /= 10; n++; } while (v != 0);
  while (n > 0) { n--; ch(load<u8>(tmp + n)); }
}
function hexq(v: u64): void {
  ch(34); ch(48); ch(120);
  let digits = 1;
  while (digits < 16 && (v >> (<u64>digits * 4)) != 0) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    let d = <u32>(v >> (<u64>i * 4)) & 0xf;
    ch(d < 10 ? 48 + d : 87 + d);
  }
  ch(34);
}
function key(k: string): void { ch(34); s(k); ch(34); ch(58); }
function str(v: string): void { ch(34); s(v); ch(34); }
function cstrq(p: usize, max: i32): void {
  ch(34);
  for (let i = 0; i < max; i++) {
    let c = <u32>load<u8>(p + i);
    if (c == 0) break;
    if (c == 34 || c == 92) { ch(92); ch(c); } else if (c < 32 || c > 126) ch(63); else ch(c);
  }
  ch(34);
}
function rights(r: u32): void {
  ch(34);
  ch((r & R_READ) != 0 ? 82 : 45);
  ch((r & R_WRITE) != 0 ? 87 : 45);
  ch((r & R_GRANT) != 0 ? 71 : 45);
  ch(34);
}
function comma(first: bool): void { if (!first) ch(44); }

export function kiBuf(): usize { return kbuf; }

/** Finds a thread by tid (0 = none). */
function byTid(tid: u32): u32 {
  let a = objectListHead(T_TCB);
  while (a != 0) {
    if (tcb(a).tid == tid) return a;
    a = objectNext(T_TCB, a);
  }
  return 0;
}

function blockedKind(t: Tcb): string {
  switch (t.state) {
    case TS_BLOCKED_SEND: case TS_BLOCKED_RECV: return "endpoint";
    case TS_BLOCKED_NTFN: return "notification";
    case TS_BLOCKED_REPLY: return "reply";
  }
  return "none";
}

function objId(type: u8, a: u32): u32 {
  switch (type) {
    case T_ENDPOINT: return changetype<Endpoint>(<usize>a).id;
    case T_NOTIFICATION: return changetype<Notification>(<usize>a).id;
    case T_CNODE: return changetype<CNode>(<usize>a).id;
    case T_VSPACE: return changetype<VSpace>(<usize>a).id;
    case T_TCB: case T_REPLY: return tcb(a).tid;
  }
  return a;
}

function threads(): void {
  ch(91);
  let first = true;
  let a = objectListHead(T_TCB);
  while (a != 0) {
    let t = tcb(a);
    comma(first); first = false;
    ch(123);
    key("pid"); num(t.tid); ch(44);
    key("tid"); num(t.tid); ch(44);
    key("name"); cstrq(<usize>a + TCB_NAME, 23); ch(44);
    key("state"); str(stateName(t.state)); ch(44);
    key("blocked_on"); str(blockedKind(t)); ch(44);
    key("blocked_object"); num(t.blockedOn == 0 ? 0 : objId(t.state == TS_BLOCKED_NTFN ? T_NOTIFICATION : T_ENDPOINT, t.blockedOn)); ch(44);
    key("priority"); num(t.prio); ch(44);
    key("mcp"); num(t.mcp); ch(44);
    key("cpu_ticks"); num(t.cpuTicks); ch(44);
    key("scheduled"); num(t.switchedIn); ch(44);
    key("faults"); num(t.faults); ch(44);
    key("fault_kind"); num(t.faultKind); ch(44);
    key("fault_addr"); hexq(t.faultAddr); ch(44);
    key("exit_code"); num(t.state == TS_EXITED ? t.faultCode : 0); ch(44);
    key("pc"); hexq(t.r8); ch(44);
    key("bound_notification"); num(t.boundNtfn == 0 ? 0 : changetype<Notification>(<usize>t.boundNtfn).id); ch(44);
    let vs = tcbSlot(<usize>a, TS_VTABLE);
    key("asid"); num(vs.type == T_VSPACE ? changetype<VSpace>(<usize>vs.obj).asid : 0); ch(44);
    key("current"); s(a == cur ? "true" : "false");
    ch(125);
    a = objectNext(T_TCB, a);
  }
  ch(93);
}

function capJson(sl: usize, index: u32): void {
  let c = changetype<Cte>(sl);
  ch(123);
  key("slot"); num(index); ch(44);
  key("addr"); hexq(sl); ch(44);
  key("type"); str(typeName(c.type)); ch(44);
  key("object"); hexq(c.obj); ch(44);
  key("object_id"); num(objId(c.type, c.obj)); ch(44);
  key("rights"); rights(c.rights); ch(44);
  key("badge"); num(c.type == T_ENDPOINT || c.type == T_NOTIFICATION ? c.data : 0); ch(44);
  if (c.type == T_UNTYPED) { key("size_bits"); num(c.data & 0xff); ch(44); key("used"); num(c.data >> 8); ch(44); }
  if ((c.type == T_FRAME || c.type == T_DEVICE_FRAME) && (c.flags & CF_MAPPED) != 0) { key("mapped_va"); hexq(c.data & ~(<u64>0xfff)); ch(44); }
  key("parent"); hexq(c.parent);
  ch(125);
}

function cspace(tid: u32): void {
  let a = byTid(tid);
  if (a == 0) { s("null"); return; }
  let root = tcbSlot(<usize>a, 0);
  ch(123);
  key("tid"); num(tid); ch(44);
  if (root.type == T_CNODE) {
    key("cnode"); num(changetype<CNode>(<usize>root.obj).id); ch(44);
    key("radix"); num(root.data); ch(44);
  }
  key("slots"); ch(91);
  let first = true;
  if (root.type == T_CNODE) {
    let n: u32 = 1 << <u32>root.data;
    for (let i: u32 = 1; i < n && !full; i++) {
      let sl = <usize>root.obj + (<usize>i << CTE_SHIFT);
      if (changetype<Cte>(sl).type == T_NULL) continue;
      comma(first); first = false;
      capJson(sl, i);
    }
  }
  ch(93); ch(44);
  key("tcb_slots"); ch(91);
  first = true;
  for (let i: u32 = 0; i < TCB_NSLOTS; i++) {
    let sl = changetype<usize>(tcbSlot(<usize>a, i));
    if (changetype<Cte>(sl).type == T_NULL) continue;
    comma(first); first = false;
    capJson(sl, i);
  }
  ch(93);
  ch(125);
}

function vspaceJson(tid: u32): void {
  let a = byTid(tid);
  let vc = a == 0 ? changetype<Cte>(0) : tcbSlot(<usize>a, TS_VTABLE);
  if (a == 0 || vc.type != T_VSPACE) { s("null"); return; }
  let vs = <usize>vc.obj;
  let v = changetype<VSpace>(vs);
  ch(123);
  key("tid"); num(tid); ch(44);
  key("id"); num(v.id); ch(44);
  key("asid"); num(v.asid); ch(44);
  key("ttbr0"); hexq(v.l0Pa | (<u64>v.asid << 48)); ch(44);
  key("page_table_pages"); num(v.ptPages); ch(44);
  key("demand_pages"); num(v.demandPages); ch(44);
  key("frame_pages"); num(v.mappedPages); ch(44);
  key("quota_pages"); num(v.quota); ch(44);
  key("charged_pages"); num(v.charged); ch(44);
  key("regions"); ch(91);
  for (let i: u32 = 0; i < v.nRegions; i++) {
    let r = regionAt(vs, i);
    comma(i == 0);
    ch(123);
    key("start"); hexq(r.start); ch(44);
    key("end"); hexq(r.end); ch(44);
    key("kind"); str(regionName(r.kind)); ch(44);
    key("rights"); ch(34); ch((r.rights & R_READ) != 0 ? 82 : 45); ch((r.rights & R_WRITE) != 0 ? 87 : 45); ch((r.rights & MAP_EXEC) != 0 ? 88 : 45); ch(34); ch(44);
    key("demand_zero"); s((r.rights & RG_DEMAND) != 0 ? "true" : "false");
    ch(125);
  }
  ch(93); ch(44);
  key("pages"); ch(91);
  let va = nextMapped(vs, 0);
  let first = true;
  let n = 0;
  while (va < USER_VA_LIMIT && n < 2048 && !full) {
    let pte = pteOf(vs, va);
    comma(first); first = false;
    ch(123);
    key("va"); hexq(va); ch(44);
    key("pa"); hexq(ptePa(pte)); ch(44);
    let r = pteRights(pte);
    key("rights"); ch(34); ch(82); ch((r & R_WRITE) != 0 ? 87 : 45); ch((r & MAP_EXEC) != 0 ? 88 : 45); ch(34); ch(44);
    let k = pteKind(pte);
    key("kind"); str(k != 0 ? kindName(k - 1) : pteIsDevice(pte) ? "device" : "frame");
    ch(125);
    n++;
    va = nextMapped(vs, va + 4096);
  }
  ch(93); ch(44);
  key("mapped"); num(countLeaves(vs));
  ch(125);
}

function queue(head: u32): void {
  ch(91);
  let t = head;
  let first = true;
  while (t != 0) { comma(first); first = false; num(tcb(t).tid); t = tcb(t).epNext; }
  ch(93);
}

function ipcObjects(): void {
  ch(123);
  key("endpoints"); ch(91);
  let first = true;
  let a = objectListHead(T_ENDPOINT);
  while (a != 0 && !full) {
    let e = changetype<Endpoint>(<usize>a);
    comma(first); first = false;
    ch(123);
    key("id"); num(e.id); ch(44);
    key("addr"); hexq(a); ch(44);
    key("state"); str(e.state == EP_SEND ? "send" : e.state == EP_RECV ? "recv" : "idle"); ch(44);
    key("refs"); num(e.refs); ch(44);
    key("queue"); queue(e.qHead);
    ch(125);
    a = objectNext(T_ENDPOINT, a);
  }
  ch(93); ch(44);
  key("notifications"); ch(91);
  first = true;
  a = objectListHead(T_NOTIFICATION);
  while (a != 0 && !full) {
    let n = changetype<Notification>(<usize>a);
    comma(first); first = false;
    ch(123);
    key("id"); num(n.id); ch(44);
    key("addr"); hexq(a); ch(44);
    key("word"); hexq(n.word); ch(44);
    key("refs"); num(n.refs); ch(44);
    key("bound_tid"); num(n.boundTcb == 0 ? 0 : tcb(n.boundTcb).tid); ch(44);
    key("irq"); if (n.irq < 0) s("null"); else num(<u64>n.irq); ch(44);
    key("waiters"); queue(n.qHead);
    ch(125);
    a = objectNext(T_NOTIFICATION, a);
  }
  ch(93);
  ch(125);
}

function memoryJson(): void {
  ch(123);
  key("page_size"); num(4096); ch(44);
  key("ram_frames"); num(framesTotal()); ch(44);
  key("boot_free_frames"); num(framesFree()); ch(44); // frames not handed to the kernel core
  key("core_frames"); num(takenPages); ch(44); // kernel pool + init's Untyped
  key("untyped_pages"); num(takenPages - kmemTotal()); ch(44);
  key("kernel_pool"); ch(123);
  key("total_pages"); num(kmemTotal()); ch(44);
  key("free_pages"); num(kmemFree()); ch(44);
  key("used_pages"); ch(123);
  for (let k: u32 = 0; k < K_KINDS; k++) { comma(k == 0); key(kindName(k)); num(kmemUsed(k)); }
  ch(125); ch(125); ch(44);
  key("objects"); ch(123);
  let types: u8[] = [T_TCB, T_ENDPOINT, T_NOTIFICATION, T_CNODE, T_VSPACE];
  for (let i = 0; i < 5; i++) {
    comma(i == 0);
    key(typeName(types[i]));
    let n = 0;
    let a = objectListHead(types[i]);
    while (a != 0) { n++; a = objectNext(types[i], a); }
    num(n);
  }
  ch(125);
  ch(44);
  frameMap();
  ch(125);
}

/**
 * "map": one character per RAM frame (frame i = DRAM base + i·4 KiB), what the frame holds:
 *   k kernel image/heap/frame bitmap · r other reserved (FDT, /memreserve/, low memory) · b boot image
 *   . free (never handed out) · kernel pool: t page table, z demand-zero page, i image data,
 *   c IPC buffer / boot info, o kernel object, - free pool page · init's Untyped memory: y not yet
 *   retyped, o retyped into a kernel object, u retyped into a Frame.
 */
function frameMap(): void {
  let n = framesTotal();
  key("map_base"); hexq(DRAM_BASE); ch(44);
  key("map_legend");
  s('{"k":"kernel","r":"reserved","b":"bootimage",".":"free","t":"pagetable","z":"demandzero","i":"imagedata","c":"ipcbuffer","o":"object","-":"poolfree","y":"untyped","u":"frame"}');
  ch(44);
  key("map"); ch(34);
  if (pos + n + 2 >= KI_BUF_BYTES) { full = true; ch(34); return; }
  let m = kbuf + pos;
  memory.fill(m, 46, n); // '.'
  pos += n;
  // reserved regions
  for (let i = 0; i < bi.nRegions; i++) {
    let r = bootRegionAt(i);
    let c: u8 = r.kind == RSV_KERNEL ? 107 : r.kind == RSV_INITRD ? 98 : 114;
    if (r.kind == RSV_LOWMEM) c = 107;
    mark(m, n, r.base, r.size, c);
  }
  // the kernel pool, page by page
  let pb = kmemBase();
  let pp = kmemTotal();
  if (pb >= DRAM_BASE) {
    let f0 = <u32>((pb - DRAM_BASE) >> 12);
    for (let i: u32 = 0; i < pp && f0 + i < n; i++) {
      let k = kmemKindAt(i);
      store<u8>(m + f0 + i, k < 0 ? 45 : poolChar(<u32>k));
    }
    // init's Untyped memory follows the pool
    let ub = pb + (<u64>pp << 12), ue = pb + (<u64>takenPages << 12);
    mark(m, n, ub, ue - ub, 121);
    // objects retyped from it
    for (let j = 0; j < 5; j++) {
      let ty: u8 = j == 0 ? T_TCB : j == 1 ? T_ENDPOINT : j == 2 ? T_NOTIFICATION : j == 3 ? T_CNODE : T_VSPACE;
      let a = objectListHead(ty);
      while (a != 0) {
        let pa = <u64>a + DRAM_BASE;
        if (pa >= ub && pa < ue) store<u8>(m + <usize>((pa - DRAM_BASE) >> 12), 111);
        a = objectNext(ty, a);
      }
    }
    // frames retyped from it (Frame caps in every CNode)
    let c = objectListHead(T_CNODE);
    while (c != 0) {
      let slots: u32 = 1 << changetype<CNode>(<usize>c).radix;
      for (let i: u32 = 1; i < slots; i++) {
        let sl = changetype<Cte>(<usize>c + (<usize>i << CTE_SHIFT));
        if (sl.type != T_FRAME) continue;
        let pa = <u64>sl.obj << 12;
        if (pa >= ub && pa < ue) store<u8>(m + <usize>((pa - DRAM_BASE) >> 12), 117);
      }
      c = objectNext(T_CNODE, c);
    }
  }
  ch(34);
}

function mark(m: usize, n: u32, base: u64, size: u64, c: u8): void {
  if (base < DRAM_BASE || size == 0) return;
  let f = (base - DRAM_BASE) >> 12;
  let e = (base + size - DRAM_BASE + 4095) >> 12;
  if (e > <u64>n) e = <u64>n;
  for (; f < e; f++) store<u8>(m + <usize>f, c);
}

function poolChar(k: u32): u8 {
  switch (k) {
    case K_PT: return 116; // t
    case K_DEMAND: return 122; // z
    case K_DATA: return 105; // i
    case K_IPCBUF: return 99; // c
  }
  return 111; // o: K_KOBJ
}

/** Names of the EL0 register file's slots 0..19 (docs/ARCHITECTURE.md, "EL0"). */
function regName(i: i32): string {
  switch (i) {
    case 8: return "pc"; case 9: return "sp"; case 10: return "fp"; case 11: return "gp";
    case 12: return "img"; case 13: return "imglen"; case 14: return "mempages"; case 15: return "memmax";
    case 16: return "splim"; case 17: return "stack_base"; case 18: return "pending_import"; case 19: return "call_depth";
  }
  return "x" + i.toString(); // unreachable for 8..19; x0..x7 below avoid allocating
}
const X_NAMES: StaticArray<string> = ["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"];

/** One thread: the fields of view 0 plus "regs", its EL0 register file as saved at its last kernel
 *  entry (for the running thread, the live values are in the core until its next entry). */
function threadJson(tid: u32): void {
  let a = byTid(tid);
  if (a == 0) { s("null"); return; }
  let t = tcb(a);
  ch(123);
  key("tid"); num(t.tid); ch(44);
  key("name"); cstrq(<usize>a + TCB_NAME, 23); ch(44);
  key("state"); str(stateName(t.state)); ch(44);
  key("current"); s(a == cur ? "true" : "false"); ch(44);
  key("regs_saved_at"); str(a == cur ? "last kernel entry (running: live values are in the core)" : "last kernel entry"); ch(44);
  key("regs"); ch(123);
  let base = changetype<usize>(t) + offsetof<Tcb>("r0");
  for (let i = 0; i < 20; i++) {
    comma(i == 0);
    key(i < 8 ? unchecked(X_NAMES[i]) : regName(i)); hexq(load<u64>(base + (<usize>i << 3)));
  }
  ch(125);
  ch(125);
}

function counters(): void {
  ch(123);
  key("syscalls"); num(syscalls); ch(44);
  key("fastpaths"); num(fastpaths); ch(44);
  key("switches"); num(switches); ch(44);
  key("entries"); num(entries); ch(44);
  key("faults"); num(faultCount);
  ch(125);
}

/** The checker's last violation ({"code":0} when none was found). */
function violationJson(): void {
  ch(123);
  key("code"); num(vCode); ch(44);
  key("invariant"); str(invariantName(vCode)); ch(44);
  key("what"); str(vWhat); ch(44);
  key("slot"); hexq(vSlot); ch(44);
  key("object"); hexq(vObject); ch(44);
  key("tid"); num(vTid); ch(44);
  key("count"); num(violations);
  ch(125);
}

/** Writes the JSON for `what` into the buffer; returns its length (0 = unknown `what`). */
export function kiJson(what: u32, arg: u32): u32 {
  pos = 0;
  full = false;
  switch (what) {
    case 0: threads(); break;
    case 1: cspace(arg); break;
    case 2: vspaceJson(arg); break;
    case 3: ipcObjects(); break;
    case 4: memoryJson(); break;
    case 5: counters(); break;
    case 6: threadJson(arg); break;
    case 7: violationJson(); break;
    default: return 0;
  }
  store<u8>(kbuf + pos, 0);
  return pos;
}

