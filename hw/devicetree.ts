// The device tree the machine hands the kernel: a Mac mini (M1, 2020; "apple,j274") reduced to
// what is modelled. Node names, compatible strings and interrupt specifiers follow Linux
// arch/arm64/boot/dts/apple/t8103.dtsi and t8103-j274.dts as restated in shared reference
// apple-m1.md §1.1 (AIC), §2 (timer node), §3.1 (UART) and §4 (memory map); addresses come from
// hw/memmap.ts. The trace ring, block device and host mailbox are MyLittleKernel's own devices
// ("mlk," compatibles) in an unused MMIO window.
//
// Phandles: 1 = AIC, 2 = clkref (the 24 MHz fixed reference clock), 3 = the DART.
// /soc/iommu@…: the DART in front of the block device, shaped like t8103.dtsi's DART nodes
// (compatible "apple,t8103-dart", one reg of 0x4000, a level-high AIC IRQ, #iommu-cells = <1>);
// the block device names its stream with `iommus = <&dart sid>`.
// /soc/virtio_mmio@…: the virtio-net device (hw/virtio-net.ts), DMA through DART stream 1.
// /chosen/mlk,machine-index: k of machine k on the wire (1 for a lone machine).
// /soc/block@…: present always; `mlk,capacity-sectors` (u64) when blockSectors is given, and
// status = "disabled" when blockSectors is 0 (no disk attached).

import {
  AIC_BASE,
  BLOCK_BASE,
  BLOCK_DART_SID,
  BLOCK_IRQ,
  BLOCK_SIZE,
  CNTFRQ,
  DART_BASE,
  DART_IRQ,
  DART_SIZE,
  DRAM_BASE,
  MAILBOX_BASE,
  MAILBOX_IRQ,
  MAILBOX_SIZE,
  GPIO_BASE,
  GPIO_IRQ,
  GPIO_SIZE,
  NET_BASE,
  NET_DART_SID,
  NET_IRQ,
  NET_SIZE,
  TRACE_BASE,
  TRACE_SIZE,
  UART0_BASE,
  UART0_IRQ,
  UART0_SIZE,
} from './memmap';
import { type FdtNode, node, propEmpty, propStr, propStrList, propU32, propU64 } from './fdt';

/** dt-bindings/interrupt-controller/apple-aic.h */
export const AIC_IRQ = 0;
export const AIC_FIQ = 1;
export const AIC_TMR_HV_PHYS = 0;
export const AIC_TMR_HV_VIRT = 1;
export const AIC_TMR_GUEST_PHYS = 2;
export const AIC_TMR_GUEST_VIRT = 3;
/** dt-bindings/interrupt-controller/irq.h */
export const IRQ_TYPE_LEVEL_HIGH = 4;

export const PHANDLE_AIC = 1;
export const PHANDLE_CLKREF = 2;
export const PHANDLE_DART = 3;
/** Size of the AIC register block in the DT (t8103.dtsi); the timebase page is not listed. */
export const AIC_DT_REG_SIZE = 0x8000;
/** The AIC timebase page: offset from the AIC base and size (one 4 KiB page). */
export const AIC_TIMEBASE_OFFSET = 0x8000;
export const AIC_TIMEBASE_SIZE = 0x1000;

export const MACHINE_MODEL = 'MyLittleKernel virtual Mac mini (M1, t8103)';
export const UART0_PATH = `/soc/serial@${UART0_BASE.toString(16)}`;

export interface MachineDtOptions {
  ramSize: number;
  initrd?: { start: number; end: number };
  bootargs?: string;
  blockSectors?: number;
  /** Which machine on the wire this is (1..N): /chosen/mlk,machine-index, and the NIC's MAC 02:00:00:00:00:k. */
  machineIndex?: number;
  /** The network device's MAC (local-mac-address of its node). */
  mac?: Uint8Array;
}

/** A `reg` value with 2 address cells and 2 size cells. */
const reg64 = (addr: number, size: number) => propU64(addr, size);
const unit = (addr: number) => addr.toString(16);

