// Apple Interrupt Controller, version 1, as on the M1 (t8103) — "apple,t8103-aic", "apple,aic".
// Register map and event/acknowledge protocol follow shared reference apple-m1.md §1.2/§1.3, which
// restates Linux drivers/irqchip/irq-apple-aic.c, m1n1 src/aic_regs.h and Asahi docs hw/soc/aic.md.
//
// Model:
//  * 896 level-high hardware lines (INFO[15:0]); register arrays are sized for 1024 as on AICv1,
//    slots ≥ 896 read as zero and ignore writes.
//  * Per line: HW level (driven by devices through setLine), SW-asserted bit (ORed with HW), mask
//    bit, TARGET_CPU bitmap. Per CPU: IPI flags {other, self} and IPI masks. Eight CPUs' IPI state
//    is kept so the per-CPU 0x5000 views behave, but only CPU 0 exists: it is the reader of
//    WHOAMI/EVENT, and only its IRQ input is modelled (irqOutput()).
//  * EVENT read returns the highest-priority event for CPU 0 and masks it in the same access:
//    hardware IRQs first, lowest number first; then the "other" IPI, then the "self" IPI. (The
//    relative order of IPIs and hardware IRQs is not documented; this is the model's choice.)
//  * SET/CLR register pairs read back the current state (Asahi docs).
//  * Reset state: every line masked, no SW bits, TARGET_CPU[n] = 1 (CPU 0), both IPIs masked, no
//    IPI pending; CONFIG = 1. This is what Linux establishes in aic_of_ic_init / aic_init_cpu
//    before enabling anything, so a driver that skips its own init still sees nothing fire.
//  * The timebase page (+0x8020 / +0x8028) reads the system counter (same count as CNTPCT_EL0).
//  * Undefined offsets inside the window read as zero and ignore writes.

import type { Clock } from './clock';
import type { MmioDevice } from './bus';
import { AIC_BASE, AIC_NR_IRQ, AIC_SIZE } from './memmap';

// Register offsets (reference §1.2).
export const AIC_INFO = 0x0004;
export const AIC_CONFIG = 0x0010;
export const AIC_WHOAMI = 0x2000;
export const AIC_EVENT = 0x2004;
export const AIC_IPI_SEND = 0x2008;
export const AIC_IPI_ACK = 0x200c;
export const AIC_IPI_MASK_SET = 0x2024;
export const AIC_IPI_MASK_CLR = 0x2028;
export const AIC_TARGET_CPU = 0x3000; // + 4·n
export const AIC_SW_SET = 0x4000; // + 4·(n/32)
export const AIC_SW_CLR = 0x4080;
export const AIC_MASK_SET = 0x4100;
export const AIC_MASK_CLR = 0x4180;
export const AIC_HW_STATE = 0x4200;
export const AIC_CPU_IPI_BASE = 0x5000; // + 0x80·cpu + {SET 0x08, CLR 0x0c, MASK_SET 0x24, MASK_CLR 0x28}
export const AIC_CPU_IPI_STRIDE = 0x80;
export const AIC_TIMEBASE_LO = 0x8020;
export const AIC_TIMEBASE_HI = 0x8028;

/** Register-array slots of AICv1 (TARGET_CPU has this many words, the bit arrays 1024/32). */
export const AIC1_MAX_IRQ = 1024;
export const AIC_NR_CPUS = 8;
/** Implemented bits of CONFIG (Asahi RE notes). */
export const AIC_CONFIG_MASK = 0xf8fffff1;

// EVENT fields (reference §1.3).
export const AIC_EVENT_TYPE_HW = 1;
export const AIC_EVENT_TYPE_IPI = 4;
export const AIC_EVENT_IPI_OTHER = 1;
export const AIC_EVENT_IPI_SELF = 2;

// IPI register bits.
export const AIC_IPI_OTHER = 1 << 0;
export const AIC_IPI_SELF = 1 << 31;
const IPI_BITS = (AIC_IPI_OTHER | AIC_IPI_SELF) >>> 0;

const WORDS = AIC1_MAX_IRQ / 32; // 32 words per bit array
const IMPL_WORDS = Math.ceil(AIC_NR_IRQ / 32); // 28 words hold real lines

export interface AicLineState {
  irq: number;
  level: boolean;
  sw: boolean;
  masked: boolean;
  target: number;
}

export interface AicState {
  nrIrq: number;
  irqOutput: boolean;
  /** Lines that differ from reset (level or sw set, unmasked, or target ≠ CPU 0). */
  lines: AicLineState[];
  ipi: { other: boolean; self: boolean; otherMasked: boolean; selfMasked: boolean };
}

