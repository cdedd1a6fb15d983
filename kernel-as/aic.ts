// aic.ts — Apple Interrupt Controller v1 ("apple,aic"), as Linux's drivers/irqchip/irq-apple-aic.c
// drives it (shared reference apple-m1.md §1). Timer interrupts do not come through here: they
// are FIQs wired straight to the core (timer.ts).
//
// Boot: mask every source, clear every software-asserted bit, route every source to CPU 0.
// Run:  read EVENT until 0; each read acknowledges and masks the source it returns; the handler
//       services the device and then unmasks the source (MASK_CLR), which is the EOI.

import { mmioRead32, mmioWrite32 } from "./arch";

const AIC_INFO: u64 = 0x0004; // [15:0] number of implemented IRQs
const AIC_EVENT: u64 = 0x2004; // read = fetch and acknowledge
const AIC_IPI_ACK: u64 = 0x200c;
const AIC_IPI_MASK_SET: u64 = 0x2024;
const AIC_TARGET_CPU: u64 = 0x3000; // + 4·n
const AIC_SW_CLR: u64 = 0x4080; // + 4·(n/32)
const AIC_MASK_SET: u64 = 0x4100;
const AIC_MASK_CLR: u64 = 0x4180;

const AIC_IPI_OTHER: u32 = 1 << 0;
const AIC_IPI_SELF: u32 = 1 << 31;

/** EVENT fields */
export const AIC_EVENT_TYPE_HW: u32 = 1;
export const AIC_EVENT_TYPE_IPI: u32 = 4;
// @ts-ignore: decorator
@inline export function eventType(ev: u32): u32 { return (ev >> 16) & 0xff; }
// @ts-ignore: decorator
@inline export function eventNum(ev: u32): u32 { return ev & 0xffff; }

/** Register space of AICv1 is sized for 1024 sources. */
const AIC_MAX_IRQ: u32 = 1024;

let base: u64 = 0;
let nrIrq: u32 = 0;

/** Initialises the AIC at `aicBase`; returns the number of implemented IRQs. */
export function aicInit(aicBase: u64): u32 {
  base = aicBase;
  nrIrq = mmioRead32(base + AIC_INFO) & 0xffff;
  if (nrIrq > AIC_MAX_IRQ) nrIrq = AIC_MAX_IRQ;
  let words = (nrIrq + 31) >> 5;
  for (let i: u32 = 0; i < words; i++) {
    mmioWrite32(base + AIC_MASK_SET + (<u64>i << 2), 0xffffffff);
    mmioWrite32(base + AIC_SW_CLR + (<u64>i << 2), 0xffffffff);
  }
  for (let n: u32 = 0; n < nrIrq; n++) mmioWrite32(base + AIC_TARGET_CPU + (<u64>n << 2), 1); // CPU 0
  // AIC IPIs stay masked on a single core (Linux: aic_init_cpu).
  mmioWrite32(base + AIC_IPI_MASK_SET, AIC_IPI_SELF | AIC_IPI_OTHER);
  mmioWrite32(base + AIC_IPI_ACK, AIC_IPI_SELF | AIC_IPI_OTHER);
  return nrIrq;
}

export function aicNrIrq(): u32 { return nrIrq; }

/** Fetches and acknowledges the next pending event (0 = none). */
export function aicEvent(): u32 { return base == 0 ? 0 : mmioRead32(base + AIC_EVENT); }

/** Unmasks IRQ n (enable, and EOI after handling). */
export function aicUnmask(n: u32): void {
  if (n >= nrIrq) return;
  mmioWrite32(base + AIC_MASK_CLR + (<u64>(n >> 5) << 2), 1 << (n & 31));
}

/** Masks IRQ n. */
export function aicMask(n: u32): void {
  if (n >= nrIrq) return;
  mmioWrite32(base + AIC_MASK_SET + (<u64>(n >> 5) << 2), 1 << (n & 31));
}

/** Acknowledges an AIC IPI event (flag clear; it stays masked). */
export function aicIpiAck(num: u32): void {
  mmioWrite32(base + AIC_IPI_ACK, num == 2 ? AIC_IPI_SELF : AIC_IPI_OTHER);
}