/** The `soc` bus: the AIC, the UART, the trace ring, the DART and the devices behind it. */
function socNode(opts: MachineDtOptions): FdtNode {
  const aic = node(`interrupt-controller@${unit(AIC_BASE)}`, [
    ['compatible', propStrList('apple,t8103-aic', 'apple,aic')],
    ['#interrupt-cells', propU32(3)],
    ['interrupt-controller', propEmpty()],
    // The `apple,aic` binding: one `reg` entry (the register block), no extra properties. The
    // timebase page right after it (AIC_TIMEBASE_OFFSET) is a fixed fact of the AICv1 layout that
    // the kernel knows, as m1n1 does, not something the DT lists.
    ['reg', reg64(AIC_BASE, AIC_DT_REG_SIZE)],
    ['phandle', propU32(PHANDLE_AIC)],
  ]);

  const serial = node(`serial@${unit(UART0_BASE)}`, [
    ['compatible', propStr('apple,s5l-uart')],
    ['reg', reg64(UART0_BASE, UART0_SIZE)],
    ['reg-io-width', propU32(4)],
    ['interrupt-parent', propU32(PHANDLE_AIC)],
    ['interrupts', propU32(AIC_IRQ, UART0_IRQ, IRQ_TYPE_LEVEL_HIGH)],
    ['clocks', propU32(PHANDLE_CLKREF, PHANDLE_CLKREF)],
    ['clock-names', propStrList('uart', 'clk_uart_baud0')],
    ['clock-frequency', propU32(CNTFRQ)],
    ['status', propStr('okay')],
  ]);

  const trace = node(`trace@${unit(TRACE_BASE)}`, [
    ['compatible', propStr('mlk,trace-ring')],
    ['reg', reg64(TRACE_BASE, TRACE_SIZE)],
  ]);

  const dart = node(`iommu@${unit(DART_BASE)}`, [
    ['compatible', propStr('apple,t8103-dart')],
    ['reg', reg64(DART_BASE, DART_SIZE)],
    ['interrupt-parent', propU32(PHANDLE_AIC)],
    ['interrupts', propU32(AIC_IRQ, DART_IRQ, IRQ_TYPE_LEVEL_HIGH)],
    ['#iommu-cells', propU32(1)],
    ['phandle', propU32(PHANDLE_DART)],
  ]);

  const blockProps: Array<[string, Uint8Array]> = [
    ['compatible', propStr('mlk,block')],
    ['reg', reg64(BLOCK_BASE, BLOCK_SIZE)],
    ['interrupt-parent', propU32(PHANDLE_AIC)],
    ['interrupts', propU32(AIC_IRQ, BLOCK_IRQ, IRQ_TYPE_LEVEL_HIGH)],
    ['iommus', propU32(PHANDLE_DART, BLOCK_DART_SID)],
  ];
  if (opts.blockSectors !== undefined) blockProps.push(['mlk,capacity-sectors', propU64(opts.blockSectors)]);
  blockProps.push(['status', propStr(opts.blockSectors === 0 ? 'disabled' : 'okay')]);
  const block = node(`block@${unit(BLOCK_BASE)}`, blockProps);

  const mailbox = node(`mailbox@${unit(MAILBOX_BASE)}`, [
    ['compatible', propStr('mlk,host-mailbox')],
    ['reg', reg64(MAILBOX_BASE, MAILBOX_SIZE)],
    ['interrupt-parent', propU32(PHANDLE_AIC)],
    ['interrupts', propU32(AIC_IRQ, MAILBOX_IRQ, IRQ_TYPE_LEVEL_HIGH)],
  ]);

  // An ARM PL061 as Linux's gpio-pl061.c binds it (Documentation/devicetree/bindings/gpio/pl061-gpio.yaml),
  // with the board's line names: LEDs on 0–3, buttons on 4–7 (hw/gpio-pl061.ts)
  const gpio = node(`gpio@${unit(GPIO_BASE)}`, [
    ['compatible', propStrList('arm,pl061', 'arm,primecell')],
    ['reg', reg64(GPIO_BASE, GPIO_SIZE)],
    ['interrupt-parent', propU32(PHANDLE_AIC)],
    ['interrupts', propU32(AIC_IRQ, GPIO_IRQ, IRQ_TYPE_LEVEL_HIGH)],
    ['gpio-controller', propEmpty()],
    ['#gpio-cells', propU32(2)],
    ['interrupt-controller', propEmpty()],
    ['#interrupt-cells', propU32(2)],
    ['gpio-line-names', propStrList('led0', 'led1', 'led2', 'led3', 'button0', 'button1', 'button2', 'button3')],
  ]);

  // Shaped like QEMU virt's virtio_mmio nodes (hw/arm/virt.c create_virtio_devices), plus the
  // DART stream it masters through and the standard local-mac-address of a network node.
  const netProps: Array<[string, Uint8Array]> = [
    ['compatible', propStr('virtio,mmio')],
    ['reg', reg64(NET_BASE, NET_SIZE)],
    ['interrupt-parent', propU32(PHANDLE_AIC)],
    ['interrupts', propU32(AIC_IRQ, NET_IRQ, IRQ_TYPE_LEVEL_HIGH)],
    ['iommus', propU32(PHANDLE_DART, NET_DART_SID)],
    ['dma-coherent', propEmpty()],
  ];
  if (opts.mac) netProps.push(['local-mac-address', Uint8Array.from(opts.mac)]);
  const net = node(`virtio_mmio@${unit(NET_BASE)}`, netProps);

  return node(
    'soc',
    [
      ['compatible', propStr('simple-bus')],
      ['#address-cells', propU32(2)],
      ['#size-cells', propU32(2)],
      ['ranges', propEmpty()],
      ['nonposted-mmio', propEmpty()],
    ],
    [serial, aic, trace, dart, block, mailbox, net, gpio],
  );
}

