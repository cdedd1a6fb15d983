// bootinfo.ts — the boot-info page the kernel maps read-only into init at BOOTINFO_VA
// (docs/SYSCALLS.md §8): init's CSpace, the device, Untyped and boot-file records. Offsets and
// record layouts are BI_* in abi/layout.json.

import {
  BOOTINFO_VA, BI_MAGIC, BI_MAGIC_VALUE, BI_RADIX, BI_FIRST_EMPTY, BI_NDEV, BI_NUT, BI_NFILES, BI_TID, BI_KPOOL, BI_IMG_FRAMES,
  BI_IMG_PA, BI_DEVS, BI_UTS, BI_FILES, BI_DEV_BYTES, BI_DEV_PAGES, BI_DEV_IRQ, BI_DEV_SLOT, BI_DEV_KIND, BI_DEV_NAME,
  BI_UT_BYTES, BI_UT_BITS, BI_UT_SLOT, BI_FILE_BYTES, BI_FILE_SIZE, BI_FILE_NAME, BI_FILE_NAME_MAX,
} from "./abi";

/** Whether the boot-info page is there (init only: other programs have none). */
export function biPresent(): bool { return load<u32>(BOOTINFO_VA + BI_MAGIC) == BI_MAGIC_VALUE; }
/** Radix of init's CNode (it has 2^radix slots). */
export function biRadix(): u32 { return load<u32>(BOOTINFO_VA + BI_RADIX); }
/** First empty slot of init's CNode. */
export function biFirstEmpty(): u32 { return load<u32>(BOOTINFO_VA + BI_FIRST_EMPTY); }
/** Number of device records. */
export function biDeviceCount(): u32 { return load<u32>(BOOTINFO_VA + BI_NDEV); }
/** Number of Untyped records. */
export function biUntypedCount(): u32 { return load<u32>(BOOTINFO_VA + BI_NUT); }
/** Number of boot-image files. */
export function biFileCount(): u32 { return load<u32>(BOOTINFO_VA + BI_NFILES); }
/** init's own kernel thread id. */
export function biInitTid(): u32 { return load<u32>(BOOTINFO_VA + BI_TID); }
/** Pages of the kernel's object pool. */
export function biKernelPoolPages(): u64 { return load<u64>(BOOTINFO_VA + BI_KPOOL); }
/** First slot of the read-only frame caps of the boot image's pages. */
export function biImageFrameSlot(): u32 { return load<u32>(BOOTINFO_VA + BI_IMG_FRAMES); }
/** Number of those frame caps. */
export function biImageFrameCount(): u32 { return load<u32>(BOOTINFO_VA + BI_IMG_FRAMES + 4); }
/** Physical address of the boot image's first page. */
export function biImagePa(): u64 { return load<u64>(BOOTINFO_VA + BI_IMG_PA); }

// @ts-ignore: decorator
@inline function devRec(i: u32): usize { return BOOTINFO_VA + BI_DEVS + <usize>i * BI_DEV_BYTES; }
// @ts-ignore: decorator
@inline function utRec(i: u32): usize { return BOOTINFO_VA + BI_UTS + <usize>i * BI_UT_BYTES; }
// @ts-ignore: decorator
@inline function fileRec(i: u32): usize { return BOOTINFO_VA + BI_FILES + <usize>i * BI_FILE_BYTES; }

// ---- device record i ---------------------------------------------------------------------------
/** Physical address of device i. */
export function biDevicePa(i: u32): u64 { return load<u64>(devRec(i)); }
/** Pages of device i (its device-frame caps). */
export function biDevicePages(i: u32): u32 { return load<u32>(devRec(i) + BI_DEV_PAGES); }
/** Interrupt line of device i, or -1 (an IOSpace record: its DMA stream). */
export function biDeviceIrq(i: u32): i32 { return load<i32>(devRec(i) + BI_DEV_IRQ); }
/** Slot of device i's first capability. */
export function biDeviceSlot(i: u32): u32 { return load<u32>(devRec(i) + BI_DEV_SLOT); }
/** Kind of device i (BI_DEV_KIND_*). */
export function biDeviceKind(i: u32): u32 { return load<u32>(devRec(i) + BI_DEV_KIND); }
/** Name of device i ("uart", "block", "mailbox", "timebase"; an IOSpace record has its device's). */
export function biDeviceName(i: u32): string { return String.UTF8.decodeUnsafe(devRec(i) + BI_DEV_NAME, 8, true); }
/** Index of the device record named `name` of kind `kind` (any kind when -1), or -1. */
export function biFindDevice(name: string, kind: i32 = -1): i32 {
  const n = biDeviceCount();
  for (let i: u32 = 0; i < n; i++) {
    if ((kind < 0 || biDeviceKind(i) == <u32>kind) && biDeviceName(i) == name) return <i32>i;
  }
  return -1;
}

// ---- Untyped record i --------------------------------------------------------------------------
/** Physical address of Untyped i. */
export function biUntypedPa(i: u32): u64 { return load<u64>(utRec(i)); }
/** Size of Untyped i: 2^bits bytes. */
export function biUntypedBits(i: u32): u32 { return load<u32>(utRec(i) + BI_UT_BITS); }
/** Slot of Untyped i's capability. */
export function biUntypedSlot(i: u32): u32 { return load<u32>(utRec(i) + BI_UT_SLOT); }

// ---- boot file i -------------------------------------------------------------------------------
/** Size in bytes of boot file i. */
export function biFileSize(i: u32): u32 { return load<u32>(fileRec(i) + BI_FILE_SIZE); }
/** Address of boot file i's NUL-terminated name (≤ 39 bytes). */
export function biFileNameAt(i: u32): usize { return fileRec(i) + BI_FILE_NAME; }
/** Index of the boot file named `name` (e.g. "ping.wasm"), or -1. */
export function biFindFile(name: string): i32 {
  let n = biFileCount();
  for (let i: u32 = 0; i < n; i++) {
    let p = biFileNameAt(i);
    let ok = name.length < <i32>BI_FILE_NAME_MAX;
    for (let k = 0; ok && k < name.length; k++) if (<i32>load<u8>(p + k) != name.charCodeAt(k)) ok = false;
    if (ok && load<u8>(p + name.length) == 0) return <i32>i;
  }
  return -1;
}
