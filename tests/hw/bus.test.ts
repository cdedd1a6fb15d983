import { describe, expect, it } from 'vitest';
import { Bus, BusError, type MmioDevice } from '../../hw/bus';

class Regs implements MmioDevice {
  regs = new Map<number, number>();
  constructor(
    readonly name: string,
    readonly base: number,
    readonly size: number,
  ) {}
  read32(off: number): number {
    return this.regs.get(off) ?? 0;
  }
  write32(off: number, v: number): void {
    this.regs.set(off, v);
  }
}

describe('Bus', () => {
  it('routes accesses to the device with the offset', () => {
    const bus = new Bus();
    const a = new Regs('a', 0x2_0000_0000, 0x1000);
    const b = new Regs('b', 0x2_0000_2000, 0x1000);
    bus.map(b);
    bus.map(a);
    bus.write32(0x2_0000_0010, 0xffffffff);
    bus.write32(0x2_0000_2ffc, 7);
    expect(a.regs.get(0x10)).toBe(0xffffffff);
    expect(b.regs.get(0xffc)).toBe(7);
    expect(bus.read32(0x2_0000_0010)).toBe(0xffffffff);
    expect(bus.find(0x2_0000_2000)).toBe(b);
    expect(bus.find(0x2_0000_1000)).toBeUndefined();
    expect(bus.devices().map((d) => d.name)).toEqual(['a', 'b']);
  });

  it('raises BusError for a hole, with the address and direction', () => {
    const bus = new Bus();
    bus.map(new Regs('a', 0x2_0000_0000, 0x1000));
    let err: unknown;
    try {
      bus.read32(0x2_0000_1000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BusError);
    expect((err as BusError).pa).toBe(0x2_0000_1000);
    expect((err as BusError).write).toBe(false);
    expect(() => bus.write32(0x1234, 0)).toThrow(BusError);
    try {
      bus.write32(0x1234, 0);
    } catch (e) {
      expect((e as BusError).write).toBe(true);
    }
  });

  it('raises BusError for misaligned and non-32-bit device accesses', () => {
    const bus = new Bus();
    bus.map(new Regs('a', 0x2_0000_0000, 0x1000));
    expect(() => bus.read32(0x2_0000_0002)).toThrow(BusError);
    expect(() => bus.read(0x2_0000_0000, 1)).toThrow(BusError);
    expect(() => bus.write(0x2_0000_0000, 8, 0)).toThrow(BusError);
    expect(bus.read(0x2_0000_0000, 4)).toBe(0);
  });

  it('rejects overlapping windows', () => {
    const bus = new Bus();
    bus.map(new Regs('a', 0x1000, 0x1000));
    expect(() => bus.map(new Regs('b', 0x1ffc, 0x10))).toThrow(/overlaps/);
    expect(() => bus.map(new Regs('c', 0x0, 0x1004))).toThrow(/overlaps/);
    bus.map(new Regs('d', 0x2000, 0x10));
    expect(bus.devices().length).toBe(2);
  });
});
