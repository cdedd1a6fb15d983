import { describe, expect, it } from 'vitest';
import { BusError } from '../../hw/bus';
import { DRAM_BASE } from '../../hw/memmap';
import { Ram } from '../../hw/ram';

describe('Ram', () => {
  it('is one fixed-size WebAssembly.Memory at DRAM_BASE', () => {
    const r = new Ram(1 << 20);
    expect(r.base).toBe(DRAM_BASE);
    expect(r.size).toBe(1 << 20);
    expect(r.memory.buffer.byteLength).toBe(1 << 20);
    expect(() => r.memory.grow(1)).toThrow();
    expect(() => new Ram(1000)).toThrow(RangeError);
  });

  it('reads and writes little-endian by physical address, visible through memory', () => {
    const r = new Ram(1 << 16);
    const pa = DRAM_BASE + 0x100;
    r.write32(pa, 0xdeadbeef);
    expect(r.read8(pa)).toBe(0xef);
    expect(r.read16(pa + 2)).toBe(0xdead);
    expect(r.read32(pa)).toBe(0xdeadbeef);
    expect(new Uint8Array(r.memory.buffer)[0x100]).toBe(0xef);
    r.write64(pa + 8, 0x0123456789abcdefn);
    expect(r.read64(pa + 8)).toBe(0x0123456789abcdefn);
    expect(r.read32(pa + 12)).toBe(0x01234567);
    r.write64(pa, -1n);
    expect(r.read64(pa)).toBe(0xffffffffffffffffn);
    r.write8(pa, 0x1ff);
    expect(r.read8(pa)).toBe(0xff);
  });

  it('contains() and out-of-range accesses', () => {
    const r = new Ram(1 << 16);
    expect(r.contains(DRAM_BASE)).toBe(true);
    expect(r.contains(DRAM_BASE + (1 << 16) - 4, 4)).toBe(true);
    expect(r.contains(DRAM_BASE + (1 << 16) - 3, 4)).toBe(false);
    expect(r.contains(DRAM_BASE - 1)).toBe(false);
    expect(() => r.read32(DRAM_BASE + (1 << 16) - 2)).toThrow(BusError);
    expect(() => r.write8(DRAM_BASE - 1, 0)).toThrow(BusError);
  });

  it('load copies bytes and snapshot/restore round-trips', () => {
    const r = new Ram(1 << 16);
    r.load(DRAM_BASE + 10, Uint8Array.of(1, 2, 3));
    expect(Array.from(r.slice(DRAM_BASE + 9, 5))).toEqual([0, 1, 2, 3, 0]);
    expect(() => r.load(DRAM_BASE + (1 << 16) - 1, Uint8Array.of(1, 2))).toThrow(BusError);
    const s = r.snapshot();
    r.write8(DRAM_BASE + 10, 99);
    r.restore(s);
    expect(r.read8(DRAM_BASE + 10)).toBe(1);
  });
});
