// frames.ts — physical frame allocator: one bit per 4 KiB frame of RAM (1 = in use).
//
// Invariant: freeCount == number of 0 bits among the first nFrames bits; every frame of a
// reserved region (kernel, FDT, initrd, /memreserve/) is 1 from framesInit on and never freed.
// The bitmap lives in the kernel's reservation right after the heap (like Linux's memblock-placed
// mem_map); framesBitmapBytes(ramSize) tells boot how much to reserve. At most FRAMES_MAX frames
// (4 GiB of RAM) are managed; RAM beyond that is left unmanaged and reported at boot.

import { PAGE_SIZE, PAGE_SHIFT } from "./arch";

export const FRAMES_MAX: u32 = 1048576; // 4 GiB / 4 KiB
let bitmap: usize = 0;

let ramBase: u64 = 0;
let nFrames: u32 = 0;
let freeCount: u32 = 0;
let hint: u32 = 0; // first word that may hold a free bit

/** Bytes of bitmap needed for `size` bytes of RAM (a multiple of 8). */
export function framesBitmapBytes(size: u64): u32 {
  let n = size >> PAGE_SHIFT;
  if (n > <u64>FRAMES_MAX) n = FRAMES_MAX;
  return <u32>((n + 63) >> 6) << 3;
}

/**
 * Starts with every frame of [base, base + size) in use. `map` is the linear address of
 * framesBitmapBytes(size) bytes inside the kernel's own reservation.
 */
export function framesInit(base: u64, size: u64, map: usize): void {
  ramBase = base;
  bitmap = map;
  let n = size >> PAGE_SHIFT;
  nFrames = n > <u64>FRAMES_MAX ? FRAMES_MAX : <u32>n;
  memory.fill(bitmap, 0xff, <usize>framesBitmapBytes(size));
  freeCount = 0;
  hint = 0;
}

/** Frames beyond the bitmap's reach (not managed). */
export function framesUnmanaged(size: u64): u64 { return (size >> PAGE_SHIFT) - <u64>nFrames; }

/** Gives the frames wholly inside [base, base + size) to the allocator (boot only). */
export function framesAddFree(base: u64, size: u64): void {
  let first = (base - ramBase + PAGE_SIZE - 1) >> PAGE_SHIFT;
  let end = (base + size - ramBase) >> PAGE_SHIFT;
  if (end > <u64>nFrames) end = nFrames;
  for (let f = first; f < end; f++) clearBit(<u32>f);
}

function clearBit(f: u32): void {
  let p = bitmap + (f >> 3);
  let m = <u8>(1 << <u8>(f & 7));
  let b = load<u8>(p);
  if (b & m) { store<u8>(p, b & ~m); freeCount++; if ((f >> 5) < hint) hint = f >> 5; }
}

export function framesFree(): u32 { return freeCount; }
export function framesTotal(): u32 { return nFrames; }
export function framesUsed(): u32 { return nFrames - freeCount; }

/** Page count of the last framesTakeLargestRun(). */
export let takenPages: u32 = 0;

/**
 * Takes the longest run of free frames out of the allocator (boot only: the kernel core splits it
 * into its pool and init's Untyped memory). Returns the run's PA (0 if none); count in takenPages.
 */
export function framesTakeLargestRun(): u64 {
  let bestStart: u32 = 0, bestLen: u32 = 0, runStart: u32 = 0, runLen: u32 = 0;
  for (let f: u32 = 0; f < nFrames; f++) {
    let used = (load<u8>(bitmap + (f >> 3)) & <u8>(1 << <u8>(f & 7))) != 0;
    if (used) { runLen = 0; continue; }
    if (runLen == 0) runStart = f;
    runLen++;
    if (runLen > bestLen) { bestLen = runLen; bestStart = runStart; }
  }
  takenPages = bestLen;
  if (bestLen == 0) return 0;
  for (let f = bestStart; f < bestStart + bestLen; f++) {
    let p = bitmap + (f >> 3);
    store<u8>(p, load<u8>(p) | <u8>(1 << <u8>(f & 7)));
  }
  freeCount -= bestLen;
  return ramBase + (<u64>bestStart << PAGE_SHIFT);
}
