// bootinfo.ts — what boot discovered: RAM, reserved regions, devices. Filled by fdt.ts and
// main.ts, read by everyone else. All of it lives in static data (no allocation), so the UI can
// read it through the `ki_bootinfo` export (address of the BootInfo block) without kernel help.

/** Reserved-region kinds (Region.kind). */
export const RSV_KERNEL: u32 = 1; // kernel image + static data + frame bitmap ("_end")
export const RSV_FDT: u32 = 2; // the flattened device tree blob
export const RSV_INITRD: u32 = 3; // /chosen linux,initrd-start..end (boot image, cpio newc)
export const RSV_MEMRESERVE: u32 = 4; // an entry of the FDT memory-reservation block
export const RSV_LOWMEM: u32 = 5; // below the kernel image (memoryBase gap)

/** Device kinds (Device.kind): the kernel's own classification of FDT nodes; the boot-info records
 *  init reads carry BI_DEV_KIND_* (abi/layout.json) instead. */
export const DEV_OTHER: u32 = 0;
export const DEV_AIC: u32 = 1;
export const DEV_UART: u32 = 2;
export const DEV_TIMER: u32 = 3;
export const DEV_TRACE: u32 = 4;
export const DEV_BLOCK: u32 = 5;
export const DEV_DART: u32 = 7;
/** A virtio-mmio device ("virtio,mmio"; the virtio-net NIC, driven by the netdrv service). */
export const DEV_NET: u32 = 9;

/** Interrupt type cell of the AIC binding (dt-bindings/interrupt-controller/apple-aic.h). */
export const AIC_IRQ: u32 = 0;
export const AIC_FIQ: u32 = 1;
/** Timer FIQ number of the EL1 physical ("guest phys") timer in the AIC binding. */
export const AIC_TMR_GUEST_PHYS: u32 = 2;

export const MAX_REGIONS: i32 = 16;
const MAX_DEVICES: i32 = 32;

/**
 * A physical range.
 * ```
 * ┌──────────────────────────┬──────────────────────────┬──────────┬──────────┐
 * │ 0x00 base: u64 (PA)      │ 0x08 size: u64 (bytes)   │ 0x10 kind│ 0x14 pad │
 * └──────────────────────────┴──────────────────────────┴──────────┴──────────┘  24 bytes
 * ```
 */
// @ts-ignore: decorator
@unmanaged @final export class Region {
  base: u64;
  size: u64;
  kind: u32;
  pad: u32;
}
const REGION_BYTES: i32 = 24;

/**
 * A device node found in the FDT. `name` and `compat` point at NUL-terminated strings inside the
 * FDT blob (kernel linear addresses; the blob stays reserved).
 * ```
 * ┌────────────────┬────────────────┬───────────────────┬───────────────────┐
 * │ 0x00 name: u32 │ 0x04 compat:u32│ 0x08 base: u64 PA │ 0x10 size: u64    │
 * ├────────────────┼────────────────┼───────────────────┴───────────────────┘
 * │ 0x18 irq: i32  │ 0x1C kind: u32 │  irq: AIC number (-1 none); for the timer the FIQ number
 * ├────────────────┼────────────────┤
 * │ 0x20 irqType   │ 0x24 pad       │  AIC_IRQ / AIC_FIQ
 * └────────────────┴────────────────┘  40 bytes
 * ```
 */
// @ts-ignore: decorator
@unmanaged @final export class Device {
  name: u32;
  compat: u32;
  base: u64;
  size: u64;
  irq: i32;
  kind: u32;
  irqType: u32;
  pad: u32;
}
const DEVICE_BYTES: i32 = 40;

