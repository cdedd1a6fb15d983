// objecttype.ts — creating and finalising objects by type (seL4 src/object/objecttype.c).
//
// Objects are made in zeroed memory (from an Untyped by Retype, or from the kernel pool for the
// initial process) and linked on a per-type list. When the last capability to an object goes,
// finaliseObject undoes everything that points at it (queues, bindings, mappings) and, for
// kernel-pool objects, returns the memory.

import { DEBUG } from "./structures";
import {
  ObjHeader, Cte, CNode, VSpace, Endpoint, Notification,
  T_ENDPOINT, T_NOTIFICATION, T_TCB, T_CNODE, T_VSPACE, T_FRAME, T_DEVICE_FRAME, T_REPLY, T_IRQ_HANDLER,
  T_UNTYPED, T_COUNT, OF_KMEM, CF_MAPPED, CF_IOMAPPED, CTE_SHIFT, EP_BYTES_LOG2, NTFN_BYTES_LOG2, TCB_BYTES_LOG2,
  VSPACE_BYTES_LOG2, E_OK,
} from "./structures";
import { DRAM_BASE } from "../arch";
import { kmemRelease, K_KOBJ } from "../kernel/kmem";
import { cteDelete } from "../kernel/cspace";
import { endpointCancelAll } from "./endpoint";
import { notificationCancelAll } from "./notification";
import { irqCapDeleted, irqNotificationDeleted } from "./irq";
import { replyCapDeleted } from "../kernel/ipc";
import { ioUnmapRecorded } from "./iospace";
import { tcbFinalise, tcbInitObject } from "./tcb";
import { vspaceInit, vspaceDestroy, vspaceOfAsid, pteOf, ptePa, unmapPage } from "./vspace";

const listHead: usize = memory.data(<i32>T_COUNT * 4, 4);
let nextId: u32 = 1;

export function objectListHead(type: u8): u32 { return load<u32>(listHead + (<usize>type << 2)); }
// @ts-ignore: decorator
@inline function hdr(a: u32): ObjHeader { return changetype<ObjHeader>(<usize>a); }

function listAdd(type: u8, a: u32): void {
  let h = objectListHead(type);
  let x = hdr(headerOf(type, a));
  x.next = h;
  x.prev = 0;
  if (h != 0) hdr(headerOf(type, h)).prev = a;
  store<u32>(listHead + (<usize>type << 2), a);
}

function listRemove(type: u8, a: u32): void {
  let x = hdr(headerOf(type, a));
  if (x.prev != 0) hdr(headerOf(type, x.prev)).next = x.next; else store<u32>(listHead + (<usize>type << 2), x.next);
  if (x.next != 0) hdr(headerOf(type, x.next)).prev = x.prev;
  x.next = 0;
  x.prev = 0;
}

/** Next object on the per-type list after `a` (0 = end). */
export function objectNext(type: u8, a: u32): u32 { return hdr(headerOf(type, a)).next; }

/** log2 of the object's size in bytes (`bits` = CNode radix or Untyped size bits). */
export function objectSizeBits(type: u8, bits: u32): u32 {
  switch (type) {
    case T_ENDPOINT: return EP_BYTES_LOG2;
    case T_NOTIFICATION: return NTFN_BYTES_LOG2;
    case T_TCB: return TCB_BYTES_LOG2;
    case T_VSPACE: return VSPACE_BYTES_LOG2;
    case T_CNODE: return bits + CTE_SHIFT;
    case T_FRAME: return 12;
    case T_UNTYPED: return bits;
  }
  return 0;
}

/** Where the object header sits: TCBs keep theirs after the register file. */
export function headerOf(type: u8, a: u32): u32 { return type == T_TCB ? a + 0x100 : a; }

/**
 * Initialises a new object in zeroed memory at linear address `a`. `bits` is the CNode radix.
 * Returns E_OK or an error (VSpace: no ASID / no page for the L0 table).
 */
export function createObject(type: u8, a: u32, bits: u32, fromKmem: bool): u64 {
  if (type == T_VSPACE) {
    let e = vspaceInit(<usize>a);
    if (e != E_OK) return e;
  }
  let h = headerOf(type, a);
  let x = hdr(h);
  x.otype = type;
  x.flags = fromKmem ? OF_KMEM : 0;
  x.refs = 0;
  switch (type) {
    case T_ENDPOINT: changetype<Endpoint>(<usize>a).id = nextId++; break;
    case T_NOTIFICATION: { let n = changetype<Notification>(<usize>a); n.id = nextId++; n.irq = -1; break; }
    case T_CNODE: { let c = changetype<CNode>(<usize>a); c.radix = bits; c.id = nextId++; break; }
    case T_VSPACE: changetype<VSpace>(<usize>a).id = nextId++; break;
    case T_TCB: tcbInitObject(a); break;
  }
  listAdd(type, a);
  return E_OK;
}

