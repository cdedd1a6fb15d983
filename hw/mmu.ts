// MMU of the modelled core: stage-1 translation of the EL1&0 regime, VMSAv8-64, 4 KB granule, with a
// TLB tagged by ASID.
//
// Follows Arm ARM DDI 0487, chapter D8 "The AArch64 Virtual Memory System Architecture": the
// translation table walk (VA size from TnSZ, initial lookup level, table/block/page descriptor
// formats), hierarchical (APTable/UXNTable/PXNTable) and leaf (AP[2:1], UXN, PXN, SCTLR.WXN) access
// permissions, the MMU fault kinds and their priority (translation > access flag > permission), and
// the TLB maintenance instructions TLBI VMALLE1 / ASIDE1 / VAE1 / VAAE1. Shared reference:
// apple-m1.md §5 (descriptor bits, TCR fields) and §6 (DFSC codes, hw/esr.ts FSC).
//
// Modelling choices (each one a behaviour the Arm ARM permits or leaves to the implementation):
//  * Granule: 4 KB only. TG0 must be 0b00 and TG1 0b10 (the encodings differ); any other granule makes
//    every walk of that half a translation fault at level 0.
//  * T0SZ/T1SZ outside 16..39 are treated as the nearest of 16 / 39 (the Arm ARM allows "treat as the
//    limit"). Initial lookup level = 4 - ceil((64 - TnSZ - 12) / 9): 16..24 → L0, 25..33 → L1, 34..39 → L2.
//  * A VA outside the TTBR0 range (>= 2^(64-T0SZ)), or TCR.EPD0/EPD1 set, is a translation fault level 0.
//  * Address size (TCR.IPS, bits [34:32]: 32, 36, 40, 42, 44, 48 bits; 52 and the reserved 7 act as
//    48, the largest size implemented, as the Arm ARM prescribes for a value above PARange): a TTBR
//    whose BADDR lies beyond it is an address-size fault at level 0, a table descriptor whose
//    next-level address lies beyond it an address-size fault at that descriptor's level, and a
//    block/page whose output address does an address-size fault at the leaf's level (pseudocode
//    AArch64.TranslationTableWalk: after the VA-range check, before the access flag and permissions).
//  * Memory type (MAIR_EL1 attribute of the leaf): isDevice() tells Device from Normal memory, so the
//    core can make a misaligned access to Device memory an alignment fault (DFSC 0x21). With the MMU
//    off every data access is Device-nGnRnE.
//  * TBI, hardware AF/dirty update (HA/HD), PAN and the contiguous hint are not modelled.
//  * ASID: TCR.A1 selects the TTBR that holds it, TCR.AS selects 16 bits (AS=1) or 8 bits (AS=0, as on
//    reset: TTBRn[55:48] only, and TLBI ASID arguments are truncated the same way).
//  * EL0 may execute any page with UXN=0 (AP[1] does not gate instruction fetch); EL1 may not execute
//    an EL0-writable page (implied PXN); with SCTLR.WXN a writable page is execute-never at that EL.
//  * TLB: direct-mapped, caches successful TTBR0 translations per 4 KB page (a block is cached as the
//    4 KB pieces that were used, and TLBI by VA removes all pieces of a block containing the VA). Faults
//    are never cached. Register writes never flush it (software must TLBI, as on hardware). TTBR1
//    translations (translateHigh) are not cached.
//
// Performance: translate() on a TLB hit is two typed-array probes, no allocation, no exceptions.
// VAs and PAs are plain numbers (VA < 2^48, PA < 2^53); `x >>> 12` and `x & 0xfff` are exact for them
// because ToInt32/ToUint32 reduce an integer modulo 2^32.

import { FSC } from './esr';

export const enum Access {
  Read = 0,
  Write = 1,
  Exec = 2,
}

export interface MmuFault {
  /** DFSC/IFSC (hw/esr.ts FSC, level included). */
  fsc: number;
  level: number;
  va: number;
  access: Access;
  el: 0 | 1;
}

/** The part of hw/ram.ts `Ram` the MMU needs (a Ram satisfies it). Physical address pa is byte pa - base. */
export interface RamView {
  readonly base: number;
  readonly size: number;
  readonly u8: Uint8Array;
  readonly dv: DataView;
}

export interface MmuRegs {
  sctlr: bigint;
  tcr: bigint;
  ttbr0: bigint;
  ttbr1: bigint;
  mair: bigint;
}

/** Permission mask bit for (access, el) is 1 << (access + 3 * el). */
export const PERM = { R0: 1, W0: 2, X0: 4, R1: 8, W1: 16, X1: 32 } as const;

