// structures.ts — every kernel object layout and the capability slot. The seL4 counterpart is
// include/object/structures_64.bf. The ABI constants (syscall numbers, object types, rights, error
// codes, method labels, fault labels, IPC-buffer layout, register slots) are declared in abi/ and
// generated into kernel-as/abi.ts by scripts/abi.mjs; this module re-exports them.
//
// All kernel objects live in RAM (the kernel's linear memory, DESIGN D1) and are addressed by
// their *linear* address held in a u32 (RAM is < 4 GiB). A capability names an object by that
// address; frames and untyped memory are named by page frame number (PA >> 12), which also covers
// device pages outside RAM.
//
// Object header (first 16 bytes of every object that has one; for a CNode it sits in slot 0,
// which is therefore never a usable slot — seL4_CapNull):
// ```
// ┌──────────┬──────────┬───────────┬───────────────┬───────────────┬───────────────┐
// │0x00 otype│0x01 flags│0x02 pad16 │0x04 refs: u32 │0x08 next: u32 │0x0C prev: u32 │
// └──────────┴──────────┴───────────┴───────────────┴───────────────┴───────────────┘ 16 bytes
// ```
// refs counts the capabilities naming the object; when the last one is deleted the object is
// finalised. next/prev link all live objects of one type (for introspection and the checker).

/** Kernel preconditions are checked (`if (DEBUG) assert(...)`); a failed one panics. */
// @ts-ignore: decorator
@inline export const DEBUG: bool = true;

export * from "../abi";
import { MI_EXTRA_CAPS_MASK, MI_EXTRA_CAPS_SHIFT, MI_LABEL_SHIFT, MI_LENGTH_MASK, MI_UNWRAPPED_MASK, MI_UNWRAPPED_SHIFT, R_READ, R_WRITE } from "../abi";

// ---- header ------------------------------------------------------------------------------------
export const OF_KMEM: u8 = 1; // object memory came from the kernel pool (freed when finalised)

// @ts-ignore: decorator
@unmanaged export class ObjHeader {
  otype: u8;
  flags: u8;
  pad: u16;
  refs: u32;
  next: u32;
  prev: u32;
}

/**
 * A capability slot (CTE), 32 bytes. CDT links are slot addresses (0 = none).
 * ```
 * ┌─────────┬──────────┬───────────┬──────────────────┬──────────────────────────────────────┐
 * │0x00 type│0x01 right│0x02 flags │0x04 obj: u32     │0x08 data: u64 (badge / per-type)     │
 * ├─────────┴──────────┴───────────┼──────────────────┼──────────────────┬───────────────────┤
 * │0x10 parent: u32                │0x14 child: u32   │0x18 next: u32    │0x1C prev: u32     │
 * └────────────────────────────────┴──────────────────┴──────────────────┴───────────────────┘
 * ```
 * obj: linear address of the object; PFN for UNTYPED/FRAME/DEVICE_FRAME; IRQ number for
 *      IRQ_HANDLER; caller TCB for REPLY; DART stream (SID) for IO_SPACE.
 * data: ENDPOINT/NOTIFICATION badge; UNTYPED sizeBits | watermark<<8 (bytes used);
 *       FRAME/DEVICE_FRAME mapped VA | ASID (VA page aligned, ASID < 4096) when CF_MAPPED;
 *       FRAME IO-mapped IOVA | stream (IOVA page aligned) when CF_IOMAPPED;
 *       CNODE radix.
 */
// @ts-ignore: decorator
@unmanaged export class Cte {
  type: u8;
  rights: u8;
  flags: u16;
  obj: u32;
  data: u64;
  parent: u32;
  child: u32;
  next: u32;
  prev: u32;
}
export const CTE_BYTES: u32 = 32;
export const CTE_SHIFT: u32 = 5;
export const CF_MAPPED: u16 = 1; // frame cap: mapped at data
export const CF_DEVICE: u16 = 2; // untyped covering device memory
export const CF_IOMAPPED: u16 = 4; // frame cap: mapped for DMA at data (object/iospace.ts)

// ---- endpoint ----------------------------------------------------------------------------------
export const EP_IDLE: u32 = 0;
export const EP_SEND: u32 = 1;
export const EP_RECV: u32 = 2;

/**
 * ```
 * ┌──────────────── 0x00 ObjHeader (16) ────────────────┐
 * ├ 0x10 qHead: u32 ┬ 0x14 qTail: u32 ┬ 0x18 state: u32 ┬ 0x1C id: u32 ┐ 32 bytes
 * ```
 * The queue holds only senders (state SEND) or only receivers (state RECV), FIFO, linked
 * through Tcb.epNext/epPrev.
 */