interface AicSnapshot {
  config: number;
  hw: number[];
  sw: number[];
  mask: number[];
  target: number[];
  ipiFlag: number[];
  ipiMask: number[];
}

export class Aic implements MmioDevice {
  readonly name = 'aic';
  readonly size = AIC_SIZE;
  readonly nrIrq = AIC_NR_IRQ;

  /** CONFIG (0x0010): global configuration, left enabled by iBoot. */
  private config = 1;
  /** HW_STATE (0x4200): raw level of each hardware line, set by devices. */
  private hw = new Uint32Array(WORDS);
  /** SW_SET/SW_CLR (0x4000/0x4080): software-asserted state, ORed with hw. */
  private sw = new Uint32Array(WORDS);
  /** MASK_SET/MASK_CLR (0x4100/0x4180): 1 = masked. */
  private mask = new Uint32Array(WORDS);
  /** TARGET_CPU[n] (0x3000 + 4n): CPU bitmap per line. */
  private target = new Uint32Array(AIC1_MAX_IRQ);
  /** Derived from target: bit n set when TARGET_CPU[n] includes CPU 0. */
  private toCpu0 = new Uint32Array(WORDS);
  /** Per-CPU IPI flags (IPI_SEND / IPI_ACK), bit 0 other, bit 31 self. */
  private ipiFlag = new Uint32Array(AIC_NR_CPUS);
  /** Per-CPU IPI masks (IPI_MASK_SET / IPI_MASK_CLR). */
  private ipiMask = new Uint32Array(AIC_NR_CPUS);
  /** CPU 0's IRQ input, recomputed by updateIrq(). */
  private irqLine = false;

  constructor(
    /** The system counter, read by the timebase registers. */
    readonly clock: Clock,
    readonly base = AIC_BASE,
  ) {
    this.reset();
  }

  reset(): void {
    this.config = 1;
    this.hw.fill(0);
    this.sw.fill(0);
    this.mask.fill(0);
    this.mask.fill(0xffffffff, 0, IMPL_WORDS);
    this.fixTail(this.mask);
    this.target.fill(0);
    this.target.fill(1, 0, AIC_NR_IRQ);
    this.rebuildToCpu0();
    this.ipiFlag.fill(0);
    this.ipiMask.fill(IPI_BITS);
    this.updateIrq();
  }

  // ---- device side -------------------------------------------------------------------------

  /** Drive hardware line irq (level-triggered, active high). */
  setLine(irq: number, level: boolean): void {
    if (!Number.isInteger(irq) || irq < 0 || irq >= AIC_NR_IRQ) throw new RangeError(`Aic.setLine: bad irq ${irq}`);
    const w = irq >>> 5;
    const b = 1 << (irq & 31);
    const old = this.hw[w];
    this.hw[w] = level ? old | b : old & ~b;
    if (this.hw[w] !== old) this.updateIrq();
  }

  /** The core's IRQ input: a pending, unmasked line targeted at CPU 0, or an unmasked IPI. */
  irqOutput(): boolean {
    return this.irqLine;
  }

  // ---- registers ---------------------------------------------------------------------------

  read32(offset: number): number {
    switch (offset) {
      case AIC_INFO:
        return AIC_NR_IRQ;
      case AIC_CONFIG:
        return this.config >>> 0;
      case AIC_WHOAMI:
        return 0;
      case AIC_EVENT:
        return this.readEvent();
      case AIC_IPI_SEND:
      case AIC_IPI_ACK:
        return this.ipiFlag[0] >>> 0;
      case AIC_IPI_MASK_SET:
      case AIC_IPI_MASK_CLR:
        return this.ipiMask[0] >>> 0;
      case AIC_TIMEBASE_LO:
        return this.clock.ticks % 0x1_0000_0000 >>> 0;
      case AIC_TIMEBASE_HI:
        return Math.floor(this.clock.ticks / 0x1_0000_0000) >>> 0;
    }
    if (offset >= AIC_TARGET_CPU && offset < AIC_TARGET_CPU + 4 * AIC1_MAX_IRQ)
      return this.target[(offset - AIC_TARGET_CPU) >> 2];
    if (offset >= AIC_SW_SET && offset < AIC_HW_STATE + 4 * WORDS) {
      const word = ((offset - AIC_SW_SET) & 0x7f) >> 2;
      switch ((offset - AIC_SW_SET) >> 7) {
        case 0:
        case 1:
          return this.sw[word] >>> 0;
        case 2:
        case 3:
          return this.mask[word] >>> 0;
        case 4:
          return this.hw[word] >>> 0;
      }
    }
    const cpuView = this.cpuIpiView(offset);
    if (cpuView) return cpuView.reg === 'flag' ? this.ipiFlag[cpuView.cpu] >>> 0 : this.ipiMask[cpuView.cpu] >>> 0;
    return 0;
  }

