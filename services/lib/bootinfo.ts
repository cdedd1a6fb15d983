// bootinfo.ts — the boot-info page the kernel maps read-only into init at 0x2000
// (docs/SYSCALLS.md "Boot info"; kernel-as/kernel/boot.ts writes it).

import {
  BOOTINFO_VA, BI_RADIX, BI_FIRST_EMPTY, BI_NDEV, BI_NUT, BI_NFILES, BI_IMG_FRAMES, BI_IMG_PA, BI_DEVS, BI_UTS, BI_FILES,
  BI_DEV_BYTES, BI_DEV_PAGES, BI_DEV_IRQ, BI_DEV_SLOT, BI_DEV_KIND, BI_UT_BYTES, BI_UT_BITS, BI_UT_SLOT,
  BI_FILE_BYTES, BI_FILE_SIZE, BI_FILE_NAME,
} from "./abi";
// Offsets and record layouts: BI_* in abi/layout.json. The standard slots (SLOT_TCB … SLOT_BOOT_IMAGE)
// come with the other constants from ./abi.

export function biRadix(): u32 { return load<u32>(BOOTINFO_VA + BI_RADIX); }
export function biFirstEmpty(): u32 { return load<u32>(BOOTINFO_VA + BI_FIRST_EMPTY); }
export function biDeviceCount(): u32 { return load<u32>(BOOTINFO_VA + BI_NDEV); }
export function biUntypedCount(): u32 { return load<u32>(BOOTINFO_VA + BI_NUT); }
export function biFileCount(): u32 { return load<u32>(BOOTINFO_VA + BI_NFILES); }
/** Read-only frame caps of the boot image's pages: first slot, count, PA of the first page. */
export function biImageFrameSlot(): u32 { return load<u32>(BOOTINFO_VA + BI_IMG_FRAMES); }
export function biImageFrameCount(): u32 { return load<u32>(BOOTINFO_VA + BI_IMG_FRAMES + 4); }
export function biImagePa(): u64 { return load<u64>(BOOTINFO_VA + BI_IMG_PA); }
// @ts-ignore: decorator
@inline function devRec(i: u32): usize { return BOOTINFO_VA + BI_DEVS + <usize>i * BI_DEV_BYTES; }
// @ts-ignore: decorator
@inline function utRec(i: u32): usize { return BOOTINFO_VA + BI_UTS + <usize>i * BI_UT_BYTES; }
// @ts-ignore: decorator
@inline function fileRec(i: u32): usize { return BOOTINFO_VA + BI_FILES + <usize>i * BI_FILE_BYTES; }

/** Device record i: pa, pages, irq, first slot, kind (2 uart, 5 block, 6 mailbox), name. */
export function biDevicePa(i: u32): u64 { return load<u64>(devRec(i)); }
export function biDevicePages(i: u32): u32 { return load<u32>(devRec(i) + BI_DEV_PAGES); }
export function biDeviceIrq(i: u32): i32 { return load<i32>(devRec(i) + BI_DEV_IRQ); }
export function biDeviceSlot(i: u32): u32 { return load<u32>(devRec(i) + BI_DEV_SLOT); }
export function biDeviceKind(i: u32): u32 { return load<u32>(devRec(i) + BI_DEV_KIND); }
/** Untyped record i: pa, size bits, slot. */
export function biUntypedPa(i: u32): u64 { return load<u64>(utRec(i)); }
export function biUntypedBits(i: u32): u32 { return load<u32>(utRec(i) + BI_UT_BITS); }
export function biUntypedSlot(i: u32): u32 { return load<u32>(utRec(i) + BI_UT_SLOT); }
/** Boot file i: offset in the archive, size, name (NUL-terminated, ≤ 39 bytes). */
export function biFileSize(i: u32): u32 { return load<u32>(fileRec(i) + BI_FILE_SIZE); }
export function biFileNameAt(i: u32): usize { return fileRec(i) + BI_FILE_NAME; }

/** Index of the boot file named `name` (e.g. "ping.wasm"), or -1. */
export function biFindFile(name: string): i32 {
  let n = biFileCount();
  for (let i: u32 = 0; i < n; i++) {
    let p = biFileNameAt(i);
    let ok = true;
    for (let k = 0; k < name.length; k++) if (<i32>load<u8>(p + k) != name.charCodeAt(k)) { ok = false; break; }
    if (ok && load<u8>(p + name.length) == 0) return <i32>i;
  }
  return -1;
}
