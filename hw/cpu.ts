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

export class Cpu {
  /** Current exception level: 1 while the kernel runs or idles, 0 while a user thread runs. */
  el: 0 | 1 = 1;
  /** PSTATE.{D,A,I,F} as in the DAIF register (bits 9..6). Reset: all masked. */
  daif = PSTATE.D | PSTATE.A | PSTATE.I | PSTATE.F;
  /** True while the core waits for an interrupt at EL1 (the kernel's idle path). */
  waiting = false;
  private readonly regs = new Map<number, bigint>();

  constructor(private readonly mmu: Mmu, private readonly timer: GenericTimer) {
    this.reset();
  }

  reset(): void {
    this.regs.clear();
    for (const id of STORED) this.regs.set(id, 0n);
    this.el = 1;
    this.daif = PSTATE.D | PSTATE.A | PSTATE.I | PSTATE.F;
    this.waiting = false;
    this.syncMmu();
  }

  mrs(id: number): bigint {
    const t = this.timer.readSysreg(id);
    if (t !== undefined) return t;
    switch (id) {
      case SYSREG.MIDR_EL1: return MIDR_ICESTORM;
      case SYSREG.MPIDR_EL1: return MPIDR_CPU0;
      case SYSREG.CURRENT_EL: return BigInt(this.el << 2);
      case SYSREG.DAIF: return BigInt(this.daif);
    }
    const v = this.regs.get(id);
    if (v === undefined) throw new UndefinedSysreg(id, false);
    return v;
  }

  msr(id: number, value: bigint): void {
    value = BigInt.asUintN(64, value);
    if (this.timer.writeSysreg(id, value)) return;
    if (id === SYSREG.DAIF) {
      this.daif = Number(value) & (PSTATE.D | PSTATE.A | PSTATE.I | PSTATE.F);
      return;
    }
    if (!STORED.has(id)) throw new UndefinedSysreg(id, true);
    this.regs.set(id, value);
    if (MMU_REGS.has(id)) this.syncMmu();
  }

  /** Plain read of a stored register (for the machine and the UI; no side effects). */
  reg(id: number): bigint {
    return this.regs.get(id) ?? 0n;
  }

  /**
   * Exception entry to EL1 (D1.10): SPSR ← PSTATE, ELR ← preferred return address, ESR/FAR for
   * synchronous exceptions, PSTATE.{D,A,I,F} ← 1, EL ← 1. Returns the vector offset to run.
   */
  enter(offset: number, elr: bigint, esr?: number, far?: number): number {
    const m = this.el === 0 ? PSTATE.M_EL0T : PSTATE.M_EL1H;
    this.regs.set(SYSREG.SPSR_EL1, BigInt(this.daif | m));
    this.regs.set(SYSREG.ELR_EL1, BigInt.asUintN(64, elr));
    if (esr !== undefined) this.regs.set(SYSREG.ESR_EL1, BigInt(esr >>> 0));
    if (far !== undefined) this.regs.set(SYSREG.FAR_EL1, BigInt(far));
    this.el = 1;
    this.daif = PSTATE.D | PSTATE.A | PSTATE.I | PSTATE.F;
    this.waiting = false;
    return offset;
  }

  /** ERET (D1.11): PSTATE ← SPSR_EL1. Returns the target EL; the caller restores the PC side. */
  eret(): 0 | 1 {
    const spsr = Number(this.regs.get(SYSREG.SPSR_EL1) ?? 0n);
    this.daif = spsr & (PSTATE.D | PSTATE.A | PSTATE.I | PSTATE.F);
    this.el = (spsr & 0xf) === PSTATE.M_EL0T ? 0 : 1;
    return this.el;
  }

  /** Vector base as installed by the kernel (0 = none installed yet). */
  get vbar(): bigint {
    return this.regs.get(SYSREG.VBAR_EL1) ?? 0n;
  }

  snapshot(): Record<string, string> {
    const out: Record<string, string> = { CurrentEL: `EL${this.el}`, DAIF: `0x${this.daif.toString(16)}` };
    for (const [id, v] of this.regs) out[sysregName(id)] = `0x${v.toString(16)}`;
    return out;
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