/** One lookup level of a diagnostic walk. All fields are JSON-serialisable. */
export interface WalkStep {
  level: number;
  tablePa: number;
  index: number;
  descPa: number;
  /** the 64-bit descriptor as 0x-prefixed hex, '' when it could not be read (outside RAM) */
  desc: string;
  kind: 'invalid' | 'table' | 'block' | 'page' | 'reserved' | 'unreadable';
  /** next-level table (table) or output address (block/page) */
  addr: number;
  /** decoded attribute fields present in this descriptor */
  fields: Record<string, number>;
}

export interface WalkInfo {
  va: number;
  mmuOn: boolean;
  asid: number;
  startLevel: number;
  steps: WalkStep[];
  /** physical address, or -1 with `fault` set */
  pa: number;
  fault: MmuFault | null;
  /** effective permissions of the leaf, e.g. "EL1 RW- EL0 R-X", '' without a leaf */
  perms: string;
  /** MAIR attribute byte selected by the leaf's AttrIndx, -1 without a leaf */
  mairAttr: number;
}

export interface MmuStats {
  hits: number;
  misses: number;
  walks: number;
}

const TWO32 = 4294967296;
/** Physical address size in bits for TCR_EL1.IPS 0..7 (52 and the reserved 7 act as 48: FEAT_LPA is not implemented). */
const IPS_BITS = [32, 36, 40, 42, 44, 48, 48, 48];
/** Bytes mapped by one entry at level 0..3. */
const LEVEL_SIZE = [2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12];
/** Output-address bits held in descriptor word 0 for a leaf at level 1..3 (bits [31:12] of [47:n]). */
const OA_LO_MASK = [0, 0xc0000000, 0xffe00000, 0xfffff000];
const GLOBAL = -1;
const INVALID_TAG = -1;
/** TLB perm word: bits 0..5 permission mask, 8..9 leaf level, bit 10 page lies in RAM. */
const E_LEVEL_SHIFT = 8;
const E_RAM = 1 << 10;

/** Initial lookup level for a 4 KB granule and the given TnSZ (already clamped to 16..39). */
export function startLevelFor(tsz: number): number {
  return 4 - Math.ceil((64 - tsz - 12) / 9);
}

const clampTsz = (t: number): number => (t < 16 ? 16 : t > 39 ? 39 : t);

/** Base of the initial lookup table from TTBRn: BADDR[47:1], aligned to the table size (min 64 bytes). */
function tableBase(ttbr: bigint, tsz: number): number {
  const align = tableAlign(tsz);
  const b = Number(ttbr & 0xfffffffffffen);
  return b - (b % align);
}
function tableAlign(tsz: number): number {
  const start = startLevelFor(tsz);
  const indexBits = 64 - tsz - (12 + 9 * (3 - start));
  return Math.max(8 * 2 ** indexBits, 64);
}

function permString(p: number): string {
  const f = (r: number, w: number, x: number): string =>
    (p & r ? 'R' : '-') + (p & w ? 'W' : '-') + (p & x ? 'X' : '-');
  return `EL1 ${f(PERM.R1, PERM.W1, PERM.X1)} EL0 ${f(PERM.R0, PERM.W0, PERM.X0)}`;
}

export interface MmuTlbSnapshot { tag: Float64Array; asid: Int32Array; pa: Float64Array; perm: Int32Array; blk: Float64Array; blockFills: number }

export class Mmu {
  fault: MmuFault = { fsc: 0, level: 0, va: 0, access: Access.Read, el: 0 };
  stats: MmuStats = { hits: 0, misses: 0, walks: 0 };

  // Decoded registers (setRegs).
  /** SCTLR_EL1.M */
  on = false;
  private wxn = false;
  /** current ASID (already truncated to 8 bits when TCR.AS = 0) */
  asid = 0;
  private asidMask = 0xff;
  private salt = 0;
  private t0Ok = false; // TG0 = 4 KB and EPD0 = 0
  private t1Ok = false;
  private t0sz = 16;
  private t1sz = 16;
  private start0 = 0;
  private start1 = 0;
  private vaLimit0 = 2 ** 48;
  private base0 = 0;
  private base1 = 0;
  private align0 = 64; // alignment of the TTBR0 table base for t0sz
  private a1 = false; // TCR.A1: the ASID comes from TTBR1
  /** 2^(physical address size from TCR.IPS): table and output addresses at or above it fault */
  private oaLimit = 2 ** 48;
  private mair = 0n;
  /**
   * Counts changes of the translation regime and TLB maintenance (setRegs, setTtbr0, tlbi): a cache
   * of translations outside the MMU (the EL0 engine's) is valid only while this stays the same.
   */
  gen = 0;
  /**
   * Counts TLB maintenance and regime changes only (tlbi, setRegs), not TTBR0 switches: a translation
   * checked under the same ASID stays valid, as a TLB entry would, until this changes.
   */
  maint = 0;

