// Physical address map of the modelled machine. t8103 addresses come from Linux's
// arch/arm64/boot/dts/apple/t8103.dtsi (see shared reference apple-m1.md §4);
// the devices MyLittleKernel adds sit in an unused window at 0x2_3F00_0000.

export const DRAM_BASE = 0x8_0000_0000;
export const DEFAULT_RAM_SIZE = 64 * 1024 * 1024;

export const UART0_BASE = 0x2_3520_0000;
export const UART0_SIZE = 0x1000;
export const UART0_IRQ = 605;

export const AIC_BASE = 0x2_3B10_0000;
export const AIC_SIZE = 0xC000; // register block 0x8000 + timebase page
export const AIC_NR_IRQ = 896;

export const TRACE_BASE = 0x2_3F00_0000; // "mlk,trace-ring"
export const TRACE_SIZE = 0x1000;

export const BLOCK_BASE = 0x2_3F01_0000; // "mlk,block"
export const BLOCK_SIZE = 0x1000;
export const BLOCK_IRQ = 700;

export const MAILBOX_BASE = 0x2_3F02_0000; // "mlk,host-mailbox"
export const MAILBOX_SIZE = 0x1000;
export const MAILBOX_IRQ = 701;

export const DART_BASE = 0x2_3F04_0000; // "apple,t8103-dart" in front of MyLittleKernel's DMA devices
export const DART_SIZE = 0x4000; // Linux's apple-dart.c requires at least 0x4000
export const DART_IRQ = 702;
/** The block device's stream (SID) on that DART. */
export const BLOCK_DART_SID = 0;

export const NET_BASE = 0x2_3F03_0000; // "virtio,mmio" slot holding a virtio-net device (hw/virtio-net.ts)
export const NET_SIZE = 0x1000; // registers 0x000–0x1FF (QEMU's slot size); one page so a driver maps it alone
export const NET_IRQ = 703;
export const GPIO_BASE = 0x2_3F05_0000; // "arm,pl061": the LED and button bank of the driver exercise (hw/gpio-pl061.ts)
export const GPIO_SIZE = 0x1000;
export const GPIO_IRQ = 704;
/** The network device's stream (SID) on the DART. */
export const NET_DART_SID = 1;

/** Counter frequency of the ARM generic timer on M1 (CNTFRQ_EL0). */
export const CNTFRQ = 24_000_000;
/** Fixed virtual-time charge of one kernel entry, in counter ticks (D5). */
export const KERNEL_ENTRY_TICKS = 40;
/**
 * Virtual-time charge of one device register access by the kernel, in counter ticks: the kernel's
 * own instructions run natively and are not counted, but its loads and stores to devices are, like
 * a retired EL0 instruction. Without it no time passed inside a kernel entry, so the boot (one long
 * entry) printed every log line with the same timestamp.
 */
export const KERNEL_MMIO_TICKS = 1;
