// arch.ts — the kernel's only door to the hardware (STYLE "What to take" 10, cf. Hubris arch.rs).
//
// Every instruction that reaches beyond RAM is an import from module "mach" (docs/ARCHITECTURE.md,
// "The kernel ⇄ machine boundary"). Nothing else in kernel-as/ declares an @external; other files
// call the wrappers below. RAM itself is this module's linear memory: linear address a is physical
// address DRAM_BASE + a, so `load<T>(pa - DRAM_BASE)` is an ordinary RAM access.
//
// Also here: the architecture constants the kernel mirrors from the Arm ARM (system-register ids,
// ESR fields, vector offsets, PSTATE bits). Device addresses are NOT here: they come from the FDT.

// ---------------------------------------------------------------------------------------------
// The machine's instructions (imports)
// ---------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@external("mach", "mmio_read32") declare function mach_mmio_read32(pa: u64): u32;
// @ts-ignore: decorator
@external("mach", "mmio_write32") declare function mach_mmio_write32(pa: u64, v: u32): void;
// @ts-ignore: decorator
@external("mach", "mrs") declare function mach_mrs(id: u32): u64;
// @ts-ignore: decorator
@external("mach", "msr") declare function mach_msr(id: u32, v: u64): void;
// @ts-ignore: decorator
@external("mach", "tlbi") declare function mach_tlbi(op: u32, arg: u64): void;
// @ts-ignore: decorator
@external("mach", "ic_iallu") declare function mach_ic_iallu(): void;
// @ts-ignore: decorator
@external("mach", "ctx_save") declare function mach_ctx_save(ka: u32): void;
// @ts-ignore: decorator
@external("mach", "ctx_restore") declare function mach_ctx_restore(ka: u32): void;
// @ts-ignore: decorator
@external("mach", "eret") declare function mach_eret(): void;
// @ts-ignore: decorator
@external("mach", "wfi") declare function mach_wfi(): void;
// @ts-ignore: decorator
@external("mach", "halt") declare function mach_halt(code: u32): void;

/** `ldr w, [pa]` to Device memory. A hole raises a synchronous external abort (DFSC 0x10). */
// @ts-ignore: decorator
@inline export function mmioRead32(pa: u64): u32 { return mach_mmio_read32(pa); }
/** `str w, [pa]` to Device memory. */
// @ts-ignore: decorator
@inline export function mmioWrite32(pa: u64, v: u32): void { mach_mmio_write32(pa, v); }
/** `mrs x, <sysreg>`; `id` is one of the SYSREG_* encodings below. */
// @ts-ignore: decorator
@inline export function mrs(id: u32): u64 { return mach_mrs(id); }
/** `msr <sysreg>, x`. */
// @ts-ignore: decorator
@inline export function msr(id: u32, v: u64): void { mach_msr(id, v); }
/** TLB maintenance; `op` is one of TLBI_*. */
// @ts-ignore: decorator
@inline export function tlbi(op: u32, arg: u64): void { mach_tlbi(op, arg); }
/** `ic iallu`: drop the EL0 engine's decoded-program cache. */
// @ts-ignore: decorator
@inline export function icIallu(): void { mach_ic_iallu(); }
/**
 * Store the EL0 register file (32 × u64, 256 bytes) at physical address pa. The import takes the RAM
 * offset pa - DRAM_BASE (u32: RAM is this module's 32-bit linear memory); a pa outside RAM becomes
 * 0xFFFFFFFF, which the machine rejects like any address outside RAM.
 */
// @ts-ignore: decorator
@inline export function ctxSave(pa: u64): void { mach_ctx_save(ramOff32(pa)); }
/** Load the EL0 register file from physical address pa (RAM offset in the import, as ctxSave). */
// @ts-ignore: decorator
@inline export function ctxRestore(pa: u64): void { mach_ctx_restore(ramOff32(pa)); }
// @ts-ignore: decorator
@inline function ramOff32(pa: u64): u32 { let o = pa - DRAM_BASE; return o > 0xFFFFFFFF ? 0xFFFFFFFF : <u32>o; }
/** When this kernel entry returns: ERET (PC ← ELR_EL1, PSTATE ← SPSR_EL1). */
// @ts-ignore: decorator
@inline export function eret(): void { mach_eret(); }
/** When this kernel entry returns: wait for an interrupt at EL1 (taken only if DAIF.I/F are clear). */
// @ts-ignore: decorator
@inline export function wfi(): void { mach_wfi(); }
/** Stop the machine. Used only by panic. */
// @ts-ignore: decorator
@inline export function halt(code: u32): void { mach_halt(code); }

