// The MMIO side of the physical address space (shared reference apple-m1.md §4): the SoC devices
// at their t8103 addresses plus MyLittleKernel's own devices (hw/memmap.ts). RAM is not on this
// bus (hw/ram.ts). A load or store to a physical address with no device behind it is a
// synchronous external abort on the real machine ("L2C faults", DFSC 0x10); so is a misaligned or
// non-32-bit access to a device register (every device here has reg-io-width 4). Both are reported
// as BusError, which the core turns into the data abort.

export interface MmioDevice {
  readonly name: string;
  /** Physical base address of the register window. */
  readonly base: number;
  /** Size of the register window in bytes. */
  readonly size: number;
  /** 32-bit register read at `offset` (0 ≤ offset < size, offset % 4 = 0). */
  read32(offset: number): number;
  /** 32-bit register write at `offset`. */
  write32(offset: number, value: number): void;
}

/** An external abort: nothing decodes the address, or the access shape is not supported. */
export class BusError extends Error {
  readonly pa: number;
  readonly write: boolean;
  constructor(pa: number, write: boolean, reason = 'no device at address') {
    super(`bus error: ${write ? 'write' : 'read'} at PA 0x${pa.toString(16)}: ${reason}`);
    this.name = 'BusError';
    this.pa = pa;
    this.write = write;
  }
}

export class Bus {
  /** Devices sorted by base address; no two windows overlap. */
  private devs: MmioDevice[] = [];
  /** One-entry lookup cache: drivers hammer the same device. */
  private last: MmioDevice | undefined;

  /** Add a device. Throws if its window is empty, misaligned or overlaps one already mapped. */
  map(dev: MmioDevice): void {
    if (!(dev.size > 0) || dev.base % 4 !== 0 || dev.size % 4 !== 0)
      throw new Error(`Bus.map: bad window for ${dev.name}`);
    const end = dev.base + dev.size;
    for (const d of this.devs) {
      if (dev.base < d.base + d.size && d.base < end)
        throw new Error(
          `Bus.map: ${dev.name} [0x${dev.base.toString(16)}, 0x${end.toString(16)}) overlaps ${d.name}`,
        );
    }
    this.devs.push(dev);
    this.devs.sort((a, b) => a.base - b.base);
  }

  /** The device whose window contains pa, if any. */
  find(pa: number): MmioDevice | undefined {
    const l = this.last;
    if (l && pa >= l.base && pa < l.base + l.size) return l;
    for (const d of this.devs) {
      if (pa >= d.base && pa < d.base + d.size) return (this.last = d);
    }
    return undefined;
  }

  read32(pa: number): number {
    const d = this.decode(pa, 4, false);
    return d.read32(pa - d.base) >>> 0;
  }

  write32(pa: number, v: number): void {
    const d = this.decode(pa, 4, true);
    d.write32(pa - d.base, v >>> 0);
  }

  /** Read of any size: only 32-bit accesses are decoded by devices; others abort. */
  read(pa: number, size: number): number {
    if (size !== 4) throw new BusError(pa, false, `${size * 8}-bit access to a 32-bit device`);
    return this.read32(pa);
  }

  /** Write of any size: only 32-bit accesses are decoded by devices; others abort. */
  write(pa: number, size: number, v: number): void {
    if (size !== 4) throw new BusError(pa, true, `${size * 8}-bit access to a 32-bit device`);
    this.write32(pa, v);
  }

  devices(): MmioDevice[] {
    return [...this.devs];
  }

  private decode(pa: number, size: number, write: boolean): MmioDevice {
    const d = this.find(pa);
    if (!d) throw new BusError(pa, write);
    if (pa % size !== 0) throw new BusError(pa, write, 'misaligned device access');
    return d;
  }
}
