// kmem.ts — the kernel pool: the page frames the kernel itself hands out (page tables,
// demand-zero pages, data pages of loaded images, IPC buffers and the objects of the initial
// process). Everything else of free RAM is given to init as Untyped memory at boot.
//
// A bitmap over one contiguous physical range, first-fit, with per-kind accounting. Allocation
// never traps: it returns 0 when the pool is exhausted and the caller turns that into
// E_NOT_ENOUGH_MEMORY (or, for a page fault, into a reported fault of the thread).

import { DEBUG } from "../object/structures";
import { DRAM_BASE, PAGE_SIZE } from "../arch";

export const K_PT: u32 = 0; // page tables
export const K_DEMAND: u32 = 1; // demand-zero user pages
export const K_DATA: u32 = 2; // data pages of a loaded image
export const K_IPCBUF: u32 = 3; // IPC buffers / bootinfo pages made by the kernel
export const K_KOBJ: u32 = 4; // kernel objects of the initial process
export const K_KINDS: u32 = 5;

export function kindName(k: u32): string {
  switch (k) {
    case K_PT: return "page_tables";
    case K_DEMAND: return "demand_zero";
    case K_DATA: return "image_data";
    case K_IPCBUF: return "ipc_buffers";
    case K_KOBJ: return "kernel_objects";
  }
  return "?";
}

const MAX_POOL_PAGES: u32 = 16384; // 64 MiB of pool at most
const bitmap: usize = memory.data(<i32>(MAX_POOL_PAGES / 8));
const used: usize = memory.data(<i32>(K_KINDS * 4), 4);
const kinds: usize = memory.data(<i32>MAX_POOL_PAGES); // per page: kind + 1, 0 = free (introspection)

let poolBase: u64 = 0; // PA
let poolPages: u32 = 0;
let freePages: u32 = 0;
let hint: u32 = 0;

/** Hands the pool the physical range [base, base + pages*4K). base is page aligned, in RAM. */
export function kmemInit(base: u64, pages: u32): void {
  if (pages > MAX_POOL_PAGES) pages = MAX_POOL_PAGES;
  poolBase = base;
  poolPages = pages;
  freePages = pages;
  hint = 0;
  memory.fill(bitmap, 0, MAX_POOL_PAGES / 8);
  memory.fill(used, 0, K_KINDS * 4);
  memory.fill(kinds, 0, MAX_POOL_PAGES);
}

/** Kind of pool page i (K_*), or -1 when it is free (for the introspection frame map). */
export function kmemKindAt(i: u32): i32 { return i < poolPages ? <i32>load<u8>(kinds + i) - 1 : -1; }

export function kmemTotal(): u32 { return poolPages; }
export function kmemFree(): u32 { return freePages; }
export function kmemUsed(kind: u32): u32 { return load<u32>(used + (<usize>kind << 2)); }
export function kmemBase(): u64 { return poolBase; }

// @ts-ignore: decorator
@inline function bit(i: u32): bool { return (load<u8>(bitmap + (i >> 3)) & (<u8>1 << <u8>(i & 7))) != 0; }
// @ts-ignore: decorator
@inline function setBit(i: u32, on: bool): void {
  let p = bitmap + (i >> 3);
  let m = <u8>1 << <u8>(i & 7);
  store<u8>(p, on ? load<u8>(p) | m : load<u8>(p) & ~m);
}

/**
 * Allocates `n` contiguous zeroed pages aligned to `alignPages` (a power of two). Returns the PA
 * of the first page, or 0 when the pool cannot satisfy the request.
 */
export function kmemAlloc(kind: u32, n: u32 = 1, alignPages: u32 = 1): u64 {
  if (n == 0 || n > freePages) return 0;
  let start: u32 = n == 1 && alignPages == 1 ? hint : 0;
  for (let pass = 0; pass < 2; pass++) {
    let i = (start + alignPages - 1) & ~(alignPages - 1);
    while (i + n <= poolPages) {
      let ok = true;
      for (let j: u32 = 0; j < n; j++) {
        if (bit(i + j)) { ok = false; i = (i + j + 1 + alignPages - 1) & ~(alignPages - 1); break; }
      }
      if (ok) {
        for (let j: u32 = 0; j < n; j++) { setBit(i + j, true); store<u8>(kinds + i + j, <u8>(kind + 1)); }
        freePages -= n;
        let u = used + (<usize>kind << 2);
        store<u32>(u, load<u32>(u) + n);
        if (n == 1) hint = i + 1;
        let pa = poolBase + (<u64>i << 12);
        memory.fill(<usize>(pa - DRAM_BASE), 0, <usize>(n * <u32>PAGE_SIZE));
        return pa;
      }
    }
    if (start == 0) break;
    start = 0;
  }
  return 0;
}

/** Returns pages to the pool. The caller owns them (allocated with the same kind). */
export function kmemRelease(kind: u32, pa: u64, n: u32 = 1): void {
  let i = <u32>((pa - poolBase) >> 12);
  if (DEBUG) assert(pa >= poolBase && i + n <= poolPages, "kmemRelease: not a pool page");
  for (let j: u32 = 0; j < n; j++) {
    if (DEBUG) assert(bit(i + j), "kmemRelease: double free");
    setBit(i + j, false);
    store<u8>(kinds + i + j, 0);
  }
  freePages += n;
  let u = used + (<usize>kind << 2);
  store<u32>(u, load<u32>(u) - n);
  if (i < hint) hint = i;
}