  // RAM
  private readonly dv: DataView;
  private readonly ramBase: number;
  private readonly ramSize: number;

  // TLB: entry i caches the 4 KB page tTag[i] (page-aligned VA, INVALID_TAG when empty).
  private readonly mask: number;
  private readonly ishift: number;
  private readonly ishift2: number;
  private readonly tTag: Float64Array;
  private readonly tAsid: Int32Array; // ASID, or GLOBAL for nG = 0
  private readonly tPa: Float64Array; // page-aligned PA
  private readonly tPerm: Int32Array; // see E_*
  private readonly tBlk: Float64Array; // VA of the start of the leaf's region (page or block)
  /** block-derived fills since the last VMALLE1; when 0, TLBI by VA needs no scan */
  private blockFills = 0;

  // Scratch results of the last walkCore (no allocation on the miss path); wPerm -1: no leaf reached.
  private wPerm = -1;
  private wLevel = 0;
  private wNg = 0;
  private wAttr = 0;

  /** @param tlbEntries power of two */
  constructor(ram: RamView, tlbEntries = 2048) {
    if (tlbEntries & (tlbEntries - 1)) throw new Error('Mmu: tlbEntries must be a power of two');
    this.dv = ram.dv;
    this.ramBase = ram.base;
    this.ramSize = ram.size;
    this.mask = tlbEntries - 1;
    this.ishift = Math.min(Math.max(1, Math.log2(tlbEntries)), 31);
    this.ishift2 = Math.min(2 * this.ishift, 31);
    this.tTag = new Float64Array(tlbEntries).fill(INVALID_TAG);
    this.tAsid = new Int32Array(tlbEntries);
    this.tPa = new Float64Array(tlbEntries);
    this.tPerm = new Int32Array(tlbEntries);
    this.tBlk = new Float64Array(tlbEntries);
  }

  /** Called whenever SCTLR_EL1 / TCR_EL1 / TTBR0_EL1 / TTBR1_EL1 / MAIR_EL1 change. Never flushes the TLB. */
  setRegs(r: MmuRegs): void {
    this.gen++;
    this.maint++;
    const lo = Number(r.tcr & 0xffffffffn);
    const hi = Number((r.tcr >> 32n) & 0xffffffffn);
    this.on = (r.sctlr & 1n) !== 0n;
    this.wxn = ((r.sctlr >> 19n) & 1n) !== 0n;
    this.t0sz = clampTsz(lo & 63);
    this.t1sz = clampTsz((lo >>> 16) & 63);
    this.t0Ok = ((lo >>> 14) & 3) === 0b00 && ((lo >>> 7) & 1) === 0;
    this.t1Ok = ((lo >>> 30) & 3) === 0b10 && ((lo >>> 23) & 1) === 0;
    this.start0 = startLevelFor(this.t0sz);
    this.start1 = startLevelFor(this.t1sz);
    this.vaLimit0 = 2 ** (64 - this.t0sz);
    this.base0 = tableBase(r.ttbr0, this.t0sz);
    this.align0 = tableAlign(this.t0sz);
    this.base1 = tableBase(r.ttbr1, this.t1sz);
    this.asidMask = (hi >>> 4) & 1 ? 0xffff : 0xff; // TCR.AS, bit 36
    this.a1 = ((lo >>> 22) & 1) === 1;
    const asidReg = this.a1 ? r.ttbr1 : r.ttbr0; // TCR.A1
    this.asid = Number(asidReg >> 48n) & this.asidMask;
    this.salt = this.saltOf(this.asid);
    this.mair = r.mair;
    this.oaLimit = 2 ** IPS_BITS[hi & 7]; // TCR.IPS, bits [34:32]
  }

  /** setRegs() when only TTBR0_EL1 changed (the kernel's address-space switch). */
  setTtbr0(ttbr0: bigint): void {
    this.setTtbr0Words(Number(ttbr0 & 0xffffffffn), Number((ttbr0 >> 32n) & 0xffffffffn));
  }