// @ts-ignore: decorator
@unmanaged export class Endpoint {
  otype: u8; flags: u8; pad: u16; refs: u32; next: u32; prev: u32;
  qHead: u32;
  qTail: u32;
  state: u32;
  id: u32;
}
export const EP_BYTES_LOG2: u32 = 5;

/**
 * ```
 * ┌──────────────── 0x00 ObjHeader (16) ────────────────┐
 * ├ 0x10 word: u64 (badge bits OR-ed) ┬ 0x18 qHead ┬ 0x1C qTail ┐
 * ├ 0x20 boundTcb: u32 ┬ 0x24 irq: i32 (-1) ┬ 0x28 id ┬ 0x2C pad ┤ 48 → 64 bytes
 * ```
 * Waiters exist only while word == 0 (invariant 5).
 */
// @ts-ignore: decorator
@unmanaged export class Notification {
  otype: u8; flags: u8; pad: u16; refs: u32; next: u32; prev: u32;
  word: u64;
  qHead: u32;
  qTail: u32;
  boundTcb: u32;
  irq: i32;
  id: u32;
  pad2: u32;
}
export const NTFN_BYTES_LOG2: u32 = 6;

// ---- TCB ---------------------------------------------------------------------------------------
export const TS_INACTIVE: u32 = 0;
export const TS_RUNNING: u32 = 1; // the current thread
export const TS_READY: u32 = 2; // on a ready queue
export const TS_BLOCKED_SEND: u32 = 3;
export const TS_BLOCKED_RECV: u32 = 4;
export const TS_BLOCKED_REPLY: u32 = 5;
export const TS_BLOCKED_NTFN: u32 = 6;
export const TS_FAULTED: u32 = 7; // stopped after an unhandled fault
export const TS_EXITED: u32 = 8; // stopped after exit with no handler

export function stateName(s: u32): string {
  switch (s) {
    case TS_INACTIVE: return "inactive";
    case TS_RUNNING: return "running";
    case TS_READY: return "ready";
    case TS_BLOCKED_SEND: return "blocked_send";
    case TS_BLOCKED_RECV: return "blocked_recv";
    case TS_BLOCKED_REPLY: return "blocked_reply";
    case TS_BLOCKED_NTFN: return "blocked_notification";
    case TS_FAULTED: return "faulted";
    case TS_EXITED: return "exited";
  }
  return "?";
}

// Tcb.ipcFlags
export const IF_CALL: u32 = 1; // blocked send is a Call (wants a reply cap)
export const IF_GRANT: u32 = 2; // the send cap had Grant
export const IF_FAULT: u32 = 4; // the blocked send / awaited reply is a fault message

/**
 * Thread control block, 1 KiB (aligned to 1 KiB when retyped).
 * ```
 * 0x000 regs[32]: u64        the EL0 register file (ctx_save / ctx_restore target)
 * 0x100 ObjHeader (16)
 * 0x110 state     0x114 prio      0x118 slice     0x11C schedNext
 * 0x120 schedPrev 0x124 epNext    0x128 epPrev    0x12C blockedOn
 * 0x130 blockBadge: u64           0x138 blockInfo: u64 (msginfo of a pending send)
 * 0x140 ipcFlags  0x144 tid       0x148 ipcBufPa: u64
 * 0x150 ipcBufVa: u64             0x158 cpuTicks: u64
 * 0x160 faults    0x164 boundNtfn 0x168 faultAddr: u64
 * 0x170 faultKind 0x174 mcp       0x178 name[24]
 * 0x190 switchedIn: u64 (times scheduled)  0x198 faultEsr: u64
 * 0x1A0 faultPc: u64              0x1A8 faultCode: u64
 * 0x1B0 replySlot: u32 (slot holding the reply cap to this thread while BLOCKED_REPLY)
 * 0x1B4 restart: u32 (1 = Suspend interrupted a blocking syscall: it runs again when resumed)
 * 0x1C0 slots: CTABLE, VTABLE, CALLER, IPCBUF, FAULTEP (5 × 32 bytes) → 0x260
 * ```
 */
