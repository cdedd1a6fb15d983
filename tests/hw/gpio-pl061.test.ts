// The PL061 GPIO bank of the driver exercise (hw/gpio-pl061.ts): the masked GPIODATA window, the
// direction register, edge and level interrupt sense, GPIOIC, the interrupt line, the AMBA id, the
// device-tree node and a snapshot round trip.
import { describe, expect, it } from 'vitest';
import { Aic, AIC_MASK_CLR } from '../../hw/aic';
import { Clock } from '../../hw/clock';
import { GpioPl061 } from '../../hw/gpio-pl061';
import { GPIO_BASE, GPIO_IRQ } from '../../hw/memmap';
import { buildMachineDeviceTree } from '../../hw/devicetree';
import { findNode, getStrList, getU32Array } from '../../hw/fdt';

const DATA_ALL = 0x3fc, DIR = 0x400, IS = 0x404, IBE = 0x408, IEV = 0x40c, IE = 0x410, RIS = 0x414, MIS = 0x418, IC = 0x41c;

function setup() {
  const aic = new Aic(new Clock());
  aic.write32(AIC_MASK_CLR + 4 * (GPIO_IRQ >> 5), 1 << (GPIO_IRQ & 31));
  return { aic, g: new GpioPl061(aic) };
}

describe('PL061 GPIO', () => {
  it('reads and writes GPIODATA through the address mask, outputs only', () => {
    const { g } = setup();
    g.write32(DIR, 0x0f);
    g.write32(DATA_ALL, 0xff); // inputs are not written
    expect(g.read32(DATA_ALL)).toBe(0x0f);
    g.write32(0x1 << 2, 0); // mask = line 0 only
    expect(g.read32(DATA_ALL)).toBe(0x0e);
    expect(g.read32(0x2 << 2)).toBe(0x02); // a read returns only the lines in the mask
    expect(g.state().leds).toEqual([false, true, true, true]);
    g.setButton(1, true); // line 5
    expect(g.read32(DATA_ALL)).toBe(0x2e);
    expect(g.state().buttons).toEqual([false, true, false, false]);
  });

  it('latches a rising edge when asked, interrupts only when enabled, and GPIOIC clears it', () => {
    const { aic, g } = setup();
    g.write32(DIR, 0x0f);
    g.write32(IEV, 0xf0);
    g.click(0);
    expect(g.read32(RIS)).toBe(0x10); // latched whatever GPIOIE says
    expect(g.read32(MIS)).toBe(0);
    expect(aic.irqOutput()).toBe(false);
    g.write32(IE, 0xf0);
    expect(g.read32(MIS)).toBe(0x10);
    expect(aic.irqOutput()).toBe(true);
    g.write32(IC, 0x10);
    expect(g.read32(RIS)).toBe(0);
    expect(aic.irqOutput()).toBe(false);
  });

  it('falling edges, both edges and level sense', () => {
    const { g } = setup();
    g.write32(IE, 0xff);
    g.setButton(2, true); // IEV 0: falling edge only
    expect(g.read32(RIS)).toBe(0);
    g.setButton(2, false);
    expect(g.read32(RIS)).toBe(0x40);
    g.write32(IC, 0xff);
    g.write32(IBE, 0x40);
    g.setButton(2, true);
    expect(g.read32(RIS)).toBe(0x40);
    g.write32(IC, 0xff);
    g.setButton(2, false);
    expect(g.read32(RIS)).toBe(0x40);
    g.write32(IC, 0xff);
    // level-high: follows the pin, GPIOIC does nothing
    g.write32(IS, 0x80);
    g.write32(IEV, 0x80);
    expect(g.read32(RIS)).toBe(0);
    g.setButton(3, true);
    expect(g.read32(RIS)).toBe(0x80);
    g.write32(IC, 0x80);
    expect(g.read32(RIS)).toBe(0x80);
    g.setButton(3, false);
    expect(g.read32(RIS)).toBe(0);
  });

  it('has the PL061 AMBA id and a device-tree node Linux binds', () => {
    const { g } = setup();
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec].map((o) => g.read32(o))).toEqual([0x61, 0x10, 0x04, 0x00]);
    expect([0xff0, 0xff4, 0xff8, 0xffc].map((o) => g.read32(o))).toEqual([0x0d, 0xf0, 0x05, 0xb1]);
    const node = findNode(buildMachineDeviceTree({ ramSize: 64 << 20 }), `/soc/gpio@${GPIO_BASE.toString(16)}`)!;
    expect(getStrList(node, 'compatible')).toEqual(['arm,pl061', 'arm,primecell']);
    expect(getU32Array(node, "interrupts")?.[1]).toBe(GPIO_IRQ);
    expect(node.props.has('gpio-controller')).toBe(true);
  });

  it('rejects a bad button and a bad snapshot; a snapshot round trip keeps the line', () => {
    const { aic, g } = setup();
    expect(() => g.setButton(4, true)).toThrow(RangeError);
    g.write32(IE, 0x10);
    g.write32(IEV, 0x10);
    g.click(0);
    const snap = g.snapshot();
    const { aic: aic2, g: g2 } = setup();
    g2.restore(snap);
    expect(g2.state()).toEqual(g.state());
    expect(aic2.irqOutput()).toBe(aic.irqOutput());
    expect(() => g2.restore({ ...(snap as object), dir: 300 })).toThrow(/bad snapshot/);
  });
});
