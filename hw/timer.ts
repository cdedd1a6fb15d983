// ARM generic timer of one Apple Icestorm core: the EL1 physical (CNTP_*) and virtual (CNTV_*)
// timers, counting the 24 MHz system counter. Follows Arm ARM DDI 0487 chapter D11 and the
// CNTP_CTL_EL0 / CNTP_CVAL_EL0 / CNTP_TVAL_EL0 register descriptions, as summarised in shared
// reference apple-m1.md §2. On Apple cores the timer outputs go straight to the core's FIQ input,
// bypassing the AIC, so fiqOutput() is read by the core, not routed through hw/aic.ts.
//
// Model:
//  * CNTFRQ_EL0 = 24 MHz (read-only here: writes are only possible at the highest EL).
//  * CNTPCT_EL0 = CNTVCT_EL0 = clock.ticks (CNTVOFF_EL2 = 0; no EL2 is modelled).
//  * CTL: ENABLE (bit 0) and IMASK (bit 1) are stored; ISTATUS (bit 2) is read-only and computed
//    on every read as counter ≥ CVAL (unsigned 64-bit). The Arm ARM makes ISTATUS UNKNOWN while
//    ENABLE = 0; the model reads it as 0 then (as QEMU does).
//  * CVAL is a 64-bit bigint; all comparisons are exact.
//  * TVAL is the signed 32-bit view: a read returns (CVAL − counter) truncated to 32 bits (bits
//    [63:32] of the register are RES0, so the value is zero-extended; interpret it as s32); a
//    write sets CVAL = counter + SignExtend(value[31:0]) modulo 2^64.
//  * CNTKCTL_EL1 (EL0 access control) is stored so the kernel can program it.
//  * Writes to read-only registers (CNTFRQ, CNTPCT, CNTVCT) are ignored.

import type { Clock } from './clock';
import { CNTFRQ } from './memmap';
import { SYSREG } from './sysregs';

/** CNTx_CTL_EL0 bits. */
export const CNT_CTL_ENABLE = 1 << 0;
export const CNT_CTL_IMASK = 1 << 1;
export const CNT_CTL_ISTATUS = 1 << 2;
/** Implemented bits of CNTKCTL_EL1: EVNTIS 17, EL0PTEN 9, EL0VTEN 8, EVNTI [7:4], EVNTDIR 3, EVNTEN 2, EL0VCTEN 1, EL0PCTEN 0. */
export const CNTKCTL_MASK = 0x2_03ff;

const U64 = (1n << 64n) - 1n;

interface OneTimer {
  /** CNTx_CTL_EL0 bits ENABLE | IMASK (ISTATUS is computed). */
  ctl: number;
  /** CNTx_CVAL_EL0, unsigned 64-bit compare value. */
  cval: bigint;
}

export interface TimerState {
  cntfrq: number;
  counter: number;
  phys: { ctl: number; cval: string; istatus: boolean; firing: boolean };
  virt: { ctl: number; cval: string; istatus: boolean; firing: boolean };
  cntkctl: number;
  fiq: boolean;
  /** Next counter value at which the FIQ output rises, null for never (JSON has no Infinity). */
  nextDeadline: number | null;
}

export class GenericTimer {
  /** EL1 physical timer (CNTP_CTL_EL0 / CNTP_CVAL_EL0). */
  private phys: OneTimer = { ctl: 0, cval: 0n };
  /** EL1 virtual timer (CNTV_CTL_EL0 / CNTV_CVAL_EL0). */
  private virt: OneTimer = { ctl: 0, cval: 0n };
  /** CNTKCTL_EL1. */
  private cntkctl = 0;

  constructor(private readonly clock: Clock) {}

  private now(): bigint {
    return BigInt(this.clock.ticks);
  }

  private istatus(t: OneTimer): boolean {
    return (t.ctl & CNT_CTL_ENABLE) !== 0 && this.now() >= t.cval;
  }

  private firing(t: OneTimer): boolean {
    return (t.ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) === CNT_CTL_ENABLE && this.now() >= t.cval;
  }

  private readCtl(t: OneTimer): bigint {
    return BigInt(t.ctl | (this.istatus(t) ? CNT_CTL_ISTATUS : 0));
  }

  private readTval(t: OneTimer): bigint {
    return BigInt.asUintN(32, t.cval - this.now());
  }

  private writeTval(t: OneTimer, v: bigint): void {
    t.cval = (this.now() + BigInt.asIntN(32, v)) & U64;
  }

