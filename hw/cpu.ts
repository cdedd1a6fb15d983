// The core's AArch64 exception model at EL1 (Arm ARM DDI 0487 D1: exception entry, ERET, DAIF;
// shared reference apple-m1.md §6): the system-register file the kernel reaches with MRS/MSR,
// PSTATE (EL, DAIF), and the bookkeeping of exception entry and return. The EL0 execution engine
// (hw/el0) and the MMU (hw/mmu) hang off it; hw/machine.ts drives it.

import { PSTATE } from './esr';
import { SYSREG, sysregName } from './sysregs';
import type { Mmu } from './mmu';
import type { GenericTimer } from './timer';

/** Apple Icestorm (M1 E-core): implementer 0x61 'a', part 0x022 (Linux arch/arm64/include/asm/cputype.h). */
const MIDR_ICESTORM = 0x611f0220n;
/** MPIDR of logical cpu 0 (RES1 bit 31; cluster 0, core 0). */
const MPIDR_CPU0 = 0x80000000n;

/** Raised by an MRS/MSR of a register the model does not implement: an undefined instruction at EL1. */
export class UndefinedSysreg extends Error {
  constructor(readonly id: number, readonly write: boolean) {
    super(`${write ? 'msr' : 'mrs'} ${sysregName(id)}: undefined system register`);
  }
}

/** Registers kept as plain storage (no side effects beyond the MMU ones). */
const STORED = new Set<number>([
  SYSREG.SCTLR_EL1, SYSREG.TTBR0_EL1, SYSREG.TTBR1_EL1, SYSREG.TCR_EL1, SYSREG.MAIR_EL1,
  SYSREG.SPSR_EL1, SYSREG.ELR_EL1, SYSREG.SP_EL0, SYSREG.ESR_EL1, SYSREG.FAR_EL1, SYSREG.PAR_EL1,
  SYSREG.VBAR_EL1, SYSREG.CONTEXTIDR_EL1, SYSREG.TPIDR_EL1,
]);
const MMU_REGS = new Set<number>([SYSREG.SCTLR_EL1, SYSREG.TTBR0_EL1, SYSREG.TTBR1_EL1, SYSREG.TCR_EL1, SYSREG.MAIR_EL1]);

/** Slot of each stored register in the register storage (STORED order), -1 for others. */
const STORED_IDS = [...STORED];
const SLOT = new Int8Array(1 << 16).fill(-1);
STORED_IDS.forEach((id, k) => { SLOT[id] = k; });
const S_ELR = SLOT[SYSREG.ELR_EL1], S_SPSR = SLOT[SYSREG.SPSR_EL1], S_ESR = SLOT[SYSREG.ESR_EL1], S_FAR = SLOT[SYSREG.FAR_EL1];
const S_VBAR = SLOT[SYSREG.VBAR_EL1], S_TTBR0 = SLOT[SYSREG.TTBR0_EL1];
const MMU_SLOT = new Uint8Array(STORED_IDS.length);
for (const id of MMU_REGS) MMU_SLOT[SLOT[id]] = 1;
const DAIF_MASK = PSTATE.D | PSTATE.A | PSTATE.I | PSTATE.F;

export interface CpuSnapshot { regs: string[]; el: 0 | 1; daif: number; waiting: boolean }

export class Cpu {
  /** Current exception level: 1 while the kernel runs or idles, 0 while a user thread runs. */
  el: 0 | 1 = 1;
  /** PSTATE.{D,A,I,F} as in the DAIF register (bits 9..6). Reset: all masked. */
  daif = DAIF_MASK;
  /** True while the core waits for an interrupt at EL1 (the kernel's idle path). */
  waiting = false;
  /** Counts writes to the timer's system registers (the machine caches the timer deadline). */
  timerWrites = 0;
  /**
   * The stored registers, u64 each in STORED order; `words` is the same storage as (lo, hi) u32
   * pairs, so the exception model moves ELR/ESR/FAR/SPSR as numbers, without BigInt.
   */
  private readonly store = new BigUint64Array(STORED_IDS.length);
  private readonly words = new Uint32Array(this.store.buffer);
  // the BigInt last returned by mrs() for each stored register and the words it was made from: a
  // register read again unchanged (ESR_EL1 on every SVC) is returned without allocating a BigInt
  private readonly readBig: bigint[] = new Array<bigint>(STORED_IDS.length).fill(0n);
  private readonly readWords = new Uint32Array(2 * STORED_IDS.length);

  constructor(private readonly mmu: Mmu, private readonly timer: GenericTimer) {
    this.reset();
  }

  reset(): void {
    this.store.fill(0n);
    this.el = 1;
    this.daif = DAIF_MASK;
    this.waiting = false;
    this.syncMmu();
  }

  mrs(id: number): bigint {
    const k = SLOT[id & 0xffff];
    if (k >= 0 && id === STORED_IDS[k]) {
      const w = this.words, r = this.readWords, lo = w[2 * k], hi = w[2 * k + 1];
      if (r[2 * k] === lo && r[2 * k + 1] === hi) return this.readBig[k];
      r[2 * k] = lo; r[2 * k + 1] = hi;
      return (this.readBig[k] = this.store[k]);
    }
    const t = this.timer.readSysreg(id);
    if (t !== undefined) return t;
    switch (id) {
      case SYSREG.MIDR_EL1: return MIDR_ICESTORM;
      case SYSREG.MPIDR_EL1: return MPIDR_CPU0;
      case SYSREG.CURRENT_EL: return BigInt(this.el << 2);
      case SYSREG.DAIF: return BigInt(this.daif);
    }
    throw new UndefinedSysreg(id, false);
  }