/** Kernel-pool pages an object of this type occupies (for returning them). */
function kmemPages(type: u8, a: u32): u32 {
  let bits = type == T_CNODE ? changetype<CNode>(<usize>a).radix : 0;
  let size = <u32>1 << objectSizeBits(type, bits);
  return (size + 4095) >> 12;
}

/**
 * A capability has been removed from its slot (`slot`, already cleared). Per-cap cleanup runs
 * here; the object is finalised when this was its last capability.
 */
export function finaliseCap(type: u8, rights: u8, flags: u16, obj: u32, data: u64, slot: usize): void {
  switch (type) {
    case T_FRAME:
    case T_DEVICE_FRAME: {
      if ((flags & CF_MAPPED) != 0) frameCapUnmap(obj, data);
      if ((flags & CF_IOMAPPED) != 0) ioUnmapRecorded(obj, data);
      return;
    }
    case T_REPLY: replyCapDeleted(obj, slot); return;
    case T_IRQ_HANDLER: irqCapDeleted(obj); return;
    case T_ENDPOINT: case T_NOTIFICATION: case T_CNODE: case T_VSPACE: case T_TCB: {
      let h = hdr(headerOf(type, obj));
      if (DEBUG) assert(h.refs > 0, "finaliseCap: reference count underflow");
      h.refs--;
      if (h.refs == 0) finaliseObject(type, obj);
      return;
    }
  }
}

/** Unmaps the page a frame cap mapped, if that mapping is still the frame's. */
export function frameCapUnmap(pfn: u32, data: u64): void {
  let asid = <u32>(data & 0xfff);
  let va = data & ~(<u64>0xfff);
  let vs = vspaceOfAsid(asid);
  if (vs == 0) return;
  let pte = pteOf(vs, va);
  if (pte != 0 && ptePa(pte) == (<u64>pfn << 12)) {
    unmapPage(vs, va);
    let v = changetype<VSpace>(vs);
    if (v.mappedPages > 0) v.mappedPages--;
  }
}

/**
 * An address space dies: every frame cap that records a mapping in it (by its ASID) becomes
 * unmapped, so a later Unmap or delete of that cap cannot touch whoever reuses the ASID. Frame caps
 * live only in CNode slots (a TCB's IPC-buffer slot holds an unmapped copy), so the CNode list
 * covers them all.
 */
function forgetMappingsOf(asid: u32): void {
  if (asid == 0) return;
  let a = objectListHead(T_CNODE);
  while (a != 0) {
    let n: u32 = 1 << changetype<CNode>(<usize>a).radix;
    for (let i: u32 = 1; i < n; i++) {
      let c = changetype<Cte>(<usize>a + (<usize>i << CTE_SHIFT));
      if ((c.type == T_FRAME || c.type == T_DEVICE_FRAME) && (c.flags & CF_MAPPED) != 0 && <u32>(c.data & 0xfff) == asid) {
        c.flags &= ~CF_MAPPED;
        c.data = 0;
      }
    }
    a = objectNext(T_CNODE, a);
  }
}

/** Keeps an object alive across an operation that may delete its last capability (Revoke). */
export function objectPin(type: u8, a: u32): void { hdr(headerOf(type, a)).refs++; }

/** Ends objectPin: finalises the object when no capability to it is left. */
export function objectUnpin(type: u8, a: u32): void {
  let h = hdr(headerOf(type, a));
  h.refs--;
  if (h.refs == 0) finaliseObject(type, a);
}

function finaliseObject(type: u8, a: u32): void {
  let h = hdr(headerOf(type, a));
  switch (type) {
    case T_ENDPOINT: endpointCancelAll(a); break;
    case T_NOTIFICATION: irqNotificationDeleted(a); notificationCancelAll(a); break;
    case T_TCB: tcbFinalise(a); break;
    case T_CNODE: {
      let n: u32 = 1 << changetype<CNode>(<usize>a).radix;
      h.refs = 1; // keep it alive while its slots are deleted (a slot may name the CNode itself)
      for (let i: u32 = 1; i < n; i++) cteDelete(<usize>a + (<usize>i << CTE_SHIFT));
      h.refs = 0;
      break;
    }
    case T_VSPACE: {
      forgetMappingsOf(changetype<VSpace>(<usize>a).asid);
      vspaceDestroy(<usize>a);
      break;
    }
  }
  listRemove(type, a);
  h.otype = 0;
  if ((h.flags & OF_KMEM) != 0) {
    let pages = kmemPages(type, a);
    kmemRelease(K_KOBJ, DRAM_BASE + <u64>a, pages);
  }
}
