// ESR_EL1 / exception-class constants of the AArch64 exception model
// (Arm ARM DDI 0487 D1 and the ESR_EL1 description; Linux arch/arm64/include/asm/esr.h).

export const EC = {
  UNKNOWN: 0x00,
  WFX: 0x01,
  ILLEGAL_STATE: 0x0e,
  SVC64: 0x15,
  SYS64: 0x18,
  IABT_LOW: 0x20,
  IABT_CUR: 0x21,
  PC_ALIGN: 0x22,
  DABT_LOW: 0x24,
  DABT_CUR: 0x25,
  SERROR: 0x2f,
  BRK64: 0x3c,
} as const;

/** Fault status codes (DFSC/IFSC, ESR[5:0]). */
export const FSC = {
  ADDR_SIZE: 0x00, // + level
  TRANSLATION: 0x04, // + level
  ACCESS_FLAG: 0x08, // + level (1..3)
  PERMISSION: 0x0c, // + level (1..3)
  SYNC_EXTERNAL: 0x10,
  SYNC_EXTERNAL_WALK: 0x14, // + level
  ALIGNMENT: 0x21,
} as const;

export const ESR_IL = 1 << 25;
export const ESR_WNR = 1 << 6;

export const esr = (ec: number, iss: number): number => ((ec << 26) | ESR_IL | (iss & 0x1ffffff)) >>> 0;
export const esrEc = (v: number): number => (v >>> 26) & 0x3f;
export const esrIss = (v: number): number => v & 0x1ffffff;

/** Vector-table offsets from VBAR_EL1 (Arm ARM D1.10.2). */
export const VECTOR = {
  CUR_SPX_SYNC: 0x200,
  CUR_SPX_IRQ: 0x280,
  CUR_SPX_FIQ: 0x300,
  CUR_SPX_SERROR: 0x380,
  LOWER_SYNC: 0x400,
  LOWER_IRQ: 0x480,
  LOWER_FIQ: 0x500,
  LOWER_SERROR: 0x580,
} as const;

/** SPSR / PSTATE bits used by the model. */
export const PSTATE = {
  F: 1 << 6,
  I: 1 << 7,
  A: 1 << 8,
  D: 1 << 9,
  M_EL0T: 0b0000,
  M_EL1H: 0b0101,
} as const;
