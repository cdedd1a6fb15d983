// vspace.ts — address spaces: VMSAv8-64 4 KiB-granule page tables in RAM, walked by the modelled
// MMU (TTBR0_EL1 = L0 table PA | ASID << 48, T0SZ = 16, four levels; shared reference
// apple-m1.md §5), ASIDs, regions, demand-zero paging, map/unmap with TLB invalidation.
//
// Page tables, demand-zero pages and image data pages come from the kernel pool (kmem) and belong
// to the VSpace: a leaf PTE records the pool kind of a kernel-owned page in its software bits
// [58:55] (kind + 1; 0 = not owned: a frame capability's page, a device page, the boot image), so
// unmap and teardown know what to free.

import { DRAM_BASE, tlbi, TLBI_VAE1, TLBI_ASIDE1, icIallu } from "../arch";
import {
  VSpace, regionAt, MAX_REGIONS, R_READ, R_WRITE, R_GRANT, MAP_EXEC, RG_DEMAND, RG_GUARD, RG_DATA, RG_STACK,
  RG_GLOBALS, RG_SHARED, RG_DEVICE, E_OK, E_RANGE, E_NOT_ENOUGH_MEMORY, E_DELETE_FIRST, E_ALIGNMENT,
  E_INVALID_ARGUMENT, E_FAILED_LOOKUP, E_TRUNCATED_MESSAGE, E_INSUFFICIENT_RIGHTS, E_ILLEGAL_OPERATION,
  VSPACE_ADD_REGION, VSPACE_UNMAP, VSPACE_SET_QUOTA, Invocation,
} from "./structures";
import { kmemAlloc, kmemRelease, kmemTotal, K_PT, K_DEMAND } from "../kernel/kmem";
import { vspaceGone } from "../kernel/thread";

// ---- descriptor bits (Arm ARM D8.3; apple-m1.md §5.3) -------------------------------------------
const D_VALID: u64 = 1;
const D_TABLE: u64 = 3; // table (L0–L2) or page (L3)
const D_ATTR_SHIFT: u64 = 2;
const D_AP_EL0: u64 = 1 << 6; // AP[1]: EL0 access
const D_AP_RO: u64 = 1 << 7; // AP[2]: read-only
const D_SH_INNER: u64 = 3 << 8;
const D_AF: u64 = 1 << 10;
const D_NG: u64 = 1 << 11;
const D_PXN: u64 = <u64>1 << 53;
const D_UXN: u64 = <u64>1 << 54;
const D_SW_SHIFT: u64 = 55;
const D_SW_MASK: u64 = <u64>0xf << 55;
const D_ADDR: u64 = 0x0000_ffff_ffff_f000;

/** MAIR_EL1 attribute indices the kernel programs (Attr0 normal WB, Attr1 Device-nGnRnE). */
export const ATTR_NORMAL: u32 = 0;
export const ATTR_DEVICE: u32 = 1;
export const MAIR_VALUE: u64 = 0x00ff; // Attr1 = 0x00, Attr0 = 0xFF
/** TCR_EL1: T0SZ=16, IRGN0/ORGN0 WB, SH0 inner, TG0 4K, T1SZ=16, EPD1 (no TTBR1 walks), IPS 40 bit. */
export const TCR_VALUE: u64 = 16 | (1 << 8) | (1 << 10) | (3 << 12) | (0 << 14) | (16 << 16) | (1 << 23) | (<u64>2 << 32);

export const USER_VA_LIMIT: u64 = <u64>1 << 48;

// ---- kernel-memory quota ------------------------------------------------------------------------
// Every kernel-pool page an address space causes (page tables, demand-zero pages, image data pages,
// the loader's IPC buffer) is charged to it, up to its quota: a process that touches its whole heap
// runs out of its own quota, not of the pool the others need. A new VSpace gets defaultQuota; the
// holder of a VSpace cap with Grant can change it (VSpace.SetQuota; a process's own VSpace cap has
// no Grant, so it cannot raise its own).

