// Drives the AIC with the register sequences of Linux drivers/irqchip/irq-apple-aic.c.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AIC_CONFIG,
  AIC_CPU_IPI_BASE,
  AIC_EVENT,
  AIC_HW_STATE,
  AIC_INFO,
  AIC_IPI_ACK,
  AIC_IPI_MASK_CLR,
  AIC_IPI_MASK_SET,
  AIC_IPI_OTHER,
  AIC_IPI_SELF,
  AIC_IPI_SEND,
  AIC_MASK_CLR,
  AIC_MASK_SET,
  AIC_SW_CLR,
  AIC_SW_SET,
  AIC_TARGET_CPU,
  AIC_TIMEBASE_HI,
  AIC_TIMEBASE_LO,
  AIC_WHOAMI,
  Aic,
} from '../../hw/aic';
import { Clock } from '../../hw/clock';
import { AIC_BASE, AIC_NR_IRQ } from '../../hw/memmap';

const bitReg = (base: number, n: number) => base + 4 * (n >> 5);
const bit = (n: number) => (1 << (n & 31)) >>> 0;

/** aic_of_ic_init + aic_init_cpu: mask all, clear SW, route everything to CPU 0. */
function linuxInit(aic: Aic): void {
  const nr = aic.read32(AIC_INFO) & 0xffff;
  for (let i = 0; i < Math.ceil(nr / 32); i++) aic.write32(AIC_MASK_SET + 4 * i, 0xffffffff);
  for (let i = 0; i < Math.ceil(nr / 32); i++) aic.write32(AIC_SW_CLR + 4 * i, 0xffffffff);
  for (let i = 0; i < nr; i++) aic.write32(AIC_TARGET_CPU + 4 * i, 1);
  aic.write32(AIC_IPI_MASK_SET, AIC_IPI_SELF | AIC_IPI_OTHER);
}