/**
 * Everything boot learned, one static block (addresses are physical unless noted).
 * ```
 * 0x00 ramBase    0x08 ramSize    0x10 fdtPa      0x18 fdtSize
 * 0x20 initrdStart 0x28 initrdEnd 0x30 kernelEnd  0x38 aicBase
 * 0x40 uartBase   0x48 traceBase  0x50 blockBase  0x58 vbar
 * 0x60 aicNrIrq:u32  0x64 uartIrq:i32  0x68 timerFiq:i32  0x6C blockIrq:i32
 * 0x70 nRegions:i32  0x74 nDevices:i32 0x78 regions:u32 (linear)  0x7C devices:u32 (linear)
 * 0x80 model:u32 (linear, FDT string or 0)  0x84 bootargs:u32 (linear or 0)
 * 0x88 aicTimebase (the AICv1 timebase page after its 0x8000-byte register block; 0 if none)  0x90 aicTimebaseSize
 * 0x98 dartBase   0xA0 dartIrq:i32  0xA4 blockSid:i32 (the block device's DART stream, -1 if none)
 * 0xA8 netSid:i32 (the virtio-mmio NIC's DART stream, -1 if none)  0xAC pad
 * ```
 */
// @ts-ignore: decorator
@unmanaged @final export class BootInfo {
  ramBase: u64;
  ramSize: u64;
  fdtPa: u64;
  fdtSize: u64;
  initrdStart: u64;
  initrdEnd: u64;
  kernelEnd: u64;
  aicBase: u64;
  uartBase: u64;
  traceBase: u64;
  blockBase: u64;
  vbar: u64;
  aicNrIrq: u32;
  uartIrq: i32;
  timerFiq: i32;
  blockIrq: i32;
  nRegions: i32;
  nDevices: i32;
  regions: u32;
  devices: u32;
  model: u32;
  bootargs: u32;
  aicTimebase: u64;
  aicTimebaseSize: u64;
  dartBase: u64;
  dartIrq: i32;
  blockSid: i32;
  netSid: i32;
  pad: u32;
}

const regionArea: usize = memory.data(REGION_BYTES * MAX_REGIONS, 8);
const deviceArea: usize = memory.data(DEVICE_BYTES * MAX_DEVICES, 8);
const bootInfoArea: usize = memory.data(offsetof<BootInfo>(), 8);

/** The boot information block. */
export const bi: BootInfo = changetype<BootInfo>(bootInfoArea);

/** Clears the block (kmain calls it first: a reset must not see a previous boot's data). */
export function bootInfoReset(): void {
  memory.fill(bootInfoArea, 0, offsetof<BootInfo>());
  bi.uartIrq = -1;
  bi.timerFiq = -1;
  bi.blockIrq = -1;
  bi.dartIrq = -1;
  bi.blockSid = -1;
  bi.netSid = -1;
  bi.regions = <u32>regionArea;
  bi.devices = <u32>deviceArea;
}

export function regionAt(i: i32): Region { return changetype<Region>(regionArea + <usize>(i * REGION_BYTES)); }
export function deviceAt(i: i32): Device { return changetype<Device>(deviceArea + <usize>(i * DEVICE_BYTES)); }

/** Records a reserved region; returns false when the table is full. Empty ranges are skipped. */
export function addReserved(base: u64, size: u64, kind: u32): bool {
  if (size == 0) return true;
  if (bi.nRegions >= MAX_REGIONS) return false;
  let r = regionAt(bi.nRegions++);
  r.base = base;
  r.size = size;
  r.kind = kind;
  r.pad = 0;
  return true;
}

/** Records a device; returns it, or null-equivalent changetype 0 when the table is full. */
export function addDevice(name: usize, compat: usize, base: u64, size: u64, irq: i32, irqType: u32, kind: u32): bool {
  if (bi.nDevices >= MAX_DEVICES) return false;
  let d = deviceAt(bi.nDevices++);
  d.name = <u32>name;
  d.compat = <u32>compat;
  d.base = base;
  d.size = size;
  d.irq = irq;
  d.irqType = irqType;
  d.kind = kind;
  d.pad = 0;
  return true;
}

export function regionKindName(kind: u32): string {
  switch (kind) {
    case RSV_KERNEL: return "kernel image + frame map";
    case RSV_FDT: return "device tree (FDT)";
    case RSV_INITRD: return "initrd (boot image)";
    case RSV_MEMRESERVE: return "/memreserve/";
    case RSV_LOWMEM: return "low memory";
  }
  return "reserved";
}
