// dart.ts — the kernel's driver of the Apple DART IOMMU ("apple,t8103-dart", hw/dart.ts), as
// Linux's drivers/iommu/apple-dart.c (T8020 registers) and io-pgtable-dart.c drive it (shared
// reference apple-dart.md). The kernel owns the DART: user drivers get IO mappings only through
// IOSpace capabilities (object/iospace.ts), one per stream.
//
// Boot (apple_dart_hw_reset): CONFIG must not be LOCKed and PARAMS1 must give 4 KiB IO pages (the
// kernel's frame size; see hw/dart.ts for why the model uses that geometry); every stream gets
// TCR = 0 (blocked) and no TTBR, STREAMS_ENABLE = all ones, ERROR is cleared, the TLB invalidated.
// A stream is attached on its first mapping (apple_dart_setup_translation): one zeroed L1 table,
// TTBR[sid][0] = VALID | L1 >> 12, TCR = TRANSLATE_ENABLE, invalidate. Only TTBR[0] is used, so the
// IO address window of a stream is [0, 1 GiB).
// Map/unmap (dart_map_pages / dart_unmap_pages): a missing L2 table is allocated and installed in
// the L1 entry; the leaf is PA | VALID | SP_DIS | full subpage bounds, NO_WRITE / NO_READ for the
// rights not given; unmap zeroes the leaf. Both end with the stream's TLB invalidate
// (STREAM_SELECT, STREAM_COMMAND = INVALIDATE, poll BUSY), as iotlb_sync does. L2 tables stay
// until reboot, as in Linux (they are freed only with the domain).
// IRQ (apple_dart_t8020_irq): read ERROR and ERROR_ADDR; if FLAG is set, record a DART_FAULT trace
// record and write ERROR back to clear it.

import { mmioRead32, mmioWrite32, DRAM_BASE } from "./arch";
import { kmemAlloc, K_PT } from "./kernel/kmem";
import { trace } from "./trace";
import { TRACE_DART_FAULT } from "./abi";
import { E_OK, E_DELETE_FIRST, E_NOT_ENOUGH_MEMORY, E_ILLEGAL_OPERATION, R_READ, R_WRITE } from "./object/structures";

const DART_PARAMS1: u64 = 0x000;
const DART_STREAM_COMMAND: u64 = 0x020;
const DART_STREAM_SELECT: u64 = 0x034;
const DART_ERROR: u64 = 0x040;
const DART_ERROR_ADDR_LO: u64 = 0x050;
const DART_ERROR_ADDR_HI: u64 = 0x054;
const DART_CONFIG: u64 = 0x060;
const DART_STREAMS_ENABLE: u64 = 0x0fc;
// @ts-ignore: decorator
@inline function tcrReg(sid: u32): u64 { return 0x100 + (<u64>sid << 2); }
// @ts-ignore: decorator
@inline function ttbrReg(sid: u32, i: u32): u64 { return 0x200 + (<u64>sid << 4) + (<u64>i << 2); }

const CONFIG_LOCK: u32 = 1 << 15;
const COMMAND_INVALIDATE: u32 = 1 << 20;
const COMMAND_BUSY: u32 = 1 << 2;
const TCR_TRANSLATE_ENABLE: u32 = 1 << 7;
const TTBR_VALID: u32 = 0x8000_0000;
const ERROR_FLAG: u32 = 0x8000_0000;

const PTE_VALID: u64 = 1;
const PTE_SP_DIS: u64 = 1 << 1;
const PTE_NO_WRITE: u64 = 1 << 7;
const PTE_NO_READ: u64 = 1 << 8;
const PTE_SUBPAGE_END: u64 = <u64>0xfff << 40; // full-page subpage bounds, as Linux writes them
const PADDR_MASK: u64 = 0x0000_000f_ffff_f000; // APPLE_DART1_PADDR_MASK, GENMASK(35, 12)

const DART_STREAMS: u32 = 16;
/** IO page size: 4 KiB (PARAMS1 page shift 12). */
const IO_PAGE_SHIFT: u32 = 12;
/** End of a stream's IO address window (what TTBR[0] of the 4 KiB geometry covers). */
export const IOVA_LIMIT: u64 = <u64>1 << 30;

let base: u64 = 0;
/** Per stream: PA of its L1 table, 0 while not attached. */
const l1Table: usize = memory.data(<i32>DART_STREAMS * 8, 8);
/** Faults the IRQ handler reported, and invalidations whose BUSY bit never cleared. */
let dartFaults: u32 = 0;
let dartBusyTimeouts: u32 = 0;

export function dartPresent(): bool { return base != 0; }

// @ts-ignore: decorator
@inline function lin(pa: u64): usize { return <usize>(pa - DRAM_BASE); }

/** Reset the DART at `b` (apple_dart_hw_reset). False when it is locked or its IO page is not 4 KiB. */
export function dartInit(b: u64): bool {
  if ((mmioRead32(b + DART_CONFIG) & CONFIG_LOCK) != 0) return false;
  if (((mmioRead32(b + DART_PARAMS1) >> 24) & 0xf) != IO_PAGE_SHIFT) return false;
  base = b;
  for (let sid: u32 = 0; sid < DART_STREAMS; sid++) {
    mmioWrite32(base + tcrReg(sid), 0);
    for (let i: u32 = 0; i < 4; i++) mmioWrite32(base + ttbrReg(sid, i), 0);
    store<u64>(l1Table + (<usize>sid << 3), 0);
  }
  mmioWrite32(base + DART_STREAMS_ENABLE, 0xffff_ffff);
  mmioWrite32(base + DART_ERROR, mmioRead32(base + DART_ERROR));
  invalidate(0xffff);
  return true;
}