// @ts-ignore: decorator
@unmanaged export class Tcb {
  r0: u64; r1: u64; r2: u64; r3: u64; r4: u64; r5: u64; r6: u64; r7: u64;
  r8: u64; r9: u64; r10: u64; r11: u64; r12: u64; r13: u64; r14: u64; r15: u64;
  r16: u64; r17: u64; r18: u64; r19: u64; r20: u64; r21: u64; r22: u64; r23: u64;
  r24: u64; r25: u64; r26: u64; r27: u64; r28: u64; r29: u64; r30: u64; r31: u64;
  otype: u8; flags: u8; pad: u16; refs: u32; next: u32; prev: u32;
  state: u32;
  prio: u32;
  slice: u32;
  schedNext: u32;
  schedPrev: u32;
  epNext: u32;
  epPrev: u32;
  blockedOn: u32;
  blockBadge: u64;
  blockInfo: u64;
  ipcFlags: u32;
  tid: u32;
  ipcBufPa: u64;
  ipcBufVa: u64;
  cpuTicks: u64;
  faults: u32;
  boundNtfn: u32;
  faultAddr: u64;
  faultKind: u32;
  mcp: u32;
  n0: u64; n1: u64; n2: u64; // name, 24 bytes NUL padded
  switchedIn: u64;
  faultEsr: u64;
  faultPc: u64;
  faultCode: u64;
  replySlot: u32;
  restart: u32;
}
export const TCB_BYTES_LOG2: u32 = 10;
export const TCB_NAME: usize = 0x178;
export const TCB_NAME_LEN: i32 = 24;
export const TCB_HDR: usize = 0x100;
export const TCB_SLOTS: usize = 0x1c0;
export const TS_CTABLE: u32 = 0;
export const TS_VTABLE: u32 = 1;
export const TS_CALLER: u32 = 2;
export const TS_IPCBUF: u32 = 3;
export const TS_FAULTEP: u32 = 4;
export const TCB_NSLOTS: u32 = 5;

