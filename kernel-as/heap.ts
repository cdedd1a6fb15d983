// heap.ts — the kernel object heap: a fixed region right after the kernel image
// ([heapBase, heapBase + HEAP_BYTES), part of the kernel's reservation, like Linux's _end).
//
// Blocks are 16-byte aligned and carry a 16-byte header. Sizes are rounded to 16; freed blocks
// go to a per-size free list (sizes up to SMALL_MAX), larger ones to one first-fit list.
// New blocks come from a bump pointer. Exhaustion returns 0: the caller turns it into an
// out-of-memory error for its invoker; the heap never traps.
//
//   block:  ┌─────────────────────┬──────────────────────┬─────────────── … ┐
//           │ 0x00 size: u32      │ 0x04 magic: u32      │ 0x08 next: u32   │ 0x0C pad │ payload
//           └─────────────────────┴──────────────────────┴──────────────────┴──────────┴──── …
//   `next` links free blocks; `magic` is HEAP_LIVE while allocated, HEAP_FREE while on a list.

export const HEAP_BYTES: u32 = 1 << 20; // 1 MiB
const HDR: u32 = 16;
const SMALL_MAX: u32 = 1024;
const HEAP_LIVE: u32 = 0x4b4f424a; // "JBOK"
const HEAP_FREE: u32 = 0x45455246; // "FREE"

const lists: usize = memory.data(<i32>((SMALL_MAX >> 4) + 1) << 2, 8); // per 16-byte class; [0] = large
let start: usize = 0;
let end: usize = 0;
let top: usize = 0;
let inUse: u32 = 0;
let liveBlocks: u32 = 0;

/** Places the heap at linear address `base` (16-byte aligned), HEAP_BYTES long. */
export function heapInit(base: usize): void {
  start = base;
  end = base + HEAP_BYTES;
  top = base;
  inUse = 0;
  liveBlocks = 0;
  memory.fill(lists, 0, ((SMALL_MAX >> 4) + 1) << 2);
}

/** Allocates `bytes` zeroed bytes; returns the linear address or 0 when the heap is exhausted. */
export function kalloc(bytes: u32): usize {
  if (bytes == 0 || bytes > HEAP_BYTES) return 0;
  let sz = (bytes + 15) & ~15;
  let blk: usize = 0;
  if (sz <= SMALL_MAX) {
    let head = lists + (<usize>(sz >> 4) << 2);
    blk = <usize>load<u32>(head);
    if (blk != 0) store<u32>(head, load<u32>(blk + 8));
  } else {
    // first fit among large free blocks
    let prev = lists;
    let b = <usize>load<u32>(prev);
    while (b != 0) {
      if (load<u32>(b) >= sz) { store<u32>(prev, load<u32>(b + 8)); blk = b; sz = load<u32>(b); break; }
      prev = b + 8;
      b = <usize>load<u32>(prev);
    }
  }
  if (blk == 0) {
    if (<u64>top + <u64>HDR + <u64>sz > <u64>end) return 0;
    blk = top;
    top += HDR + sz;
  }
  store<u32>(blk, sz);
  store<u32>(blk + 4, HEAP_LIVE);
  store<u32>(blk + 8, 0);
  memory.fill(blk + HDR, 0, sz);
  inUse += sz + HDR;
  liveBlocks++;
  return blk + HDR;
}

/** Frees a block from kalloc. Returns false (and does nothing) for anything else. */
export function kfree(p: usize): bool {
  if (p < start + HDR || p >= top || (p & 15) != 0) return false;
  let blk = p - HDR;
  if (load<u32>(blk + 4) != HEAP_LIVE) return false;
  let sz = load<u32>(blk);
  store<u32>(blk + 4, HEAP_FREE);
  let head = sz <= SMALL_MAX ? lists + (<usize>(sz >> 4) << 2) : lists;
  store<u32>(blk + 8, load<u32>(head));
  store<u32>(head, <u32>blk);
  inUse -= sz + HDR;
  liveBlocks--;
  return true;
}

export function heapStart(): usize { return start; }
export function heapEnd(): usize { return end; }
export function heapUsed(): u32 { return inUse; }
export function heapLive(): u32 { return liveBlocks; }