  write32(offset: number, value: number): void {
    const v = value >>> 0;
    switch (offset) {
      case AIC_CONFIG:
        this.config = (v & AIC_CONFIG_MASK) >>> 0;
        return;
      case AIC_IPI_SEND:
        // bit c: raise the "other" IPI on CPU c; bit 31: raise this CPU's "self" IPI.
        for (let c = 0; c < AIC_NR_CPUS; c++) if (v & (1 << c)) this.ipiFlag[c] |= AIC_IPI_OTHER;
        if (v & AIC_IPI_SELF) this.ipiFlag[0] |= AIC_IPI_SELF;
        break;
      case AIC_IPI_ACK:
        this.ipiFlag[0] &= ~(v & IPI_BITS);
        break;
      case AIC_IPI_MASK_SET:
        this.ipiMask[0] |= v & IPI_BITS;
        break;
      case AIC_IPI_MASK_CLR:
        this.ipiMask[0] &= ~(v & IPI_BITS);
        break;
      default:
        this.writeArray(offset, v);
        return;
    }
    this.updateIrq();
  }

  private writeArray(offset: number, v: number): void {
    if (offset >= AIC_TARGET_CPU && offset < AIC_TARGET_CPU + 4 * AIC1_MAX_IRQ) {
      const n = (offset - AIC_TARGET_CPU) >> 2;
      if (n >= AIC_NR_IRQ) return;
      this.target[n] = v & ((1 << AIC_NR_CPUS) - 1);
      const b = 1 << (n & 31);
      this.toCpu0[n >>> 5] = this.target[n] & 1 ? this.toCpu0[n >>> 5] | b : this.toCpu0[n >>> 5] & ~b;
      this.updateIrq();
      return;
    }
    if (offset >= AIC_SW_SET && offset < AIC_HW_STATE) {
      const word = ((offset - AIC_SW_SET) & 0x7f) >> 2;
      if (word >= IMPL_WORDS) return;
      const bits = v & this.implMask(word);
      switch ((offset - AIC_SW_SET) >> 7) {
        case 0:
          this.sw[word] |= bits;
          break;
        case 1:
          this.sw[word] &= ~bits;
          break;
        case 2:
          this.mask[word] |= bits;
          break;
        case 3:
          this.mask[word] &= ~bits;
          break;
      }
      this.updateIrq();
      return;
    }
    const view = this.cpuIpiView(offset);
    if (view) {
      const c = view.cpu;
      const bits = v & IPI_BITS;
      if (view.reg === 'flag') this.ipiFlag[c] = view.set ? this.ipiFlag[c] | bits : this.ipiFlag[c] & ~bits;
      else this.ipiMask[c] = view.set ? this.ipiMask[c] | bits : this.ipiMask[c] & ~bits;
      this.updateIrq();
    }
    // HW_STATE, INFO, WHOAMI, EVENT, timebase and undefined offsets ignore writes.
  }

  /** Decode the per-CPU IPI registers at 0x5000 + 0x80·cpu. */
  private cpuIpiView(offset: number): { cpu: number; reg: 'flag' | 'mask'; set: boolean } | undefined {
    if (offset < AIC_CPU_IPI_BASE || offset >= AIC_CPU_IPI_BASE + AIC_CPU_IPI_STRIDE * AIC_NR_CPUS) return undefined;
    const cpu = (offset - AIC_CPU_IPI_BASE) >> 7;
    switch ((offset - AIC_CPU_IPI_BASE) & 0x7f) {
      case 0x08:
        return { cpu, reg: 'flag', set: true };
      case 0x0c:
        return { cpu, reg: 'flag', set: false };
      case 0x24:
        return { cpu, reg: 'mask', set: true };
      case 0x28:
        return { cpu, reg: 'mask', set: false };
    }
    return undefined;
  }