  /** Value of a timer system register, or undefined when id is not one. */
  readSysreg(id: number): bigint | undefined {
    switch (id) {
      case SYSREG.CNTFRQ_EL0:
        return BigInt(CNTFRQ);
      case SYSREG.CNTPCT_EL0:
      case SYSREG.CNTVCT_EL0:
        return this.now();
      case SYSREG.CNTKCTL_EL1:
        return BigInt(this.cntkctl);
      case SYSREG.CNTP_CTL_EL0:
        return this.readCtl(this.phys);
      case SYSREG.CNTP_CVAL_EL0:
        return this.phys.cval;
      case SYSREG.CNTP_TVAL_EL0:
        return this.readTval(this.phys);
      case SYSREG.CNTV_CTL_EL0:
        return this.readCtl(this.virt);
      case SYSREG.CNTV_CVAL_EL0:
        return this.virt.cval;
      case SYSREG.CNTV_TVAL_EL0:
        return this.readTval(this.virt);
    }
    return undefined;
  }

  /** Write a timer system register; false when id is not one. */
  writeSysreg(id: number, v: bigint): boolean {
    switch (id) {
      case SYSREG.CNTFRQ_EL0:
      case SYSREG.CNTPCT_EL0:
      case SYSREG.CNTVCT_EL0:
        return true; // read-only at EL1: ignored
      case SYSREG.CNTKCTL_EL1:
        this.cntkctl = Number(v & BigInt(CNTKCTL_MASK));
        return true;
      case SYSREG.CNTP_CTL_EL0:
        this.phys.ctl = Number(v & BigInt(CNT_CTL_ENABLE | CNT_CTL_IMASK));
        return true;
      case SYSREG.CNTP_CVAL_EL0:
        this.phys.cval = v & U64;
        return true;
      case SYSREG.CNTP_TVAL_EL0:
        this.writeTval(this.phys, v);
        return true;
      case SYSREG.CNTV_CTL_EL0:
        this.virt.ctl = Number(v & BigInt(CNT_CTL_ENABLE | CNT_CTL_IMASK));
        return true;
      case SYSREG.CNTV_CVAL_EL0:
        this.virt.cval = v & U64;
        return true;
      case SYSREG.CNTV_TVAL_EL0:
        this.writeTval(this.virt, v);
        return true;
    }
    return false;
  }

  /** The core's FIQ input from the timers: ENABLE ∧ ¬IMASK ∧ ISTATUS for either timer. */
  fiqOutput(): boolean {
    return this.firing(this.phys) || this.firing(this.virt);
  }

  /**
   * The smallest counter value ≥ now at which fiqOutput() is true with the current settings
   * (now itself if it already is), or Infinity if no enabled, unmasked timer will ever fire.
   */
  nextDeadline(): number {
    const now = this.clock.ticks;
    let best = Infinity;
    for (const t of [this.phys, this.virt]) {
      if ((t.ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK)) !== CNT_CTL_ENABLE) continue;
      const d = t.cval <= BigInt(now) ? now : t.cval > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(t.cval);
      if (d < best) best = d;
    }
    return best;
  }

  state(): TimerState {
    const one = (t: OneTimer) => ({
      ctl: Number(this.readCtl(t)),
      cval: '0x' + t.cval.toString(16),
      istatus: this.istatus(t),
      firing: this.firing(t),
    });
    return {
      cntfrq: CNTFRQ,
      counter: this.clock.ticks,
      phys: one(this.phys),
      virt: one(this.virt),
      cntkctl: this.cntkctl,
      fiq: this.fiqOutput(),
      nextDeadline: Number.isFinite(this.nextDeadline()) ? this.nextDeadline() : null,
    };
  }

  snapshot(): { physCtl: number; physCval: string; virtCtl: number; virtCval: string; cntkctl: number } {
    return {
      physCtl: this.phys.ctl,
      physCval: this.phys.cval.toString(),
      virtCtl: this.virt.ctl,
      virtCval: this.virt.cval.toString(),
      cntkctl: this.cntkctl,
    };
  }

  restore(s: unknown): void {
    const v = s as ReturnType<GenericTimer['snapshot']>;
    if (typeof v?.physCtl !== 'number' || typeof v.virtCtl !== 'number' || typeof v.physCval !== 'string')
      throw new Error('GenericTimer.restore: bad snapshot');
    this.phys = { ctl: v.physCtl & 3, cval: BigInt(v.physCval) & U64 };
    this.virt = { ctl: v.virtCtl & 3, cval: BigInt(v.virtCval) & U64 };
    this.cntkctl = (v.cntkctl ?? 0) & CNTKCTL_MASK;
  }
}