  /** setTtbr0() with the register as (low, high) u32 halves. */
  setTtbr0Words(lo: number, hi: number): void {
    this.gen++;
    // align0 is a power of two in [64, 4096], so masking the low word aligns exactly (BADDR[47:1])
    this.base0 = (hi & 0xffff) * TWO32 + ((lo & -this.align0) >>> 0);
    if (!this.a1) {
      this.asid = (hi >>> 16) & this.asidMask;
      this.salt = this.saltOf(this.asid);
    }
  }

  /**
   * The TLB index bits of a VA: the page number with its upper bits folded onto the index bits, so
   * regions whose bases differ only above the index (a program's image, globals and stack at
   * aligned bases) do not share entries; consecutive pages still get consecutive entries.
   */
  private indexBits(va: number): number {
    const vpn = va >>> 12;
    return vpn ^ (vpn >>> this.ishift) ^ (vpn >>> this.ishift2) ^ Math.imul((va / TWO32) | 0, 0x2c1b3c6d);
  }

  private saltOf(asid: number): number {
    return (Math.imul(asid, 0x9e3779b1) >>> 16) & this.mask;
  }

  /**
   * Translate `va` (an integer in [0, 2^53)) for an access at `el` through TTBR0.
   * Returns the physical address, or -1 with `this.fault` set. The caller splits accesses that cross
   * a 4 KB page.
   */
  translate(va: number, access: Access, el: 0 | 1): number {
    if (!this.on) return va;
    const vpn = this.indexBits(va);
    const vpage = va - (va & 0xfff);
    const tag = this.tTag;
    let i = (vpn ^ this.salt) & this.mask;
    if (tag[i] !== vpage || this.tAsid[i] !== this.asid) {
      i = vpn & this.mask;
      if (tag[i] !== vpage || this.tAsid[i] !== GLOBAL) return this.miss(va, access, el);
    }
    this.stats.hits++;
    const p = this.tPerm[i];
    if ((p & (1 << (access + 3 * el))) === 0) return this.permFault(va, access, el, p);
    return this.tPa[i] + (va & 0xfff);
  }

  /**
   * Interpreter fast path: like translate(), but returns the byte offset of the physical address in
   * RAM (pa - ram.base, usable directly on ram.u8 / ram.dv). Returns -1 on an MMU fault, or -2 when the
   * page is not RAM (then `fault` holds a synchronous external abort, FSC 0x10, level 0).
   */
  translateRam(va: number, access: Access, el: 0 | 1): number {
    if (!this.on) {
      const off = va - this.ramBase;
      if (off >= 0 && off < this.ramSize) return off;
      return this.notRam(va, access, el);
    }
    const vpn = this.indexBits(va);
    const vpage = va - (va & 0xfff);
    const tag = this.tTag;
    let i = (vpn ^ this.salt) & this.mask;
    if (tag[i] !== vpage || this.tAsid[i] !== this.asid) {
      i = vpn & this.mask;
      if (tag[i] !== vpage || this.tAsid[i] !== GLOBAL) {
        const pa = this.miss(va, access, el);
        if (pa < 0) return -1;
        const off = pa - this.ramBase;
        if (off >= 0 && off < this.ramSize) return off;
        return this.notRam(va, access, el);
      }
    }
    this.stats.hits++;
    const p = this.tPerm[i];
    if ((p & (1 << (access + 3 * el))) === 0) return this.permFault(va, access, el, p);
    if ((p & E_RAM) === 0) return this.notRam(va, access, el);
    return this.tPa[i] - this.ramBase + (va & 0xfff);
  }

  /**
   * Translate a full 64-bit VA: TTBR0 range (upper bits 0) as translate(); TTBR1 range (upper bits 1,
   * per T1SZ) walks TTBR1 without the TLB. For tests and completeness; the kernel does not use it.
   * On a fault, fault.va = Number(vaBig) (rounded above 2^53).
   */
  translateHigh(vaBig: bigint, access: Access, el: 0 | 1): number {
    vaBig = BigInt.asUintN(64, vaBig);
    if (!this.on) return Number(vaBig);
    if (vaBig >> 48n === 0n) return this.translate(Number(vaBig), access, el);
    const vaBits = BigInt(64 - this.t1sz);
    const va = Number(vaBig);
    this.stats.misses++;
    if (!this.t1Ok || vaBig >> vaBits !== (1n << (64n - vaBits)) - 1n) {
      return this.setFault(this.fault, FSC.TRANSLATION, 0, va, access, el);
    }
    if (this.base1 >= this.oaLimit) return this.setFault(this.fault, FSC.ADDR_SIZE, 0, va, access, el);
    this.stats.walks++;
    const low = Number(vaBig & ((1n << vaBits) - 1n));
    const pa = this.walkCore(low, this.base1, this.start1, access, el, true, this.fault, null);
    if (pa < 0) this.fault.va = va;
    return pa;
  }