/** Quota of a new VSpace, in pages (set at boot from the pool size: a quarter of it). */
let defaultQuota: u32 = 1024;
export function setDefaultQuota(pages: u32): void { defaultQuota = pages; }

/** Charges one pool page to the VSpace; false when its quota is spent. */
function charge(v: VSpace): bool {
  if (v.charged >= v.quota) return false;
  v.charged++;
  return true;
}
function uncharge(v: VSpace): void { if (v.charged > 0) v.charged--; }

// ---- ASIDs --------------------------------------------------------------------------------------
export const NUM_ASIDS: u32 = 256;
const asidTable: usize = memory.data(<i32>NUM_ASIDS * 4, 4);
let asidHint: u32 = 1;

export function vspaceOfAsid(asid: u32): usize {
  return asid == 0 || asid >= NUM_ASIDS ? 0 : <usize>load<u32>(asidTable + (<usize>asid << 2));
}

function allocAsid(vs: usize): u32 {
  for (let n: u32 = 1; n < NUM_ASIDS; n++) {
    let a = (asidHint + n - 1) % (NUM_ASIDS - 1) + 1;
    if (load<u32>(asidTable + (<usize>a << 2)) == 0) {
      store<u32>(asidTable + (<usize>a << 2), <u32>vs);
      asidHint = a + 1;
      return a;
    }
  }
  return 0;
}

// @ts-ignore: decorator
@inline function lin(pa: u64): usize { return <usize>(pa - DRAM_BASE); }
// @ts-ignore: decorator
@inline function vsp(a: usize): VSpace { return changetype<VSpace>(a); }

/** Makes `vs` a live, empty address space: an ASID and a zeroed L0 table. */
export function vspaceInit(vs: usize): u64 {
  let v = vsp(vs);
  let asid = allocAsid(vs);
  if (asid == 0) return E_NOT_ENOUGH_MEMORY;
  let l0 = kmemAlloc(K_PT);
  if (l0 == 0) { store<u32>(asidTable + (<usize>asid << 2), 0); return E_NOT_ENOUGH_MEMORY; }
  v.asid = asid;
  v.l0Pa = l0;
  v.quota = defaultQuota;
  v.charged = 1; // the L0 table
  v.ptPages = 1;
  v.nRegions = 0;
  v.demandPages = 0;
  v.mappedPages = 0;
  return E_OK;
}

/** Address of the L3 PTE for `va` (kernel linear), allocating tables when `create`; 0 otherwise. */
function ptePtr(vs: usize, va: u64, create: bool): usize {
  let v = vsp(vs);
  let table = v.l0Pa;
  for (let level: u32 = 0; level < 3; level++) {
    let shift: u64 = 39 - 9 * <u64>level;
    let e = lin(table) + (<usize>((va >> shift) & 511) << 3);
    let d = load<u64>(e);
    if ((d & D_VALID) == 0) {
      if (!create) return 0;
      if (!charge(v)) return 0;
      let t = kmemAlloc(K_PT);
      if (t == 0) { uncharge(v); return 0; }
      v.ptPages++;
      d = t | D_TABLE;
      store<u64>(e, d);
    }
    table = d & D_ADDR;
  }
  return lin(table) + (<usize>((va >> 12) & 511) << 3);
}

/** Current leaf PTE of va (0 = unmapped). */
export function pteOf(vs: usize, va: u64): u64 {
  let p = ptePtr(vs, va, false);
  return p == 0 ? 0 : load<u64>(p);
}

export function ptePa(pte: u64): u64 { return pte & D_ADDR; }
export function pteRights(pte: u64): u32 {
  let r: u32 = R_READ;
  if ((pte & D_AP_RO) == 0) r |= R_WRITE;
  if ((pte & D_UXN) == 0) r |= MAP_EXEC;
  return r;
}
export function pteKind(pte: u64): u32 { return <u32>((pte & D_SW_MASK) >> D_SW_SHIFT); }
export function pteIsDevice(pte: u64): bool { return ((pte >> D_ATTR_SHIFT) & 7) == <u64>ATTR_DEVICE; }

