// DRAM of the modelled t8103 at 0x8_0000_0000 (DT memory@800000000; shared reference apple-m1.md
// §4). One WebAssembly.Memory that never grows, so every view stays valid; the kernel imports the
// same Memory as `env.memory` (DESIGN D1), which makes byte `pa - DRAM_BASE` the physical byte pa.
// All accessors take physical addresses and are little-endian. An access outside RAM throws
// BusError (an external abort), like a hole on the MMIO bus.

import { BusError } from './bus';
import { DEFAULT_RAM_SIZE, DRAM_BASE } from './memmap';

const WASM_PAGE = 65536;

export class Ram {
  readonly memory: WebAssembly.Memory;
  readonly base = DRAM_BASE;
  readonly size: number;
  readonly u8: Uint8Array;
  readonly dv: DataView;

  constructor(size = DEFAULT_RAM_SIZE) {
    if (!Number.isInteger(size) || size <= 0 || size % WASM_PAGE !== 0)
      throw new RangeError(`Ram: size ${size} is not a positive multiple of 64 KiB`);
    const pages = size / WASM_PAGE;
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.size = size;
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
  }

  /** True when [pa, pa+len) lies entirely in RAM. */
  contains(pa: number, len = 1): boolean {
    return pa >= this.base && len >= 0 && pa + len <= this.base + this.size;
  }

  /** RAM offset of pa, checking that len bytes are in RAM. */
  offset(pa: number, len: number, write = false): number {
    if (!this.contains(pa, len)) throw new BusError(pa, write, 'outside RAM');
    return pa - this.base;
  }

  read8(pa: number): number {
    return this.u8[this.offset(pa, 1)];
  }
  read16(pa: number): number {
    return this.dv.getUint16(this.offset(pa, 2), true);
  }
  read32(pa: number): number {
    return this.dv.getUint32(this.offset(pa, 4), true);
  }
  read64(pa: number): bigint {
    return this.dv.getBigUint64(this.offset(pa, 8), true);
  }
  write8(pa: number, v: number): void {
    this.u8[this.offset(pa, 1, true)] = v;
  }
  write16(pa: number, v: number): void {
    this.dv.setUint16(this.offset(pa, 2, true), v, true);
  }
  write32(pa: number, v: number): void {
    this.dv.setUint32(this.offset(pa, 4, true), v >>> 0, true);
  }
  write64(pa: number, v: bigint): void {
    this.dv.setBigUint64(this.offset(pa, 8, true), BigInt.asUintN(64, v), true);
  }

  /** Copy bytes into RAM at pa. */
  load(pa: number, bytes: Uint8Array): void {
    this.u8.set(bytes, this.offset(pa, bytes.length, true));
  }

  /** A copy of len bytes at pa. */
  slice(pa: number, len: number): Uint8Array {
    const o = this.offset(pa, len);
    return this.u8.slice(o, o + len);
  }

  /** Copy of all of RAM (binary: structured-cloneable, not JSON). */
  snapshot(): Uint8Array {
    return this.u8.slice();
  }

  restore(s: unknown): void {
    if (!(s instanceof Uint8Array) || s.length !== this.size) throw new Error('Ram.restore: bad snapshot');
    this.u8.set(s);
  }
}
