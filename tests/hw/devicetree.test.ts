import { describe, expect, it } from 'vitest';
import { buildMachineDeviceTree, MACHINE_MODEL, PHANDLE_AIC } from '../../hw/devicetree';
import { buildFdt, findNode, getStr, getStrList, getU32, getU32Array, getU64, parseFdt } from '../../hw/fdt';
import { AIC_BASE, BLOCK_BASE, CNTFRQ, DRAM_BASE, MAILBOX_BASE, TRACE_BASE, UART0_BASE } from '../../hw/memmap';

const reg = (hi: number) => [Math.floor(hi / 2 ** 32), hi >>> 0];

describe('machine device tree', () => {
  const tree = parseFdt(
    buildFdt(
      buildMachineDeviceTree({
        ramSize: 64 << 20,
        initrd: { start: DRAM_BASE + 0x300_0000, end: DRAM_BASE + 0x310_0000 },
        bootargs: 'console=serial0',
        blockSectors: 8192,
      }),
    ),
  ).root;

  it('root describes a t8103 Mac mini with 2/2 cells', () => {
    expect(getStrList(tree, 'compatible')).toEqual(['apple,j274', 'apple,t8103', 'apple,arm-platform']);
    expect(getStr(tree, 'model')).toBe(MACHINE_MODEL);
    expect(getU32(tree, '#address-cells')).toBe(2);
    expect(getU32(tree, '#size-cells')).toBe(2);
  });

  it('/chosen carries stdout-path, bootargs and 64-bit initrd bounds', () => {
    const chosen = findNode(tree, '/chosen')!;
    const stdout = getStr(chosen, 'stdout-path')!;
    expect(findNode(tree, stdout)).toBe(findNode(tree, `/soc/serial@${UART0_BASE.toString(16)}`));
    expect(getStr(chosen, 'bootargs')).toBe('console=serial0');
    expect(chosen.props.get('linux,initrd-start')!.length).toBe(8);
    expect(getU64(chosen, 'linux,initrd-start')).toBe(BigInt(DRAM_BASE + 0x300_0000));
    expect(getU64(chosen, 'linux,initrd-end')).toBe(BigInt(DRAM_BASE + 0x310_0000));
    const noInitrd = buildMachineDeviceTree({ ramSize: 1 << 20 });
    expect(findNode(noInitrd, '/chosen')!.props.has('linux,initrd-start')).toBe(false);
  });

  it('/memory@800000000 has the RAM reg', () => {
    const mem = findNode(tree, '/memory@800000000')!;
    expect(getStr(mem, 'device_type')).toBe('memory');
    expect(getU32Array(mem, 'reg')).toEqual([...reg(DRAM_BASE), 0, 64 << 20]);
  });

  it('/cpus/cpu@0 is an Icestorm core', () => {
    const cpu = findNode(tree, '/cpus/cpu@0')!;
    expect(getStrList(cpu, 'compatible')).toEqual(['apple,icestorm', 'arm,armv8']);
    expect(getStr(cpu, 'device_type')).toBe('cpu');
    expect(getU32Array(cpu, 'reg')).toEqual([0, 0]);
  });

  it('/timer uses AIC_FIQ specifiers as t8103.dtsi', () => {
    const t = findNode(tree, '/timer')!;
    expect(getStr(t, 'compatible')).toBe('arm,armv8-timer');
    expect(getU32(t, 'interrupt-parent')).toBe(PHANDLE_AIC);
    expect(getU32Array(t, 'interrupts')).toEqual([1, 2, 4, 1, 3, 4, 1, 0, 4, 1, 1, 4]);
    expect(getStrList(t, 'interrupt-names')).toEqual(['phys', 'virt', 'hyp-phys', 'hyp-virt']);
  });

  it('/soc is a simple-bus with the AIC, UART and MyLittleKernel devices', () => {
    const soc = findNode(tree, '/soc')!;
    expect(getStr(soc, 'compatible')).toBe('simple-bus');
    expect(getU32(soc, '#address-cells')).toBe(2);
    expect(getU32(soc, '#size-cells')).toBe(2);
    expect(soc.props.get('ranges')!.length).toBe(0);
    expect(soc.props.has('nonposted-mmio')).toBe(true);

    const aic = findNode(tree, '/soc/interrupt-controller@23b100000')!;
    expect(getStrList(aic, 'compatible')).toEqual(['apple,t8103-aic', 'apple,aic']);
    expect(getU32(aic, '#interrupt-cells')).toBe(3);
    expect(aic.props.has('interrupt-controller')).toBe(true);
    // the apple,aic binding: exactly these properties, one reg entry (the register block)
    expect([...aic.props.keys()].sort()).toEqual(['#interrupt-cells', 'compatible', 'interrupt-controller', 'phandle', 'reg']);
    expect(getU32Array(aic, 'reg')).toEqual([...reg(AIC_BASE), 0, 0x8000]);
    expect(getU32(aic, 'phandle')).toBe(PHANDLE_AIC);

    const uart = findNode(tree, '/soc/serial@235200000')!;
    expect(getStr(uart, 'compatible')).toBe('apple,s5l-uart');
    expect(getU32Array(uart, 'reg')).toEqual([...reg(UART0_BASE), 0, 0x1000]);
    expect(getU32(uart, 'reg-io-width')).toBe(4);
    expect(getU32(uart, 'interrupt-parent')).toBe(PHANDLE_AIC);
    expect(getU32Array(uart, 'interrupts')).toEqual([0, 605, 4]);
    expect(getU32(uart, 'clock-frequency')).toBe(CNTFRQ);

    const trace = findNode(tree, '/soc/trace@23f000000')!;
    expect(getStr(trace, 'compatible')).toBe('mlk,trace-ring');
    expect(getU32Array(trace, 'reg')!.slice(0, 2)).toEqual(reg(TRACE_BASE));

    const block = findNode(tree, '/soc/block@23f010000')!;
    expect(getStr(block, 'compatible')).toBe('mlk,block');
    expect(getU32Array(block, 'reg')!.slice(0, 2)).toEqual(reg(BLOCK_BASE));
    expect(getU32Array(block, 'interrupts')).toEqual([0, 700, 4]);
    expect(getU64(block, 'mlk,capacity-sectors')).toBe(8192n);
    // behind the DART: iommus = <&dart 0>, the DART node shaped like t8103.dtsi's
    const dart = findNode(tree, '/soc/iommu@23f040000')!;
    expect(getStr(dart, 'compatible')).toBe('apple,t8103-dart');
    expect(getU32Array(dart, 'reg')).toEqual([...reg(0x2_3f04_0000), 0, 0x4000]);
    expect(getU32(dart, 'interrupt-parent')).toBe(PHANDLE_AIC);
    expect(getU32Array(dart, 'interrupts')).toEqual([0, 702, 4]);
    expect(getU32(dart, '#iommu-cells')).toBe(1);
    expect(getU32Array(block, 'iommus')).toEqual([getU32(dart, 'phandle'), 0]);

    const mbox = findNode(tree, '/soc/mailbox@23f020000')!;
    expect(getStr(mbox, 'compatible')).toBe('mlk,host-mailbox');
    expect(getU32Array(mbox, 'reg')!.slice(0, 2)).toEqual(reg(MAILBOX_BASE));
    expect(getU32Array(mbox, 'interrupts')).toEqual([0, 701, 4]);
  });

  it('the serial clock is the 24 MHz clkref', () => {
    const uart = findNode(tree, '/soc/serial@235200000')!;
    const [c] = getU32Array(uart, 'clocks')!;
    const clk = findNode(tree, '/clock-ref')!;
    expect(getU32(clk, 'phandle')).toBe(c);
    expect(getU32(clk, 'clock-frequency')).toBe(24_000_000);
  });
});