/** STREAM_SELECT + STREAM_COMMAND INVALIDATE, then poll BUSY (apple_dart_t8020_hw_stream_command). */
function invalidate(sidmap: u32): void {
  mmioWrite32(base + DART_STREAM_SELECT, sidmap);
  mmioWrite32(base + DART_STREAM_COMMAND, COMMAND_INVALIDATE);
  for (let i = 0; i < 100; i++) if ((mmioRead32(base + DART_STREAM_COMMAND) & COMMAND_BUSY) == 0) return;
  dartBusyTimeouts++;
}

/** Give stream `sid` its (empty) translation tables; true when attached. */
function attach(sid: u32): bool {
  if (load<u64>(l1Table + (<usize>sid << 3)) != 0) return true;
  let l1 = kmemAlloc(K_PT);
  if (l1 == 0) return false;
  store<u64>(l1Table + (<usize>sid << 3), l1);
  mmioWrite32(base + ttbrReg(sid, 0), TTBR_VALID | <u32>(l1 >> 12));
  for (let i: u32 = 1; i < 4; i++) mmioWrite32(base + ttbrReg(sid, i), 0);
  mmioWrite32(base + tcrReg(sid), TCR_TRANSLATE_ENABLE);
  invalidate(1 << sid);
  return true;
}

/** Linear address of the leaf entry for `iova` in stream `sid`; 0 when its L2 table is missing
 *  (and `alloc` is false or memory ran out). */
function leafOf(sid: u32, iova: u64, alloc: bool): usize {
  let l1 = load<u64>(l1Table + (<usize>sid << 3));
  if (l1 == 0) return 0;
  let l1e = lin(l1) + (<usize>((iova >> 21) & 511) << 3);
  let e = load<u64>(l1e);
  let l2: u64;
  if ((e & PTE_VALID) == 0) {
    if (!alloc) return 0;
    l2 = kmemAlloc(K_PT);
    if (l2 == 0) return 0;
    store<u64>(l1e, l2 | PTE_VALID);
  } else {
    l2 = e & PADDR_MASK;
  }
  return lin(l2) + (<usize>((iova >> 12) & 511) << 3);
}

/**
 * Map the 4 KiB frame at `pa` at `iova` (page aligned, below IOVA_LIMIT: the caller checks) of
 * stream `sid` with `rights` (R_READ / R_WRITE, at least one). Errors: no DART / bad stream
 * (IllegalOperation), out of kernel memory, the IO page already mapped (DeleteFirst).
 */
export function dartMap(sid: u32, iova: u64, pa: u64, rights: u32): u64 {
  if (base == 0 || sid >= DART_STREAMS) return E_ILLEGAL_OPERATION;
  if (!attach(sid)) return E_NOT_ENOUGH_MEMORY;
  let leaf = leafOf(sid, iova, true);
  if (leaf == 0) return E_NOT_ENOUGH_MEMORY;
  if ((load<u64>(leaf) & PTE_VALID) != 0) return E_DELETE_FIRST;
  let pte = PTE_SUBPAGE_END | (pa & PADDR_MASK) | PTE_SP_DIS | PTE_VALID;
  if ((rights & R_WRITE) == 0) pte |= PTE_NO_WRITE;
  if ((rights & R_READ) == 0) pte |= PTE_NO_READ;
  store<u64>(leaf, pte);
  invalidate(1 << sid);
  return E_OK;
}

/** Remove the mapping of `iova` in stream `sid` if it still maps `pa`; flushes the stream's TLB. */
export function dartUnmap(sid: u32, iova: u64, pa: u64): void {
  if (base == 0 || sid >= DART_STREAMS) return;
  let leaf = leafOf(sid, iova, false);
  if (leaf == 0) return;
  let e = load<u64>(leaf);
  if ((e & PTE_VALID) == 0 || (e & PADDR_MASK) != (pa & PADDR_MASK)) return;
  store<u64>(leaf, 0);
  invalidate(1 << sid);
}

/** The PA `iova` maps in stream `sid`, or -1 (introspection and tests). */
export function dartLookup(sid: u32, iova: u64): i64 {
  if (base == 0 || sid >= DART_STREAMS) return -1;
  let leaf = leafOf(sid, iova, false);
  if (leaf == 0) return -1;
  let e = load<u64>(leaf);
  return (e & PTE_VALID) != 0 ? <i64>((e & PADDR_MASK) | (iova & 0xfff)) : -1;
}

/** The DART's interrupt (apple_dart_t8020_irq): report the latched fault, then clear it. */
export function dartIrq(): void {
  if (base == 0) return;
  let error = mmioRead32(base + DART_ERROR);
  let lo = mmioRead32(base + DART_ERROR_ADDR_LO);
  let hi = mmioRead32(base + DART_ERROR_ADDR_HI);
  if ((error & ERROR_FLAG) == 0) return; // not ours (the line may be shared)
  dartFaults++;
  trace(TRACE_DART_FAULT, (error >> 24) & 0xf, error & 0xfff, lo, hi, error);
  mmioWrite32(base + DART_ERROR, error);
}