  /** EVENT read: fetch the highest-priority event for CPU 0 and mask it (auto-ack). 0 = none. */
  private readEvent(): number {
    for (let w = 0; w < IMPL_WORDS; w++) {
      const p = (this.hw[w] | this.sw[w]) & ~this.mask[w] & this.toCpu0[w];
      if (p !== 0) {
        const bit = 31 - Math.clz32(p & -p);
        this.mask[w] |= 1 << bit;
        this.updateIrq();
        return ((AIC_EVENT_TYPE_HW << 16) | (w * 32 + bit)) >>> 0;
      }
    }
    const ipi = this.ipiFlag[0] & ~this.ipiMask[0];
    if (ipi & AIC_IPI_OTHER) {
      this.ipiMask[0] |= AIC_IPI_OTHER;
      this.updateIrq();
      return (AIC_EVENT_TYPE_IPI << 16) | AIC_EVENT_IPI_OTHER;
    }
    if (ipi & AIC_IPI_SELF) {
      this.ipiMask[0] |= AIC_IPI_SELF;
      this.updateIrq();
      return (AIC_EVENT_TYPE_IPI << 16) | AIC_EVENT_IPI_SELF;
    }
    return 0;
  }

  /** Recompute CPU 0's IRQ input from the line, SW, mask, target and IPI state. */
  private updateIrq(): void {
    let any = (this.ipiFlag[0] & ~this.ipiMask[0]) !== 0;
    for (let w = 0; !any && w < IMPL_WORDS; w++) any = ((this.hw[w] | this.sw[w]) & ~this.mask[w] & this.toCpu0[w]) !== 0;
    this.irqLine = any;
  }

  /** Bits of word w that correspond to implemented lines. */
  private implMask(word: number): number {
    const first = word * 32;
    if (first + 32 <= AIC_NR_IRQ) return 0xffffffff;
    if (first >= AIC_NR_IRQ) return 0;
    return (1 << (AIC_NR_IRQ - first)) - 1;
  }

  private fixTail(a: Uint32Array): void {
    for (let w = 0; w < WORDS; w++) a[w] &= this.implMask(w);
  }

  private rebuildToCpu0(): void {
    this.toCpu0.fill(0);
    for (let n = 0; n < AIC_NR_IRQ; n++) if (this.target[n] & 1) this.toCpu0[n >>> 5] |= 1 << (n & 31);
  }

  // ---- host side ---------------------------------------------------------------------------

  private bit(a: Uint32Array, n: number): boolean {
    return (a[n >>> 5] & (1 << (n & 31))) !== 0;
  }

  state(): AicState {
    const lines: AicLineState[] = [];
    for (let n = 0; n < AIC_NR_IRQ; n++) {
      const level = this.bit(this.hw, n);
      const sw = this.bit(this.sw, n);
      const masked = this.bit(this.mask, n);
      const target = this.target[n];
      if (level || sw || !masked || target !== 1) lines.push({ irq: n, level, sw, masked, target });
    }
    return {
      nrIrq: AIC_NR_IRQ,
      irqOutput: this.irqLine,
      lines,
      ipi: {
        other: (this.ipiFlag[0] & AIC_IPI_OTHER) !== 0,
        self: (this.ipiFlag[0] & AIC_IPI_SELF) !== 0,
        otherMasked: (this.ipiMask[0] & AIC_IPI_OTHER) !== 0,
        selfMasked: (this.ipiMask[0] & AIC_IPI_SELF) !== 0,
      },
    };
  }

  snapshot(): AicSnapshot {
    return {
      config: this.config,
      hw: Array.from(this.hw),
      sw: Array.from(this.sw),
      mask: Array.from(this.mask),
      target: Array.from(this.target),
      ipiFlag: Array.from(this.ipiFlag),
      ipiMask: Array.from(this.ipiMask),
    };
  }

  restore(s: unknown): void {
    const v = s as AicSnapshot;
    const check = (a: unknown, n: number) => Array.isArray(a) && a.length === n;
    if (
      !check(v?.hw, WORDS) || !check(v.sw, WORDS) || !check(v.mask, WORDS) || !check(v.target, AIC1_MAX_IRQ) ||
      !check(v.ipiFlag, AIC_NR_CPUS) || !check(v.ipiMask, AIC_NR_CPUS) || typeof v.config !== 'number'
    )
      throw new Error('Aic.restore: bad snapshot');
    this.config = v.config >>> 0;
    this.hw.set(v.hw);
    this.sw.set(v.sw);
    this.mask.set(v.mask);
    this.target.set(v.target);
    this.ipiFlag.set(v.ipiFlag);
    this.ipiMask.set(v.ipiMask);
    this.rebuildToCpu0();
    this.updateIrq();
  }
}