// ---------------------------------------------------------------------------------------------
// Physical memory
// ---------------------------------------------------------------------------------------------

/** Physical address of linear address 0 (t8103 DRAM base). Architectural for the M1, not a device. */
export const DRAM_BASE: u64 = 0x8_0000_0000;
export const PAGE_SIZE: u64 = 4096;
export const PAGE_SHIFT: u32 = 12;

/** Kernel linear address → physical address. */
// @ts-ignore: decorator
@inline export function paOf(a: usize): u64 { return DRAM_BASE + <u64>a; }
/** Physical address in RAM → kernel linear address. Caller guarantees pa is inside RAM. */
// @ts-ignore: decorator
@inline export function linOf(pa: u64): usize { return <usize>(pa - DRAM_BASE); }

// ---------------------------------------------------------------------------------------------
// System registers: id = op0<<14 | op1<<11 | CRn<<7 | CRm<<3 | op2 (Arm ARM C5.3; hw/sysregs.ts)
// ---------------------------------------------------------------------------------------------

// Values are literal so they fold into the code; the comment gives op0_op1_CRn_CRm_op2.
export const SYSREG_MIDR_EL1: u32 = 0xc000; // S3_0_C0_C0_0
export const SYSREG_MPIDR_EL1: u32 = 0xc005; // S3_0_C0_C0_5
export const SYSREG_SCTLR_EL1: u32 = 0xc080; // S3_0_C1_C0_0
export const SYSREG_TTBR0_EL1: u32 = 0xc100; // S3_0_C2_C0_0
export const SYSREG_TCR_EL1: u32 = 0xc102; // S3_0_C2_C0_2
export const SYSREG_SPSR_EL1: u32 = 0xc200; // S3_0_C4_C0_0
export const SYSREG_ELR_EL1: u32 = 0xc201; // S3_0_C4_C0_1
export const SYSREG_CURRENT_EL: u32 = 0xc212; // S3_0_C4_C2_2
export const SYSREG_DAIF: u32 = 0xda11; // S3_3_C4_C2_1
export const SYSREG_ESR_EL1: u32 = 0xc290; // S3_0_C5_C2_0
export const SYSREG_FAR_EL1: u32 = 0xc300; // S3_0_C6_C0_0
export const SYSREG_MAIR_EL1: u32 = 0xc510; // S3_0_C10_C2_0
export const SYSREG_VBAR_EL1: u32 = 0xc600; // S3_0_C12_C0_0
export const SYSREG_CNTFRQ_EL0: u32 = 0xdf00; // S3_3_C14_C0_0
export const SYSREG_CNTPCT_EL0: u32 = 0xdf01; // S3_3_C14_C0_1
export const SYSREG_CNTVCT_EL0: u32 = 0xdf02; // S3_3_C14_C0_2
export const SYSREG_CNTP_CTL_EL0: u32 = 0xdf11; // S3_3_C14_C2_1
export const SYSREG_CNTP_CVAL_EL0: u32 = 0xdf12; // S3_3_C14_C2_2
export const SYSREG_CNTV_CTL_EL0: u32 = 0xdf19; // S3_3_C14_C3_1
export const SYSREG_CNTV_CVAL_EL0: u32 = 0xdf1a; // S3_3_C14_C3_2

/** TLBI operations of the `tlbi` import. */
export const TLBI_ASIDE1: u32 = 1; // arg[63:48] = ASID
export const TLBI_VAE1: u32 = 2; // arg[63:48] = ASID, arg[43:0] = VA >> 12

// ---------------------------------------------------------------------------------------------
// Exceptions: vector offsets, ESR_EL1 (Arm ARM D1.10, ESR_EL1; hw/esr.ts)
// ---------------------------------------------------------------------------------------------