  /**
   * TLB maintenance. op 0 VMALLE1; 1 ASIDE1 (arg[63:48] = ASID); 2 VAE1 (arg[63:48] = ASID,
   * arg[43:0] = VA >> 12; also removes global entries for that VA); 3 VAAE1 (VA in all ASIDs).
   * An unknown op invalidates everything (over-invalidation is always safe).
   */
  tlbi(op: number, arg: bigint): void {
    this.gen++;
    this.maint++;
    const asid = Number(BigInt.asUintN(64, arg) >> 48n) & this.asidMask;
    const va = Number(arg & 0xfffffffffffn) * 4096;
    const tag = this.tTag;
    switch (op) {
      case 1:
        for (let i = 0; i <= this.mask; i++) if (this.tAsid[i] === asid) tag[i] = INVALID_TAG;
        return;
      case 2: {
        const vpn = this.indexBits(va);
        const a = (vpn ^ this.saltOf(asid)) & this.mask;
        if (tag[a] === va && this.tAsid[a] === asid) tag[a] = INVALID_TAG;
        const g = vpn & this.mask;
        if (tag[g] === va && this.tAsid[g] === GLOBAL) tag[g] = INVALID_TAG;
        if (this.blockFills > 0) this.invalidateCovering(va, asid);
        return;
      }
      case 3:
        this.invalidateCovering(va, -2);
        return;
      default:
        tag.fill(INVALID_TAG);
        this.blockFills = 0;
    }
  }

  /**
   * The TLB's entries, for a machine snapshot: saved rather than flushed, because a page-table edit
   * without TLBI keeps using the stale entry (as hardware does) and a restored machine must too.
   * The decoded registers come back from the Cpu (setRegs); statistics are not state.
   */
  snapshotTlb(): MmuTlbSnapshot {
    return { tag: this.tTag.slice(), asid: this.tAsid.slice(), pa: this.tPa.slice(), perm: this.tPerm.slice(), blk: this.tBlk.slice(), blockFills: this.blockFills };
  }

  restoreTlb(s: MmuTlbSnapshot): void {
    const n = this.tTag.length;
    if (!(s.tag instanceof Float64Array) || s.tag.length !== n || !(s.asid instanceof Int32Array) || s.asid.length !== n ||
      !(s.pa instanceof Float64Array) || s.pa.length !== n || !(s.perm instanceof Int32Array) || s.perm.length !== n ||
      !(s.blk instanceof Float64Array) || s.blk.length !== n || !Number.isInteger(s.blockFills))
      throw new Error('Mmu.restoreTlb: bad snapshot');
    this.tTag.set(s.tag); this.tAsid.set(s.asid); this.tPa.set(s.pa); this.tPerm.set(s.perm); this.tBlk.set(s.blk);
    this.blockFills = s.blockFills;
    this.gen++; // caches outside the MMU (the EL0 engine's) are stale
    this.maint++;
  }

  /** Remove every entry whose leaf region contains va, for ASID `asid` and global (asid -2: all ASIDs). */
  private invalidateCovering(va: number, asid: number): void {
    const tag = this.tTag;
    for (let i = 0; i <= this.mask; i++) {
      if (tag[i] === INVALID_TAG) continue;
      const a = this.tAsid[i];
      if (asid !== -2 && a !== asid && a !== GLOBAL) continue;
      const b = this.tBlk[i];
      if (va >= b && va < b + LEVEL_SIZE[(this.tPerm[i] >> E_LEVEL_SHIFT) & 3]) tag[i] = INVALID_TAG;
    }
  }

  /** Diagnostic walk of `va` through TTBR0 for the UI. Never touches the TLB, stats or `fault`.
   *  With `access`/`el` the leaf's permissions are checked too. */
  walk(va: number, access?: Access, el: 0 | 1 = 0): WalkInfo {
    const info: WalkInfo = {
      va,
      mmuOn: this.on,
      asid: this.asid,
      startLevel: this.start0,
      steps: [],
      pa: va,
      fault: null,
      perms: '',
      mairAttr: -1,
    };
    if (!this.on) return info;
    const fault: MmuFault = { fsc: 0, level: 0, va: 0, access: access ?? Access.Read, el };
    let pa: number;
    if (!this.t0Ok || va >= this.vaLimit0) {
      pa = this.setFault(fault, FSC.TRANSLATION, 0, va, fault.access, el);
    } else if (this.base0 >= this.oaLimit) {
      pa = this.setFault(fault, FSC.ADDR_SIZE, 0, va, fault.access, el);
    } else {
      pa = this.walkCore(va, this.base0, this.start0, fault.access, el, access !== undefined, fault, info.steps);
      if (this.wPerm >= 0) {
        info.perms = permString(this.wPerm);
        info.mairAttr = Number((this.mair >> BigInt(8 * this.wAttr)) & 0xffn);
      }
    }
    info.pa = pa;
    if (pa < 0) info.fault = fault;
    return info;
  }