  msr(id: number, value: bigint): void {
    const k = SLOT[id & 0xffff];
    if (k >= 0 && id === STORED_IDS[k]) {
      this.store[k] = value; // BigUint64Array stores value mod 2^64
      if (MMU_SLOT[k]) {
        if (k === S_TTBR0) this.mmu.setTtbr0Words(this.words[2 * k], this.words[2 * k + 1]);
        else this.syncMmu();
      }
      return;
    }
    value = BigInt.asUintN(64, value);
    if (this.timer.writeSysreg(id, value)) { this.timerWrites++; return; }
    if (id === SYSREG.DAIF) {
      this.daif = Number(value) & DAIF_MASK;
      return;
    }
    throw new UndefinedSysreg(id, true);
  }

  /** Plain read of a stored register (for the machine and the UI; no side effects). */
  reg(id: number): bigint {
    const k = SLOT[id & 0xffff];
    return k >= 0 && id === STORED_IDS[k] ? this.store[k] : 0n;
  }

  /** ELR_EL1 as (low, high) 32-bit halves (for ERET without BigInt). */
  get elrLo(): number { return this.words[2 * S_ELR]; }
  get elrHi(): number { return this.words[2 * S_ELR + 1]; }

  /**
   * Exception entry to EL1 (D1.10): SPSR ← PSTATE, ELR ← preferred return address, ESR/FAR for
   * synchronous exceptions, PSTATE.{D,A,I,F} ← 1, EL ← 1. Returns the vector offset to run.
   */
  enter(offset: number, elr: bigint, esr?: number, far?: number): number {
    this.store[S_ELR] = elr;
    return this.enterWords(offset, this.words[2 * S_ELR], this.words[2 * S_ELR + 1], esr, far);
  }

  /**
   * enter() with ELR given as its (low, high) u32 halves; `esr` -1 = none (an interrupt) and
   * `far` -1 = none; otherwise far is an integer in [0, 2^53).
   */
  enterWords(offset: number, elrLo: number, elrHi: number, esr = -1, far = -1): number {
    const w = this.words;
    const m = this.el === 0 ? PSTATE.M_EL0T : PSTATE.M_EL1H;
    w[2 * S_SPSR] = this.daif | m; w[2 * S_SPSR + 1] = 0;
    w[2 * S_ELR] = elrLo; w[2 * S_ELR + 1] = elrHi;
    if (esr !== -1 && esr !== undefined) { w[2 * S_ESR] = esr >>> 0; w[2 * S_ESR + 1] = 0; }
    if (far !== -1 && far !== undefined) { w[2 * S_FAR] = far >>> 0; w[2 * S_FAR + 1] = (far - (far >>> 0)) / 4294967296; }
    this.el = 1;
    this.daif = DAIF_MASK;
    this.waiting = false;
    return offset;
  }

  /** ERET (D1.11): PSTATE ← SPSR_EL1. Returns the target EL; the caller restores the PC side. */
  eret(): 0 | 1 {
    const spsr = this.words[2 * S_SPSR];
    this.daif = spsr & DAIF_MASK;
    this.el = (spsr & 0xf) === PSTATE.M_EL0T ? 0 : 1;
    return this.el;
  }

  /** Vector base as installed by the kernel (0 = none installed yet). */
  get vbar(): bigint {
    return this.store[S_VBAR];
  }

  /** True while VBAR_EL1 is 0 (no vector table installed). */
  get noVbar(): boolean {
    return this.words[2 * S_VBAR] === 0 && this.words[2 * S_VBAR + 1] === 0;
  }

  /** Stored registers (hex, STORED order), PSTATE and the WFI flag: the core's side of a machine snapshot. */
  snapshot(): CpuSnapshot {
    return { regs: Array.from(this.store, (v) => v.toString(16)), el: this.el, daif: this.daif, waiting: this.waiting };
  }

  /** Loads a snapshot() and re-derives the MMU's decoded registers from it (its TLB is the MMU's own). */
  restore(s: unknown): void {
    const v = s as CpuSnapshot;
    if (!Array.isArray(v?.regs) || v.regs.length !== STORED_IDS.length || !v.regs.every((x) => typeof x === 'string' && /^[0-9a-f]{1,16}$/.test(x)) ||
      (v.el !== 0 && v.el !== 1) || typeof v.daif !== 'number' || typeof v.waiting !== 'boolean')
      throw new Error('Cpu.restore: bad snapshot');
    v.regs.forEach((x, k) => { this.store[k] = BigInt(`0x${x}`); });
    this.el = v.el;
    this.daif = v.daif & DAIF_MASK;
    this.waiting = v.waiting;
    this.timerWrites++; // the machine's cached timer deadline is stale
    this.syncMmu();
  }

  private syncMmu(): void {
    this.mmu.setRegs({
      sctlr: this.reg(SYSREG.SCTLR_EL1),
      tcr: this.reg(SYSREG.TCR_EL1),
      ttbr0: this.reg(SYSREG.TTBR0_EL1),
      ttbr1: this.reg(SYSREG.TTBR1_EL1),
      mair: this.reg(SYSREG.MAIR_EL1),
    });
  }
}
