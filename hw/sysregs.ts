// AArch64 system-register encodings used by the kernel's `mrs`/`msr` imports.
// id = op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2, as in the MRS/MSR instruction encoding
// (Arm ARM DDI 0487, C5.3). Only the registers the model implements are listed; any other id is
// an undefined instruction (ESR EC 0x00) at EL1.

export const sysreg = (op0: number, op1: number, crn: number, crm: number, op2: number): number =>
  (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;

export const SYSREG = {
  MIDR_EL1: sysreg(3, 0, 0, 0, 0),
  MPIDR_EL1: sysreg(3, 0, 0, 0, 5),
  SCTLR_EL1: sysreg(3, 0, 1, 0, 0),
  TTBR0_EL1: sysreg(3, 0, 2, 0, 0),
  TTBR1_EL1: sysreg(3, 0, 2, 0, 1),
  TCR_EL1: sysreg(3, 0, 2, 0, 2),
  SPSR_EL1: sysreg(3, 0, 4, 0, 0),
  ELR_EL1: sysreg(3, 0, 4, 0, 1),
  SP_EL0: sysreg(3, 0, 4, 1, 0),
  CURRENT_EL: sysreg(3, 0, 4, 2, 2),
  DAIF: sysreg(3, 3, 4, 2, 1),
  ESR_EL1: sysreg(3, 0, 5, 2, 0),
  FAR_EL1: sysreg(3, 0, 6, 0, 0),
  PAR_EL1: sysreg(3, 0, 7, 4, 0),
  MAIR_EL1: sysreg(3, 0, 10, 2, 0),
  VBAR_EL1: sysreg(3, 0, 12, 0, 0),
  CONTEXTIDR_EL1: sysreg(3, 0, 13, 0, 1),
  TPIDR_EL1: sysreg(3, 0, 13, 0, 4),
  CNTKCTL_EL1: sysreg(3, 0, 14, 1, 0),
  CNTFRQ_EL0: sysreg(3, 3, 14, 0, 0),
  CNTPCT_EL0: sysreg(3, 3, 14, 0, 1),
  CNTVCT_EL0: sysreg(3, 3, 14, 0, 2),
  CNTP_TVAL_EL0: sysreg(3, 3, 14, 2, 0),
  CNTP_CTL_EL0: sysreg(3, 3, 14, 2, 1),
  CNTP_CVAL_EL0: sysreg(3, 3, 14, 2, 2),
  CNTV_TVAL_EL0: sysreg(3, 3, 14, 3, 0),
  CNTV_CTL_EL0: sysreg(3, 3, 14, 3, 1),
  CNTV_CVAL_EL0: sysreg(3, 3, 14, 3, 2),
} as const;

export type SysregName = keyof typeof SYSREG;

export function sysregName(id: number): string {
  for (const [name, v] of Object.entries(SYSREG)) if (v === id) return name;
  return `S${id >> 14}_${(id >> 11) & 7}_C${(id >> 7) & 15}_C${(id >> 3) & 15}_${id & 7}`;
}