  /**
   * Whether a data access to `va` (through TTBR0) is to Device memory: the MAIR_EL1 attribute of its
   * leaf has a zero upper nibble (Device-nGnRnE/nGnRE/nGRE/GRE). With the MMU off, every data access
   * is Device-nGnRnE. For the slow path only (the core's exception cases): it walks without the TLB.
   */
  isDevice(va: number): boolean {
    if (!this.on) return true;
    const info = this.walk(va);
    return info.mairAttr >= 0 && (info.mairAttr & 0xf0) === 0;
  }

  // --- internals -------------------------------------------------------------------------------

  private miss(va: number, access: Access, el: 0 | 1): number {
    this.stats.misses++;
    if (!this.t0Ok || va >= this.vaLimit0) return this.setFault(this.fault, FSC.TRANSLATION, 0, va, access, el);
    if (this.base0 >= this.oaLimit) return this.setFault(this.fault, FSC.ADDR_SIZE, 0, va, access, el);
    this.stats.walks++;
    const pa = this.walkCore(va, this.base0, this.start0, access, el, true, this.fault, null);
    if (pa < 0) return -1;
    // Fill.
    const vpn = this.indexBits(va);
    const global = this.wNg === 0;
    const i = global ? vpn & this.mask : (vpn ^ this.salt) & this.mask;
    const level = this.wLevel;
    const pagePa = pa - (va & 0xfff);
    const ramOff = pagePa - this.ramBase;
    this.tTag[i] = va - (va & 0xfff);
    this.tAsid[i] = global ? GLOBAL : this.asid;
    this.tPa[i] = pagePa;
    this.tPerm[i] =
      this.wPerm | (level << E_LEVEL_SHIFT) | (ramOff >= 0 && ramOff + 4096 <= this.ramSize ? E_RAM : 0);
    this.tBlk[i] = va - (va % LEVEL_SIZE[level]);
    if (level < 3) this.blockFills++;
    return pa;
  }

  private permFault(va: number, access: Access, el: 0 | 1, p: number): number {
    const level = (p >> E_LEVEL_SHIFT) & 3;
    return this.setFault(this.fault, FSC.PERMISSION + level, level, va, access, el);
  }

  private notRam(va: number, access: Access, el: 0 | 1): number {
    this.setFault(this.fault, FSC.SYNC_EXTERNAL, 0, va, access, el);
    return -2;
  }

  private setFault(f: MmuFault, fsc: number, level: number, va: number, access: Access, el: 0 | 1): number {
    f.fsc = fsc;
    f.level = level;
    f.va = va;
    f.access = access;
    f.el = el;
    return -1;
  }