/**
 * Maps the page at `pa` at `va` with `rights` (R_READ/R_WRITE/MAP_EXEC). `owner` = kmem kind + 1 for
 * kernel-owned pages (freed on unmap), 0 otherwise. Errors: E_ALIGNMENT, E_RANGE,
 * E_DELETE_FIRST (already mapped), E_NOT_ENOUGH_MEMORY (no page table).
 */
export function mapPage(vs: usize, va: u64, pa: u64, rights: u32, attr: u32, owner: u32): u64 {
  if ((va & 0xfff) != 0 || (pa & 0xfff) != 0) return E_ALIGNMENT;
  if (va >= USER_VA_LIMIT) return E_RANGE;
  let p = ptePtr(vs, va, true);
  if (p == 0) return E_NOT_ENOUGH_MEMORY;
  if ((load<u64>(p) & D_VALID) != 0) return E_DELETE_FIRST;
  if (owner != 0 && !charge(vsp(vs))) return E_NOT_ENOUGH_MEMORY; // a kernel-owned page counts
  let d = pa | D_TABLE | (<u64>attr << D_ATTR_SHIFT) | D_AP_EL0 | D_SH_INNER | D_AF | D_NG | D_PXN;
  if ((rights & R_WRITE) == 0) d |= D_AP_RO;
  if ((rights & MAP_EXEC) == 0) d |= D_UXN;
  d |= <u64>owner << D_SW_SHIFT;
  store<u64>(p, d);
  // A new mapping needs no TLB maintenance: the MMU caches no invalid entries.
  return E_OK;
}

/** Unmaps va (if mapped): clears the PTE, invalidates the TLB entry, frees a kernel-owned page. */
export function unmapPage(vs: usize, va: u64): u64 {
  let p = ptePtr(vs, va, false);
  if (p == 0) return 0;
  let d = load<u64>(p);
  if ((d & D_VALID) == 0) return 0;
  store<u64>(p, 0);
  let v = vsp(vs);
  tlbi(TLBI_VAE1, (<u64>v.asid << 48) | ((va >> 12) & 0xfff_ffff_ffff));
  let k = pteKind(d);
  if (k != 0) {
    kmemRelease(k - 1, d & D_ADDR);
    uncharge(v);
    if (k - 1 == K_DEMAND && v.demandPages > 0) v.demandPages--;
  }
  return d;
}

/** Physical address behind user va for a kernel access, or 0 when not mapped (or not readable). */
export function translate(vs: usize, va: u64, write: bool): u64 {
  if (va >= USER_VA_LIMIT) return 0;
  let d = pteOf(vs, va);
  if ((d & D_VALID) == 0) return 0;
  if (write && (d & D_AP_RO) != 0) return 0;
  if (pteIsDevice(d)) return 0;
  return (d & D_ADDR) | (va & 0xfff);
}

// ---- regions ------------------------------------------------------------------------------------

/** Adds a region [start, end); rights = R/W/X | RG_DEMAND. Overlaps are refused (E_DELETE_FIRST). */
export function addRegion(vs: usize, start: u64, end: u64, kind: u32, rights: u32): u64 {
  let v = vsp(vs);
  if ((start & 0xfff) != 0 || (end & 0xfff) != 0) return E_ALIGNMENT;
  if (end <= start || end > USER_VA_LIMIT) return E_RANGE;
  if (v.nRegions >= MAX_REGIONS) return E_NOT_ENOUGH_MEMORY;
  for (let i: u32 = 0; i < v.nRegions; i++) {
    let r = regionAt(vs, i);
    if (start < r.end && r.start < end) return E_DELETE_FIRST;
  }
  let r = regionAt(vs, v.nRegions++);
  r.start = start;
  r.end = end;
  r.kind = kind;
  r.rights = rights;
  r.pad = 0;
  return E_OK;
}

