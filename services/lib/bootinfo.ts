// bootinfo.ts — the boot-info page the kernel maps read-only into init at 0x2000
// (docs/SYSCALLS.md "Boot info"; kernel-as/kernel/boot.ts writes it).

export const BOOTINFO: usize = 0x2000;
export const MAGIC: u32 = 0x424b4c4d; // "MLKB"

export function biRadix(): u32 { return load<u32>(BOOTINFO + 0x08); }
export function biFirstEmpty(): u32 { return load<u32>(BOOTINFO + 0x0c); }
export const SLOT_TCB: u64 = 1;
export const SLOT_CNODE: u64 = 2;
export const SLOT_VSPACE: u64 = 3;
export const SLOT_IRQ_CONTROL: u64 = 4;
export const SLOT_BOOT_IMAGE: u64 = 5;
export function biDeviceCount(): u32 { return load<u32>(BOOTINFO + 0x24); }
export function biUntypedCount(): u32 { return load<u32>(BOOTINFO + 0x28); }
export function biFileCount(): u32 { return load<u32>(BOOTINFO + 0x2c); }
/** Read-only frame caps of the boot image's pages: first slot, count, PA of the first page. */
export function biImageFrameSlot(): u32 { return load<u32>(BOOTINFO + 0x40); }
export function biImageFrameCount(): u32 { return load<u32>(BOOTINFO + 0x44); }
export function biImagePa(): u64 { return load<u64>(BOOTINFO + 0x48); }
/** Device record i: pa, pages, irq, first slot, kind (2 uart, 5 block, 6 mailbox), name. */
export function biDevicePa(i: u32): u64 { return load<u64>(BOOTINFO + 0x100 + (<usize>i << 5)); }
export function biDevicePages(i: u32): u32 { return load<u32>(BOOTINFO + 0x100 + (<usize>i << 5) + 8); }
export function biDeviceIrq(i: u32): i32 { return load<i32>(BOOTINFO + 0x100 + (<usize>i << 5) + 12); }
export function biDeviceSlot(i: u32): u32 { return load<u32>(BOOTINFO + 0x100 + (<usize>i << 5) + 16); }
export function biDeviceKind(i: u32): u32 { return load<u32>(BOOTINFO + 0x100 + (<usize>i << 5) + 20); }
/** Untyped record i: pa, size bits, slot. */
export function biUntypedPa(i: u32): u64 { return load<u64>(BOOTINFO + 0x300 + (<usize>i << 4)); }
export function biUntypedBits(i: u32): u32 { return load<u32>(BOOTINFO + 0x300 + (<usize>i << 4) + 8); }
export function biUntypedSlot(i: u32): u32 { return load<u32>(BOOTINFO + 0x300 + (<usize>i << 4) + 12); }
/** Boot file i: offset in the archive, size, name (NUL-terminated, ≤ 39 bytes). */
export function biFileSize(i: u32): u32 { return load<u32>(BOOTINFO + 0x700 + <usize>i * 48 + 4); }
export function biFileNameAt(i: u32): usize { return BOOTINFO + 0x700 + <usize>i * 48 + 8; }

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