  /**
   * The translation table walk (Arm ARM D8, "translation process" and "descriptor formats").
   * `va` holds only the bits the regime indexes (already range-checked). Returns the PA or -1 with
   * `fault` set; once a leaf with AF=1 is reached, leaves its permission mask, level, nG and AttrIndx in w*.
   */
  private walkCore(
    va: number,
    table: number,
    start: number,
    access: Access,
    el: 0 | 1,
    checkPerm: boolean,
    fault: MmuFault,
    trace: WalkStep[] | null,
  ): number {
    const dv = this.dv;
    this.wPerm = -1;
    let noEl0 = 0; // APTable[0]: no EL0 access below
    let ro = 0; // APTable[1]: no writes below
    let uxnT = 0;
    let pxnT = 0;
    for (let level = start; ; level++) {
      const index = Math.floor(va / LEVEL_SIZE[level]) % 512;
      const dpa = table + index * 8;
      const off = dpa - this.ramBase;
      if (off < 0 || off + 8 > this.ramSize) {
        if (trace) trace.push({ level, tablePa: table, index, descPa: dpa, desc: '', kind: 'unreadable', addr: 0, fields: {} });
        return this.setFault(fault, FSC.SYNC_EXTERNAL_WALK + level, level, va, access, el);
      }
      const lo = dv.getUint32(off, true);
      const hi = dv.getUint32(off + 4, true);
      const valid = lo & 1;
      const isTable = level < 3 && (lo & 2) !== 0;
      const isLeaf = valid !== 0 && (level === 3 ? (lo & 2) !== 0 : (lo & 2) === 0 && level > 0);
      if (trace) trace.push(describe(level, table, index, dpa, lo, hi));
      if (valid === 0 || (!isTable && !isLeaf)) {
        return this.setFault(fault, FSC.TRANSLATION + level, level, va, access, el);
      }
      if (isTable) {
        noEl0 |= (hi >>> 29) & 1;
        ro |= (hi >>> 30) & 1;
        uxnT |= (hi >>> 28) & 1;
        pxnT |= (hi >>> 27) & 1;
        table = (hi & 0xffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
        if (table >= this.oaLimit) return this.setFault(fault, FSC.ADDR_SIZE + level, level, va, access, el);
        continue;
      }
      // Leaf (block at L1/L2, page at L3): output address size, then access flag, then permissions.
      const out = (hi & 0xffff) * TWO32 + ((lo & OA_LO_MASK[level]) >>> 0);
      if (out >= this.oaLimit) return this.setFault(fault, FSC.ADDR_SIZE + level, level, va, access, el);
      if ((lo & 0x400) === 0) return this.setFault(fault, FSC.ACCESS_FLAG + level, level, va, access, el);
      const el0 = ((lo >>> 6) & 1) === 1 && noEl0 === 0;
      const w = ((lo >>> 7) & 1) === 0 && ro === 0;
      const uxn = ((hi >>> 22) & 1) === 1 || uxnT === 1;
      const pxn = ((hi >>> 21) & 1) === 1 || pxnT === 1;
      const wxn = this.wxn;
      let perm = PERM.R1;
      if (w) perm |= PERM.W1;
      if (!pxn && !(el0 && w) && !(wxn && w)) perm |= PERM.X1;
      if (el0) perm |= w ? PERM.R0 | PERM.W0 : PERM.R0;
      if (!uxn && !(wxn && el0 && w)) perm |= PERM.X0;
      this.wPerm = perm;
      this.wLevel = level;
      this.wNg = (lo >>> 11) & 1;
      this.wAttr = (lo >>> 2) & 7;
      if (checkPerm && (perm & (1 << (access + 3 * el))) === 0) {
        return this.setFault(fault, FSC.PERMISSION + level, level, va, access, el);
      }
      return out + (va % LEVEL_SIZE[level]);
    }
  }
}

function describe(level: number, tablePa: number, index: number, descPa: number, lo: number, hi: number): WalkStep {
  const desc = '0x' + hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
  const step: WalkStep = { level, tablePa, index, descPa, desc, kind: 'invalid', addr: 0, fields: {} };
  if ((lo & 1) === 0) return step;
  if (level < 3 && lo & 2) {
    step.kind = 'table';
    step.addr = (hi & 0xffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
    step.fields = {
      PXNTable: (hi >>> 27) & 1,
      UXNTable: (hi >>> 28) & 1,
      APTable: (hi >>> 29) & 3,
      NSTable: (hi >>> 31) & 1,
    };
    return step;
  }
  if (level === 3 ? (lo & 2) === 0 : level === 0) {
    step.kind = 'reserved';
    return step;
  }
  step.kind = level === 3 ? 'page' : 'block';
  step.addr = (hi & 0xffff) * TWO32 + ((lo & OA_LO_MASK[level]) >>> 0);
  step.fields = {
    AttrIndx: (lo >>> 2) & 7,
    NS: (lo >>> 5) & 1,
    AP: (lo >>> 6) & 3,
    SH: (lo >>> 8) & 3,
    AF: (lo >>> 10) & 1,
    nG: (lo >>> 11) & 1,
    DBM: (hi >>> 19) & 1,
    Contiguous: (hi >>> 20) & 1,
    PXN: (hi >>> 21) & 1,
    UXN: (hi >>> 22) & 1,
    SW: (hi >>> 23) & 15,
  };
  return step;
}

// --- page-table builder for tests and the EL0 harness --------------------------------------------

export interface MapAttrs {
  /** AP[2:1]: 0 EL1 RW / EL0 none, 1 RW / RW, 2 EL1 RO / EL0 none, 3 RO / RO */
  ap: 0 | 1 | 2 | 3;
  uxn?: boolean;
  pxn?: boolean;
  /** access flag, default true */
  af?: boolean;
  /** not-global (ASID-tagged), default false */
  ng?: boolean;
  /** MAIR index, default 0 */
  attrIndx?: number;
  /** map with 1 GiB (L1) / 2 MiB (L2) blocks instead of 4 KB pages; va, pa, size must be 2 MiB aligned */
  block?: boolean;
}

/**
 * Builds 4 KB-granule translation tables in RAM (tables get SH inner-shareable leaves; table
 * descriptors carry no APTable/XNTable limits). `allocPage` returns the PA of a free 4 KB page in RAM;
 * the builder zeroes it. `startLevel` must match the T0SZ the tables are used with (startLevelFor).
 */
export class PageTableBuilder {
  readonly root: number;
  private readonly dv: DataView;
  private readonly u8: Uint8Array;
  private readonly base: number;

  constructor(
    ram: RamView,
    private readonly allocPage: () => number,
    readonly startLevel = 0,
  ) {
    this.dv = ram.dv;
    this.u8 = ram.u8;
    this.base = ram.base;
    this.root = this.newTable();
  }

  map(va: number, pa: number, size: number, attrs: MapAttrs): void {
    const gran = attrs.block ? LEVEL_SIZE[2] : LEVEL_SIZE[3];
    if (va % gran || pa % gran || size % gran || size <= 0) {
      throw new Error(`PageTableBuilder.map: va/pa/size not aligned to ${gran}`);
    }
    while (size > 0) {
      let level = 3;
      if (attrs.block) {
        const g = LEVEL_SIZE[1];
        level = this.startLevel <= 1 && va % g === 0 && pa % g === 0 && size >= g ? 1 : 2;
      }
      const dpa = this.entryPa(va, level, true);
      const lo =
        (level === 3 ? 3 : 1) |
        ((attrs.attrIndx ?? 0) & 7) << 2 |
        attrs.ap << 6 |
        3 << 8 |
        (attrs.af === false ? 0 : 1 << 10) |
        (attrs.ng ? 1 << 11 : 0) |
        (pa & OA_LO_MASK[level]);
      const hi = (Math.floor(pa / TWO32) & 0xffff) | (attrs.pxn ? 1 << 21 : 0) | (attrs.uxn ? 1 << 22 : 0);
      this.write(dpa, lo, hi);
      va += LEVEL_SIZE[level];
      pa += LEVEL_SIZE[level];
      size -= LEVEL_SIZE[level];
    }
  }

  /** Clear the leaf descriptors of [va, va+size) (pages, or whole blocks that start in the range). */
  unmap(va: number, size: number): void {
    const end = va + size;
    while (va < end) {
      let step = LEVEL_SIZE[3];
      for (let level = Math.max(this.startLevel, 1); level <= 3; level++) {
        const dpa = this.entryPa(va, level, false);
        if (dpa < 0) break;
        const lo = this.dv.getUint32(dpa - this.base, true);
        if ((lo & 1) === 0) {
          step = LEVEL_SIZE[level];
          break;
        }
        if (level === 3 || (lo & 2) === 0) {
          this.write(dpa, 0, 0);
          step = LEVEL_SIZE[level];
          break;
        }
      }
      va = va - (va % step) + step;
    }
  }

  /**
   * PA of the descriptor that translates `va` at `level`, following (and with `create`, making)
   * table descriptors above it; -1 when a table on the way is missing or a block is in the way.
   */
  entryPa(va: number, level: number, create = false): number {
    let table = this.root;
    for (let l = this.startLevel; ; l++) {
      const dpa = table + (Math.floor(va / LEVEL_SIZE[l]) % 512) * 8;
      if (l === level) return dpa;
      const off = dpa - this.base;
      const lo = this.dv.getUint32(off, true);
      const hi = this.dv.getUint32(off + 4, true);
      if ((lo & 3) === 3) {
        table = (hi & 0xffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
      } else if (create && (lo & 1) === 0) {
        table = this.newTable();
        this.write(dpa, (table & 0xfffff000) | 3, Math.floor(table / TWO32) & 0xffff);
      } else {
        return -1;
      }
    }
  }

  private newTable(): number {
    const pa = this.allocPage();
    if (pa % 4096) throw new Error('PageTableBuilder: allocPage returned an unaligned page');
    this.u8.fill(0, pa - this.base, pa - this.base + 4096);
    return pa;
  }

  private write(dpa: number, lo: number, hi: number): void {
    const off = dpa - this.base;
    this.dv.setUint32(off, lo >>> 0, true);
    this.dv.setUint32(off + 4, hi >>> 0, true);
  }
}
