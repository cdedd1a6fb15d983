// timer.ts — the periodic tick on the EL1 physical timer (CNTP_*), delivered as an FIQ straight to
// the core (Apple cores bypass the AIC for timers; apple-m1.md §2).
//
// TICK_HZ = 100, so with CNTFRQ = 24 MHz the period is 24 000 000 / 100 = 240 000 counter ticks.
// The period is computed from CNTFRQ_EL0 at boot, so a different counter frequency still gives
// 100 Hz. The tick re-arms by CVAL += period (drift-free); if the core was away for longer than a
// period, the next deadline is one period from now (lost ticks are not replayed).

import {
  mrs, msr, SYSREG_CNTFRQ_EL0, SYSREG_CNTPCT_EL0, SYSREG_CNTP_CTL_EL0, SYSREG_CNTP_CVAL_EL0,
  SYSREG_CNTVCT_EL0, SYSREG_CNTV_CTL_EL0, SYSREG_CNTV_CVAL_EL0,
} from "./arch";

export const TICK_HZ: u64 = 100;

const CTL_ENABLE: u64 = 1 << 0;
const CTL_IMASK: u64 = 1 << 1;
const CTL_ISTATUS: u64 = 1 << 2;

let period: u64 = 0;
let ticks: u64 = 0;
let freq: u64 = 0;

/** Arms the first tick; returns the period in counter ticks. */
export function timerInit(): u64 {
  freq = mrs(SYSREG_CNTFRQ_EL0);
  if (freq == 0) freq = 24000000; // M1's value, if firmware left CNTFRQ unset
  period = freq / TICK_HZ;
  ticks = 0;
  msr(SYSREG_CNTP_CVAL_EL0, mrs(SYSREG_CNTPCT_EL0) + period);
  msr(SYSREG_CNTP_CTL_EL0, CTL_ENABLE);
  return period;
}

export function timerFreq(): u64 { return freq; }
export function timerPeriod(): u64 { return period; }
export function timerTicks(): u64 { return ticks; }

/** Is the EL1 physical timer asserting its FIQ? (ENABLE=1, IMASK=0, ISTATUS=1) */
export function timerFiring(): bool {
  return (mrs(SYSREG_CNTP_CTL_EL0) & (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS)) == (CTL_ENABLE | CTL_ISTATUS);
}

/** Handles one tick: counts it and moves the deadline past now. Returns the new tick count. */
export function timerTick(): u64 {
  ticks++;
  let now = mrs(SYSREG_CNTPCT_EL0);
  let cval = mrs(SYSREG_CNTP_CVAL_EL0) + period;
  if (cval <= now) cval = now + period;
  msr(SYSREG_CNTP_CVAL_EL0, cval);
  return ticks;
}

// ---- the EL1 virtual timer (CNTV_*), lent to user space -----------------------------------------
// The kernel keeps the physical timer for its tick and hands the virtual timer — the core's second
// timer, also an FIQ (AIC binding FIQ 3, AIC_TMR_GUEST_VIRT) — to the timer service as an
// IRQHandler (object/irq.ts). The sequences are Linux's arm_arch_timer.c: the interrupt handler
// masks the output (CTL.IMASK) so the level-triggered FIQ stops; set_next_event writes CVAL and
// then CTL = ENABLE with IMASK clear.

/** Is the EL1 virtual timer asserting its FIQ? */
export function vtimerFiring(): bool {
  return (mrs(SYSREG_CNTV_CTL_EL0) & (CTL_ENABLE | CTL_IMASK | CTL_ISTATUS)) == (CTL_ENABLE | CTL_ISTATUS);
}

/** Masks the virtual timer's output (the FIQ handler's "EOI": the owner re-arms it). */
export function vtimerMask(): void {
  msr(SYSREG_CNTV_CTL_EL0, mrs(SYSREG_CNTV_CTL_EL0) | CTL_IMASK);
}

/** Clears IMASK again (IRQHandler.Ack): fires at once if the deadline already passed. */
export function vtimerUnmask(): void {
  msr(SYSREG_CNTV_CTL_EL0, mrs(SYSREG_CNTV_CTL_EL0) & CTL_ENABLE);
}

/** Arms the virtual timer for counter value cval; returns the counter now. */
export function vtimerSetDeadline(cval: u64): u64 {
  msr(SYSREG_CNTV_CVAL_EL0, cval);
  msr(SYSREG_CNTV_CTL_EL0, CTL_ENABLE);
  return mrs(SYSREG_CNTVCT_EL0);
}

/** Turns the virtual timer off (its handler capability is gone or cleared). */
export function vtimerDisable(): void {
  msr(SYSREG_CNTV_CTL_EL0, 0);
}