export function buildMachineDeviceTree(opts: MachineDtOptions): FdtNode {
  const chosen: Array<[string, Uint8Array]> = [
    ['stdout-path', propStr(UART0_PATH)],
    ['bootargs', propStr(opts.bootargs ?? '')],
  ];
  if (opts.initrd) {
    chosen.push(['linux,initrd-start', propU64(opts.initrd.start)]);
    chosen.push(['linux,initrd-end', propU64(opts.initrd.end)]);
  }
  // machine k of a networked run: its IPv4 address will be 10.0.0.k/24 (docs/NETWORK.md)
  chosen.push(['mlk,machine-index', propU32(opts.machineIndex ?? 1)]);

  const soc = socNode(opts);

  const timer = node('timer', [
    ['compatible', propStr('arm,armv8-timer')],
    ['interrupt-parent', propU32(PHANDLE_AIC)],
    ['interrupt-names', propStrList('phys', 'virt', 'hyp-phys', 'hyp-virt')],
    [
      'interrupts',
      propU32(
        AIC_FIQ, AIC_TMR_GUEST_PHYS, IRQ_TYPE_LEVEL_HIGH,
        AIC_FIQ, AIC_TMR_GUEST_VIRT, IRQ_TYPE_LEVEL_HIGH,
        AIC_FIQ, AIC_TMR_HV_PHYS, IRQ_TYPE_LEVEL_HIGH,
        AIC_FIQ, AIC_TMR_HV_VIRT, IRQ_TYPE_LEVEL_HIGH,
      ),
    ],
  ]);

  const cpus = node(
    'cpus',
    [
      ['#address-cells', propU32(2)],
      ['#size-cells', propU32(0)],
    ],
    [
      node('cpu@0', [
        ['compatible', propStrList('apple,icestorm', 'arm,armv8')],
        ['device_type', propStr('cpu')],
        ['reg', propU32(0, 0)],
      ]),
    ],
  );

  const clkref = node('clock-ref', [
    ['compatible', propStr('fixed-clock')],
    ['#clock-cells', propU32(0)],
    ['clock-frequency', propU32(CNTFRQ)],
    ['clock-output-names', propStr('clkref')],
    ['phandle', propU32(PHANDLE_CLKREF)],
  ]);

  return node(
    '',
    [
      ['compatible', propStrList('apple,j274', 'apple,t8103', 'apple,arm-platform')],
      ['model', propStr(MACHINE_MODEL)],
      ['#address-cells', propU32(2)],
      ['#size-cells', propU32(2)],
      ['interrupt-parent', propU32(PHANDLE_AIC)],
    ],
    [
      node('aliases', [['serial0', propStr(UART0_PATH)]]),
      node('chosen', chosen),
      node(`memory@${unit(DRAM_BASE)}`, [
        ['device_type', propStr('memory')],
        ['reg', reg64(DRAM_BASE, opts.ramSize)],
      ]),
      cpus,
      timer,
      clkref,
      soc,
    ],
  );
}