/** Index of the region containing va, or -1. */
function findRegion(vs: usize, va: u64): i32 {
  let v = vsp(vs);
  for (let i: u32 = 0; i < v.nRegions; i++) {
    let r = regionAt(vs, i);
    if (va >= r.start && va < r.end) return <i32>i;
  }
  return -1;
}

/** Demand-paging outcomes. */
export const VMF_RESOLVED: u32 = 0;
export const VMF_NO_REGION: u32 = 1;
export const VMF_GUARD: u32 = 2;
const VMF_PERMISSION: u32 = 3; // access not allowed by the region / page
export const VMF_NO_MEMORY: u32 = 4;
const VMF_NOT_DEMAND: u32 = 5;
export const VMF_QUOTA: u32 = 6; // the address space's kernel-memory quota is spent

/**
 * Resolves a translation fault at `va` in a demand-zero region by mapping a zeroed page.
 * `fsc` is the DFSC/IFSC, `write` the WnR bit.
 */
export function demandFault(vs: usize, va: u64, fsc: u32, write: bool): u32 {
  let i = findRegion(vs, va);
  if (i < 0) return VMF_NO_REGION;
  let r = regionAt(vs, <u32>i);
  if (r.kind == RG_GUARD) return VMF_GUARD;
  if (fsc < 0x04 || fsc > 0x07) return VMF_PERMISSION; // not a translation fault
  if ((r.rights & RG_DEMAND) == 0) return VMF_NOT_DEMAND;
  if (write && (r.rights & R_WRITE) == 0) return VMF_PERMISSION;
  let v = vsp(vs);
  if (v.charged >= v.quota) return VMF_QUOTA;
  let pa = kmemAlloc(K_DEMAND);
  if (pa == 0) return VMF_NO_MEMORY;
  let e = mapPage(vs, va & ~(<u64>0xfff), pa, r.rights & (R_READ | R_WRITE | MAP_EXEC), ATTR_NORMAL, K_DEMAND + 1);
  if (e != E_OK) { kmemRelease(K_DEMAND, pa); return v.charged >= v.quota ? VMF_QUOTA : VMF_NO_MEMORY; }
  vsp(vs).demandPages++;
  return VMF_RESOLVED;
}

/**
 * Tears the address space down: frees kernel-owned leaf pages and all page tables, flushes the
 * ASID from the TLB and releases it. Frame capabilities still naming a mapping here see a dead
 * ASID when they are unmapped.
 */
export function vspaceDestroy(vs: usize): void {
  let v = vsp(vs);
  if (v.l0Pa == 0) return;
  vspaceGone(v.l0Pa | (<u64>v.asid << 48));
  freeTable(v.l0Pa, 0);
  v.l0Pa = 0;
  v.ptPages = 0;
  v.demandPages = 0;
  v.charged = 0;
  tlbi(TLBI_ASIDE1, <u64>v.asid << 48);
  icIallu();
  store<u32>(asidTable + (<usize>v.asid << 2), 0);
  v.asid = 0;
  v.nRegions = 0;
}

function freeTable(table: u64, level: u32): void {
  let t = lin(table);
  for (let i: usize = 0; i < 512; i++) {
    let d = load<u64>(t + (i << 3));
    if ((d & D_VALID) == 0) continue;
    if (level < 3) freeTable(d & D_ADDR, level + 1);
    else {
      let k = pteKind(d);
      if (k != 0) kmemRelease(k - 1, d & D_ADDR);
    }
  }
  kmemRelease(K_PT, table);
}

/** Calls back for every valid leaf (introspection); returns the number of leaves. */
export function countLeaves(vs: usize): u32 {
  let v = vsp(vs);
  return v.l0Pa == 0 ? 0 : countIn(v.l0Pa, 0);
}
function countIn(table: u64, level: u32): u32 {
  let n: u32 = 0;
  let t = lin(table);
  for (let i: usize = 0; i < 512; i++) {
    let d = load<u64>(t + (i << 3));
    if ((d & D_VALID) == 0) continue;
    n += level < 3 ? countIn(d & D_ADDR, level + 1) : 1;
  }
  return n;
}