// @ts-ignore: decorator
@inline export function tcbSlot(t: usize, i: u32): Cte { return changetype<Cte>(t + TCB_SLOTS + (<usize>i << CTE_SHIFT)); }
// @ts-ignore: decorator
@inline export function reg(t: usize, i: u32): u64 { return load<u64>(t + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline export function setReg(t: usize, i: u32, v: u64): void { store<u64>(t + (<usize>i << 3), v); }

// ---- CNode -------------------------------------------------------------------------------------
/**
 * 2^radix slots of 32 bytes. Slot 0 is never a capability: it holds the CNode's header.
 * ```
 * ┌ slot 0: ObjHeader (16) ┬ 0x10 radix: u32 ┬ 0x14 id ┬ 0x18 pad: u64 ┐
 * ├ slot 1: Cte ...                                                     ┤
 * ```
 */
// @ts-ignore: decorator
@unmanaged export class CNode {
  otype: u8; flags: u8; pad: u16; refs: u32; next: u32; prev: u32;
  radix: u32;
  id: u32;
  pad2: u64;
}
export const CNODE_MIN_RADIX: u32 = 2;
export const CNODE_MAX_RADIX: u32 = 12;

// ---- VSpace ------------------------------------------------------------------------------------
// region kinds (RG_*) and regionName are ABI constants (abi/objects.json, "regions")
// region rights: R_READ, R_WRITE, MAP_EXEC (abi/objects.json), plus the kernel's own demand-zero bit
export const RG_DEMAND: u32 = 16; // demand-zero backed

/**
 * A virtual range with a purpose, 32 bytes.
 * ```
 * ┌ 0x00 start: u64 ┬ 0x08 end: u64 ┬ 0x10 kind: u32 ┬ 0x14 rights: u32 ┬ 0x18 pad: u64 ┐
 * ```
 */
// @ts-ignore: decorator
@unmanaged export class Region {
  start: u64;
  end: u64;
  kind: u32;
  rights: u32;
  pad: u64;
}
export const MAX_REGIONS: u32 = 16;

/**
 * Address space, 1 KiB.
 * ```
 * 0x000 ObjHeader (16)
 * 0x010 l0Pa: u64      0x018 asid: u32     0x01C nRegions: u32
 * 0x020 ptPages: u32   0x024 demandPages   0x028 mappedPages   0x02C id
 * 0x030 quota: u32 (kernel-pool pages it may use)   0x034 charged: u32 (pages it uses)   0x038 pad
 * 0x040 regions[16] (32 bytes each) → 0x240
 * ```
 * Page tables, demand-zero pages, image data pages and the IPC buffer the loader maps come from the
 * kernel pool, are charged to the VSpace (never more than its quota) and are freed with it.
 */
// @ts-ignore: decorator
@unmanaged export class VSpace {
  otype: u8; flags: u8; pad: u16; refs: u32; next: u32; prev: u32;
  l0Pa: u64;
  asid: u32;
  nRegions: u32;
  ptPages: u32;
  demandPages: u32;
  mappedPages: u32;
  id: u32;
  quota: u32;
  charged: u32;
  p1: u64;
}
export const VSPACE_BYTES_LOG2: u32 = 10;
const VSPACE_REGIONS: usize = 0x40;

// @ts-ignore: decorator
@inline export function regionAt(vs: usize, i: u32): Region { return changetype<Region>(vs + VSPACE_REGIONS + (<usize>i << 5)); }

// ---- message info (X1), seL4 layout (abi/objects.json MI_*) -------------------------------------
// label [63:12] · capsUnwrapped [11:9] · extraCaps [8:7] · length [6:0]
// @ts-ignore: decorator
@inline export function miLabel(mi: u64): u64 { return mi >> MI_LABEL_SHIFT; }
// @ts-ignore: decorator
@inline export function miUnwrapped(mi: u64): u32 { return <u32>(mi >> MI_UNWRAPPED_SHIFT) & MI_UNWRAPPED_MASK; }
// @ts-ignore: decorator
@inline export function miExtraCaps(mi: u64): u32 { return <u32>(mi >> MI_EXTRA_CAPS_SHIFT) & MI_EXTRA_CAPS_MASK; }
// @ts-ignore: decorator
@inline export function miLength(mi: u64): u32 { return <u32>mi & MI_LENGTH_MASK; }
// @ts-ignore: decorator
@inline export function msgInfo(label: u64, unwrapped: u32, extra: u32, len: u32): u64 {
  return (label << MI_LABEL_SHIFT) | (<u64>(unwrapped & MI_UNWRAPPED_MASK) << MI_UNWRAPPED_SHIFT)
    | (<u64>(extra & MI_EXTRA_CAPS_MASK) << MI_EXTRA_CAPS_SHIFT) | <u64>(len & MI_LENGTH_MASK);
}

// ---- Invocation: one method call on a kernel object (seL4 decodeInvocation's arguments) ---------
/**
 * What every object decoder (`decodeXInvocation(inv)`) gets: the method, the message and the extra
 * caps of a Call/Send on a kernel object's cap, and the four reply words it may fill. The syscall
 * layer keeps one record in static memory and refills it for each invocation, so the path
 * allocates nothing.
 * ```
 * ┌──────────────────────────────────────────────────────────────────────────────────────────────┐
 * │0x00 label: u64 (method)                                                                      │
 * ├──────────────────────┬──────────────────────┬──────────────────────┬─────────────────────────┤
 * │0x08 mr0: u64         │0x10 mr1: u64         │0x18 mr2: u64         │0x20 mr3: u64            │
 * ├──────────────────────┼──────────────────────┼──────────────────────┼─────────────────────────┤
 * │0x28 out0: u64        │0x30 out1: u64        │0x38 out2: u64        │0x40 out3: u64 (reply)   │
 * ├───────────────┬──────┴────────┬─────────────┴──┬───────────────────┼─────────────────────────┤
 * │0x48 thread:u32│0x4C slot: u32 │0x50 length: u32│0x54 extraCaps: u32│                         │
 * ├───────────────┼───────────────┼────────────────┼───────────────────┘                         │
 * │0x58 extra0:u32│0x5C extra1:u32│0x60 extra2: u32│                                             │
 * └───────────────┴───────────────┴────────────────┴─────────────────────────────────────────────┘
 * ```
 * thread: the invoking TCB; slot: the invoked cap's slot; length: message words (MR0..MR3 hold
 * the first four); extraCaps: how many caps the message names (IPC buffer), extra0..2 their slots
 * in the invoker's CSpace, 0 where the lookup failed (a decoder answers FailedLookup).
 */
// @ts-ignore: decorator
@unmanaged @final export class Invocation {
  label: u64;
  mr0: u64;
  mr1: u64;
  mr2: u64;
  mr3: u64;
  out0: u64;
  out1: u64;
  out2: u64;
  out3: u64;
  thread: u32;
  slot: u32;
  length: u32;
  extraCaps: u32;
  extra0: u32;
  extra1: u32;
  extra2: u32;
  /** The invoked capability. */
  // @ts-ignore: decorator
  @inline get cap(): Cte { return changetype<Cte>(<usize>this.slot); }
}
