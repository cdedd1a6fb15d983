// The NIC in the device tree (hw/devicetree.ts) and the kernel's view of it: a virtio,mmio node
// shaped like QEMU virt's, with its DART stream, MAC and the machine index in /chosen.
import { describe, expect, it } from 'vitest';
import { buildMachineDeviceTree, PHANDLE_AIC, PHANDLE_DART } from '../../hw/devicetree';
import { buildFdt, findNode, getStr, getU32, getU32Array, parseFdt } from '../../hw/fdt';
import { NET_BASE, NET_DART_SID, NET_IRQ } from '../../hw/memmap';

describe('the network device in the device tree', () => {
  const tree = parseFdt(buildFdt(buildMachineDeviceTree({ ramSize: 64 << 20, machineIndex: 3, mac: Uint8Array.of(2, 0, 0, 0, 0, 3) }))).root;

  it('is a virtio,mmio node with its reg, a level-high AIC interrupt, its DART stream and its MAC', () => {
    const n = findNode(tree, `/soc/virtio_mmio@${NET_BASE.toString(16)}`)!;
    expect(getStr(n, 'compatible')).toBe('virtio,mmio');
    expect(getU32Array(n, 'reg')).toEqual([2, 0x3f03_0000, 0, 0x1000]);
    expect(getU32(n, 'interrupt-parent')).toBe(PHANDLE_AIC);
    expect(getU32Array(n, 'interrupts')).toEqual([0, NET_IRQ, 4]);
    expect(getU32Array(n, 'iommus')).toEqual([PHANDLE_DART, NET_DART_SID]);
    expect(n.props.has('dma-coherent')).toBe(true);
    expect([...n.props.get('local-mac-address')!]).toEqual([2, 0, 0, 0, 0, 3]);
  });

  it('/chosen names the machine index (1 by default)', () => {
    expect(getU32(findNode(tree, '/chosen')!, 'mlk,machine-index')).toBe(3);
    expect(getU32(findNode(buildMachineDeviceTree({ ramSize: 1 << 20 }), '/chosen')!, 'mlk,machine-index')).toBe(1);
  });
});