describe('AIC', () => {
  let clock: Clock;
  let aic: Aic;
  beforeEach(() => {
    clock = new Clock();
    aic = new Aic(clock);
    linuxInit(aic);
  });

  it('identifies itself as t8103 AICv1', () => {
    expect(aic.base).toBe(AIC_BASE);
    expect(aic.read32(AIC_INFO) & 0xffff).toBe(896);
    expect(aic.read32(AIC_WHOAMI)).toBe(0);
    expect(aic.read32(AIC_CONFIG) & 1).toBe(1);
  });

  it('resets with every line masked, targeted at CPU 0, nothing pending', () => {
    const fresh = new Aic(clock);
    expect(fresh.read32(AIC_MASK_SET)).toBe(0xffffffff);
    expect(fresh.read32(AIC_MASK_CLR + 4 * 27)).toBe(0xffffffff);
    expect(fresh.read32(AIC_TARGET_CPU + 4 * 605)).toBe(1);
    expect(fresh.read32(AIC_EVENT)).toBe(0);
    fresh.setLine(605, true);
    expect(fresh.irqOutput()).toBe(false);
    expect(fresh.state().lines).toEqual([{ irq: 605, level: true, sw: false, masked: true, target: 1 }]);
  });

  it('HW IRQ: unmask, line high, EVENT acks+masks, EVENT 0, MASK_CLR re-fires while high', () => {
    const n = 605;
    aic.write32(bitReg(AIC_MASK_CLR, n), bit(n));
    expect(aic.read32(bitReg(AIC_MASK_SET, n)) & bit(n)).toBe(0);
    expect(aic.irqOutput()).toBe(false);
    aic.setLine(n, true);
    expect(aic.read32(bitReg(AIC_HW_STATE, n)) & bit(n)).not.toBe(0);
    expect(aic.irqOutput()).toBe(true);
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | n);
    expect(aic.irqOutput()).toBe(false);
    expect(aic.read32(bitReg(AIC_MASK_SET, n)) & bit(n)).not.toBe(0);
    expect(aic.read32(AIC_EVENT)).toBe(0);
    // EOI with the device still asserting: fires again at once.
    aic.write32(bitReg(AIC_MASK_CLR, n), bit(n));
    expect(aic.irqOutput()).toBe(true);
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | n);
    // Device cleared, then EOI: quiet.
    aic.setLine(n, false);
    aic.write32(bitReg(AIC_MASK_CLR, n), bit(n));
    expect(aic.irqOutput()).toBe(false);
    expect(aic.read32(AIC_EVENT)).toBe(0);
  });

  it('delivers the lowest-numbered pending IRQ first', () => {
    for (const n of [700, 605, 33]) {
      aic.write32(bitReg(AIC_MASK_CLR, n), bit(n));
      aic.setLine(n, true);
    }
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | 33);
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | 605);
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | 700);
    expect(aic.read32(AIC_EVENT)).toBe(0);
  });

  it('SW_SET is ORed with the line and reads back; SW_CLR clears it', () => {
    const n = 100;
    aic.write32(bitReg(AIC_MASK_CLR, n), bit(n));
    aic.write32(bitReg(AIC_SW_SET, n), bit(n));
    expect(aic.read32(bitReg(AIC_SW_SET, n))).toBe(bit(n));
    expect(aic.read32(bitReg(AIC_SW_CLR, n))).toBe(bit(n));
    expect(aic.irqOutput()).toBe(true);
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | n);
    aic.write32(bitReg(AIC_SW_CLR, n), bit(n));
    aic.write32(bitReg(AIC_MASK_CLR, n), bit(n));
    expect(aic.irqOutput()).toBe(false);
  });

  it('only lines targeted at CPU 0 reach its IRQ input', () => {
    const n = 200;
    aic.write32(AIC_TARGET_CPU + 4 * n, 1 << 3);
    aic.write32(bitReg(AIC_MASK_CLR, n), bit(n));
    aic.setLine(n, true);
    expect(aic.irqOutput()).toBe(false);
    expect(aic.read32(AIC_EVENT)).toBe(0);
    aic.write32(AIC_TARGET_CPU + 4 * n, 1);
    expect(aic.irqOutput()).toBe(true);
  });

  it('unimplemented line slots read zero and ignore writes', () => {
    aic.write32(AIC_MASK_CLR + 4 * 28, 0xffffffff);
    aic.write32(AIC_SW_SET + 4 * 28, 0xffffffff);
    expect(aic.read32(AIC_SW_SET + 4 * 28)).toBe(0);
    aic.write32(AIC_TARGET_CPU + 4 * 900, 1);
    expect(aic.read32(AIC_TARGET_CPU + 4 * 900)).toBe(0);
    expect(aic.irqOutput()).toBe(false);
    expect(() => aic.setLine(AIC_NR_IRQ, true)).toThrow(RangeError);
  });

  it('IPI flow: self and other, EVENT type 4 auto-masks, ACK then MASK_CLR', () => {
    aic.write32(AIC_IPI_MASK_CLR, AIC_IPI_OTHER | AIC_IPI_SELF);
    aic.write32(AIC_IPI_SEND, AIC_IPI_SELF);
    expect(aic.irqOutput()).toBe(true);
    expect(aic.read32(AIC_EVENT)).toBe((4 << 16) | 2);
    expect(aic.irqOutput()).toBe(false);
    expect(aic.read32(AIC_IPI_MASK_SET) >>> 0).toBe(AIC_IPI_SELF >>> 0);
    // Unmasking without ACK re-asserts.
    aic.write32(AIC_IPI_MASK_CLR, AIC_IPI_SELF);
    expect(aic.irqOutput()).toBe(true);
    expect(aic.read32(AIC_EVENT)).toBe((4 << 16) | 2);
    aic.write32(AIC_IPI_ACK, AIC_IPI_SELF);
    aic.write32(AIC_IPI_MASK_CLR, AIC_IPI_SELF);
    expect(aic.irqOutput()).toBe(false);

    // "other" IPI to CPU 0 (bit 0 of IPI_SEND).
    aic.write32(AIC_IPI_SEND, 1 << 0);
    expect(aic.state().ipi.other).toBe(true);
    expect(aic.read32(AIC_EVENT)).toBe((4 << 16) | 1);
    aic.write32(AIC_IPI_ACK, AIC_IPI_OTHER);
    aic.write32(AIC_IPI_MASK_CLR, AIC_IPI_OTHER);
    expect(aic.irqOutput()).toBe(false);
    expect(aic.read32(AIC_EVENT)).toBe(0);

    // An IPI to another CPU does not interrupt CPU 0 but shows in that CPU's view.
    aic.write32(AIC_IPI_SEND, 1 << 2);
    expect(aic.irqOutput()).toBe(false);
    expect(aic.read32(AIC_CPU_IPI_BASE + 2 * 0x80 + 0x08)).toBe(AIC_IPI_OTHER);
    aic.write32(AIC_CPU_IPI_BASE + 2 * 0x80 + 0x0c, AIC_IPI_OTHER);
    expect(aic.read32(AIC_CPU_IPI_BASE + 2 * 0x80 + 0x08)).toBe(0);
  });

  it('masked IPIs do not interrupt; the per-CPU view of CPU 0 is the same state', () => {
    aic.write32(AIC_IPI_SEND, AIC_IPI_SELF);
    expect(aic.irqOutput()).toBe(false);
    aic.write32(AIC_CPU_IPI_BASE + 0x28, AIC_IPI_SELF); // CPU 0 MASK_CLR view
    expect(aic.irqOutput()).toBe(true);
    expect(aic.read32(AIC_IPI_MASK_CLR) & AIC_IPI_SELF).toBe(0);
    aic.write32(AIC_CPU_IPI_BASE + 0x0c, AIC_IPI_SELF); // CPU 0 IPI CLR view
    expect(aic.irqOutput()).toBe(false);
  });

  it('hardware IRQs are delivered before IPIs', () => {
    aic.write32(AIC_IPI_MASK_CLR, AIC_IPI_SELF);
    aic.write32(AIC_IPI_SEND, AIC_IPI_SELF);
    aic.write32(bitReg(AIC_MASK_CLR, 800), bit(800));
    aic.setLine(800, true);
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | 800);
    expect(aic.read32(AIC_EVENT)).toBe((4 << 16) | 2);
  });

  it('timebase registers read the system counter', () => {
    clock.advance(0x1_2345_6789);
    expect(aic.read32(AIC_TIMEBASE_LO)).toBe(0x2345_6789);
    expect(aic.read32(AIC_TIMEBASE_HI)).toBe(1);
    clock.advance(1);
    expect(aic.read32(AIC_TIMEBASE_LO)).toBe(0x2345_678a);
  });

  it('snapshot/restore round-trips through JSON, including the IRQ output', () => {
    aic.write32(bitReg(AIC_MASK_CLR, 605), bit(605));
    aic.setLine(605, true);
    aic.write32(AIC_TARGET_CPU + 4 * 7, 2);
    aic.write32(AIC_IPI_SEND, AIC_IPI_SELF);
    const s = JSON.parse(JSON.stringify(aic.snapshot()));
    const b = new Aic(clock);
    b.restore(s);
    expect(b.irqOutput()).toBe(true);
    expect(b.state()).toEqual(aic.state());
    expect(b.read32(AIC_EVENT)).toBe((1 << 16) | 605);
    expect(() => b.restore({})).toThrow();
  });
});