/** Iteration over leaves for introspection: next mapped va ≥ `from`, or USER_VA_LIMIT. */
export function nextMapped(vs: usize, from: u64): u64 {
  let v = vsp(vs);
  if (v.l0Pa == 0) return USER_VA_LIMIT;
  return nextIn(v.l0Pa, 0, 0, from);
}
function nextIn(table: u64, level: u32, base: u64, from: u64): u64 {
  let shift: u64 = 39 - 9 * <u64>level;
  let span: u64 = <u64>1 << shift;
  let t = lin(table);
  let first: u64 = from > base ? (from - base) >> shift : 0;
  for (let i: u64 = first; i < 512; i++) {
    let d = load<u64>(t + (<usize>i << 3));
    if ((d & D_VALID) == 0) continue;
    let va = base + i * span;
    if (level == 3) { if (va >= from) return va; continue; }
    let r = nextIn(d & D_ADDR, level + 1, va, from);
    if (r != USER_VA_LIMIT) return r;
  }
  return USER_VA_LIMIT;
}

// ---- VSpace methods (seL4 decodeARMVSpaceInvocation) ------------------------------------------

/**
 * VSpace.AddRegion(MR0 start, MR1 end, MR2 kind, MR3 rights): a demand-zero data/stack/globals
 * region, a guard region, or a described shared/device window. VSpace.Unmap(MR0 va) drops a
 * kernel-owned (demand-zero / image data) page. VSpace.SetQuota(MR0 pages) sets how many kernel-pool
 * pages the address space may use (cap with Grant only); MR0 of the reply = pages charged now.
 */
export function decodeVSpaceInvocation(inv: Invocation): u64 {
  let vs = <usize>inv.cap.obj;
  let len = inv.length, mr0 = inv.mr0, mr1 = inv.mr1, mr2 = inv.mr2, mr3 = inv.mr3;
  switch (<u32>inv.label) {
    case <u32>VSPACE_ADD_REGION: {
      if (len < 4) return E_TRUNCATED_MESSAGE;
      if (mr2 > 0xffff_ffff) return E_INVALID_ARGUMENT; // never cut a kind to 32 bits
      let kind = <u32>mr2;
      let rights = <u32>mr3 & (R_READ | R_WRITE | MAP_EXEC);
      if (kind == RG_DATA || kind == RG_STACK || kind == RG_GLOBALS) rights |= RG_DEMAND;
      else if (kind == RG_GUARD) rights = 0;
      else if (kind != RG_SHARED && kind != RG_DEVICE) return E_INVALID_ARGUMENT;
      return addRegion(vs, mr0, mr1, kind, rights);
    }
    case <u32>VSPACE_UNMAP: {
      if (len < 1) return E_TRUNCATED_MESSAGE;
      if ((mr0 & 0xfff) != 0) return E_ALIGNMENT;
      if (mr0 >= USER_VA_LIMIT) return E_RANGE; // the table walk would alias it to a lower VA
      let pte = pteOf(vs, mr0);
      if (pte == 0) return E_FAILED_LOOKUP;
      if (pteKind(pte) == 0) return E_ILLEGAL_OPERATION; // a frame cap's page: use Frame.Unmap
      unmapPage(vs, mr0);
      icIallu();
      return E_OK;
    }
    case <u32>VSPACE_SET_QUOTA: {
      // MR0 = pages of kernel memory the address space may use; needs Grant (the creator's cap)
      if (len < 1) return E_TRUNCATED_MESSAGE;
      if ((inv.cap.rights & R_GRANT) == 0) return E_INSUFFICIENT_RIGHTS;
      if (mr0 > <u64>kmemTotal()) return E_RANGE;
      let v = changetype<VSpace>(vs);
      v.quota = <u32>mr0;
      inv.out0 = <u64>v.charged;
      return E_OK;
    }
  }
  return E_ILLEGAL_OPERATION;
}