export const VEC_CUR_SPX_SYNC: u32 = 0x200;
export const VEC_CUR_SPX_IRQ: u32 = 0x280;
export const VEC_CUR_SPX_FIQ: u32 = 0x300;
export const VEC_CUR_SPX_SERROR: u32 = 0x380;
export const VEC_LOWER_SYNC: u32 = 0x400;
export const VEC_LOWER_IRQ: u32 = 0x480;
export const VEC_LOWER_FIQ: u32 = 0x500;
export const VEC_LOWER_SERROR: u32 = 0x580;
/** VBAR_EL1 must be 2 KiB aligned; the table spans 16 slots of 0x80 bytes. */
export const VECTOR_TABLE_BYTES: u32 = 0x800;

export const EC_UNKNOWN: u32 = 0x00;
const EC_WFX: u32 = 0x01;
const EC_FP: u32 = 0x07;
const EC_ILLEGAL_STATE: u32 = 0x0e;
export const EC_SVC64: u32 = 0x15;
const EC_SYS64: u32 = 0x18;
export const EC_IABT_LOW: u32 = 0x20;
export const EC_IABT_CUR: u32 = 0x21;
const EC_PC_ALIGN: u32 = 0x22;
export const EC_DABT_LOW: u32 = 0x24;
export const EC_DABT_CUR: u32 = 0x25;
const EC_SP_ALIGN: u32 = 0x26;
const EC_SERROR: u32 = 0x2f;
const EC_BRK64: u32 = 0x3c;

export const ESR_IL: u32 = 1 << 25;
export const ESR_WNR: u32 = 1 << 6;

// @ts-ignore: decorator
@inline export function esrEc(esr: u64): u32 { return <u32>(esr >> 26) & 0x3f; }
// @ts-ignore: decorator
@inline export function esrIss(esr: u64): u32 { return <u32>esr & 0x1ffffff; }
/** DFSC / IFSC: ISS[5:0] of an abort. */
// @ts-ignore: decorator
@inline export function esrFsc(esr: u64): u32 { return <u32>esr & 0x3f; }

/** Name of an exception class, for panic messages. */
export function ecName(ec: u32): string {
  switch (ec) {
    case EC_UNKNOWN: return "unknown/undefined instruction";
    case EC_WFX: return "WFI/WFE trapped";
    case EC_FP: return "FP/SIMD access trapped";
    case EC_ILLEGAL_STATE: return "illegal execution state";
    case EC_SVC64: return "SVC (AArch64)";
    case EC_SYS64: return "MSR/MRS trapped";
    case EC_IABT_LOW: return "instruction abort from lower EL";
    case EC_IABT_CUR: return "instruction abort from current EL";
    case EC_PC_ALIGN: return "PC alignment fault";
    case EC_DABT_LOW: return "data abort from lower EL";
    case EC_DABT_CUR: return "data abort from current EL";
    case EC_SP_ALIGN: return "SP alignment fault";
    case EC_SERROR: return "SError";
    case EC_BRK64: return "BRK (AArch64)";
  }
  return "reserved/unhandled EC";
}

/** Name of a fault status code (DFSC/IFSC), level folded in by the caller. */
export function fscName(fsc: u32): string {
  if (fsc <= 0x03) return "address size fault";
  if (fsc >= 0x04 && fsc <= 0x07) return "translation fault";
  if (fsc >= 0x08 && fsc <= 0x0b) return "access flag fault";
  if (fsc >= 0x0c && fsc <= 0x0f) return "permission fault";
  if (fsc == 0x10) return "synchronous external abort";
  if (fsc >= 0x14 && fsc <= 0x17) return "synchronous external abort on table walk";
  if (fsc == 0x21) return "alignment fault";
  if (fsc == 0x30) return "TLB conflict";
  return "reserved fault status";
}

/** True when the FSC carries a translation level in bits [1:0]. */
export function fscHasLevel(fsc: u32): bool {
  return fsc <= 0x0f || (fsc >= 0x14 && fsc <= 0x17);
}
