// Apple DART ("apple,t8103-dart"): the IOMMU in front of every DMA master of the modelled SoC, as
// Linux's drivers/iommu/apple-dart.c (T8020 register layout) and io-pgtable-dart.c drive it. Facts
// and sources: shared reference apple-dart.md. A device reaches RAM only through a DmaPort bound to
// its stream (SID); the DART translates each IO virtual address (IOVA) through the stream's tables.
//
// Registers (32-bit, offsets from DART_BASE; window 0x4000 as Linux requires):
//   0x000 PARAMS1        RO  [27:24] page shift (see "Page size" below)
//   0x004 PARAMS2        RO  [0] bypass supported = 1
//   0x020 STREAM_COMMAND RW  write bit 20 = INVALIDATE the TLB of the streams in STREAM_SELECT;
//                            read bit 2 = BUSY (the invalidation completes at once: always 0)
//   0x034 STREAM_SELECT  RW  bit n selects SID n
//   0x040 ERROR          W1C [31] FLAG, [27:24] STREAM, [11:0] CODE (one of ERR_*)
//   0x050 ERROR_ADDR_LO  RO  faulting IOVA [31:0]
//   0x054 ERROR_ADDR_HI  RO  faulting IOVA [63:32]
//   0x060 CONFIG         RO  [15] LOCK = 0 (never locked)
//   0x0FC STREAMS_ENABLE RW  bit n = SID n enabled
//   0x100 + 4·sid        TCR[sid]  [7] TRANSLATE_ENABLE, [8] BYPASS_DART, [12] BYPASS_DAPF
//   0x200 + 16·sid + 4·i TTBR[sid][i], i 0..3: [31] VALID, [30:0] L1 table PA >> 12
// Unknown offsets read 0 and ignore writes.
//
// Translation of one access (sid, iova, write), per io-pgtable-dart with page shift P (bits per
// level B = P - 3):
//   * stream not in STREAMS_ENABLE, TCR = 0 (Linux's "blocked"), or TCR with both TRANSLATE and
//     BYPASS (m1n1: "INVALID"): blocked, reported as ERR_NO_TTBR (the hardware's behaviour is not
//     documented; a fault the kernel can see is the safe choice).
//   * TCR = BYPASS (no TRANSLATE): PA = IOVA (Linux's identity domain).
//   * TCR TRANSLATE: TTBR[iova >> (P + 2B)] must be VALID (else ERR_NO_TTBR); the L1 entry at
//     (iova >> (P + B)) mod 2^B must have bit 0 (else ERR_NO_PMD); the L2 (leaf) entry at
//     (iova >> P) mod 2^B must have bit 0 (else ERR_NO_PTE); a write to a leaf with NO_WRITE (bit 7)
//     is ERR_WRITE_FAULT, a read of a leaf with NO_READ (bit 8) ERR_READ_FAULT. Addresses in entries
//     are bits [35:P] (APPLE_DART1_PADDR_MASK, page aligned). A table outside RAM faults as its
//     entry missing (NO_PMD / NO_PTE). Subpage protection (bits 1, 40–63) is not checked: Linux
//     always writes full-page bounds.
//   * A successful leaf is cached in the TLB per (sid, IO page); a table edit is seen only after
//     STREAM_COMMAND INVALIDATE for that stream, as on hardware (the driver must flush).
// A fault latches ERROR = FLAG | sid << 24 | code and ERROR_ADDR = the IOVA (the first fault only,
// until software clears FLAG), and the interrupt line (level) follows FLAG. A DMA transfer is
// translated page by page before any byte moves: a fault anywhere moves nothing.
//
// Page size: the t8103 DARTs use 16 KiB pages (PARAMS1 = 14 << 24). This model defaults to 4 KiB
// pages (PARAMS1 = 12 << 24, the other geometry io-pgtable-dart supports: L1 [29:21], L2 [20:12],
// TTBR index [31:30]) because MyLittleKernel hands out 4 KiB frames: a 16 KiB IO page would expose
// the three neighbouring frames of every frame a driver maps. The walk is written for any page
// shift, and 16 KiB is tested. Departure recorded in docs/ARCHITECTURE.md.

import type { Aic } from './aic';
import type { MmioDevice } from './bus';
import type { Ram } from './ram';
import { DART_BASE, DART_IRQ, DART_SIZE } from './memmap';

export const DART_PARAMS1 = 0x000;
export const DART_PARAMS2 = 0x004;
export const DART_STREAM_COMMAND = 0x020;
export const DART_STREAM_SELECT = 0x034;
export const DART_ERROR = 0x040;
export const DART_ERROR_ADDR_LO = 0x050;
export const DART_ERROR_ADDR_HI = 0x054;
export const DART_CONFIG = 0x060;
export const DART_STREAMS_ENABLE = 0x0fc;
export const DART_TCR = (sid: number): number => 0x100 + 4 * sid;
export const DART_TTBR = (sid: number, idx: number): number => 0x200 + 16 * sid + 4 * idx;

export const DART_STREAM_COMMAND_INVALIDATE = 1 << 20;
export const DART_STREAM_COMMAND_BUSY = 1 << 2;
export const DART_TCR_TRANSLATE_ENABLE = 1 << 7;
export const DART_TCR_BYPASS_DART = 1 << 8;
export const DART_TCR_BYPASS_DAPF = 1 << 12;
export const DART_TTBR_VALID = 0x8000_0000;
export const DART_ERROR_FLAG = 0x8000_0000;

/** ERROR CODE values (Linux apple_dart_t8020_irq decodes exactly these single bits). */
export const ERR_NO_TTBR = 1 << 0;
export const ERR_NO_PMD = 1 << 1;
export const ERR_NO_PTE = 1 << 2;
export const ERR_WRITE_FAULT = 1 << 3;
export const ERR_READ_FAULT = 1 << 4;

/** Page-table entry bits (io-pgtable-dart). */
export const DART_PTE_VALID = 1;
export const DART_PTE_SP_DIS = 1 << 1;
export const DART_PTE_NO_WRITE = 1 << 7;
export const DART_PTE_NO_READ = 1 << 8;

export const DART_NUM_STREAMS = 16;
const TTBRS_PER_STREAM = 4;
const TWO32 = 0x1_0000_0000;
/** APPLE_DART1_PADDR_MASK = GENMASK(35, 12): addresses held in entries are below 2^36. */
const PADDR_LIMIT = 2 ** 36;
const TLB_MAX = 4096;

/** What a DMA master sees: its stream of one DART. */
export interface DmaPort {
  /** Copy len bytes from IOVA; null (nothing read) when any page faults. */
  read(iova: number, len: number): Uint8Array | null;
  /** Copy data to IOVA; false (nothing written) when any page faults. */
  write(iova: number, data: Uint8Array): boolean;
}

export interface DartFault {
  sid: number;
  iova: number;
  code: number;
}

interface DartSnapshot {
  tcr: number[];
  ttbr: number[];
  streamsEnable: number;
  streamSelect: number;
  error: number;
  errorAddr: number;
}

export class Dart implements MmioDevice {
  readonly name = 'dart';
  readonly size = DART_SIZE;
  /** log2 of the IO page size (PARAMS1[27:24]). */
  readonly pageShift: number;

  private readonly tcr = new Uint32Array(DART_NUM_STREAMS);
  private readonly ttbr = new Uint32Array(DART_NUM_STREAMS * TTBRS_PER_STREAM);
  private streamsEnable = 0;
  private streamSelect = 0;
  private error = 0;
  private errorAddr = 0;
  private irqLevel = false;
  /** Cached leaves: key sid · 2^40 + IO page number → leaf entry (PA | flags, below 2^53). */
  private readonly tlb = new Map<number, number>();
  /** Faults seen (also the ones not latched because FLAG was set), for the host's views. */
  faults = 0;
  /** The last fault, latched or not. */
  lastFault: DartFault | null = null;

  constructor(
    private readonly ram: Ram,
    private readonly aic: Aic,
    pageShift = 12,
    readonly base = DART_BASE,
    readonly irq = DART_IRQ,
  ) {
    if (pageShift !== 12 && pageShift !== 14) throw new Error(`Dart: unsupported page shift ${pageShift}`);
    this.pageShift = pageShift;
    this.aic.setLine(this.irq, false);
  }

  /** The DMA port of stream `sid`, for a device model. */
  port(sid: number): DmaPort {
    if (!Number.isInteger(sid) || sid < 0 || sid >= DART_NUM_STREAMS) throw new RangeError(`Dart.port: bad stream ${sid}`);
    return {
      read: (iova, len) => this.dmaRead(sid, iova, len),
      write: (iova, data) => this.dmaWrite(sid, iova, data),
    };
  }

  // ---- registers ---------------------------------------------------------------------------

  read32(offset: number): number {
    if (offset >= 0x100 && offset < 0x100 + 4 * DART_NUM_STREAMS) return this.tcr[(offset - 0x100) >> 2];
    if (offset >= 0x200 && offset < 0x200 + 16 * DART_NUM_STREAMS) return this.ttbr[(offset - 0x200) >> 2];
    switch (offset) {
      case DART_PARAMS1:
        return (this.pageShift << 24) >>> 0;
      case DART_PARAMS2:
        return 1;
      case DART_STREAM_COMMAND:
        return 0; // BUSY clear: the invalidation is done by the time software reads
      case DART_STREAM_SELECT:
        return this.streamSelect;
      case DART_ERROR:
        return this.error;
      case DART_ERROR_ADDR_LO:
        return this.errorAddr % TWO32 >>> 0;
      case DART_ERROR_ADDR_HI:
        return Math.floor(this.errorAddr / TWO32) >>> 0;
      case DART_STREAMS_ENABLE:
        return this.streamsEnable;
    }
    return 0;
  }

  write32(offset: number, value: number): void {
    const v = value >>> 0;
    if (offset >= 0x100 && offset < 0x100 + 4 * DART_NUM_STREAMS) {
      this.tcr[(offset - 0x100) >> 2] = v & (DART_TCR_TRANSLATE_ENABLE | DART_TCR_BYPASS_DART | DART_TCR_BYPASS_DAPF);
      return;
    }
    if (offset >= 0x200 && offset < 0x200 + 16 * DART_NUM_STREAMS) {
      this.ttbr[(offset - 0x200) >> 2] = v;
      return;
    }
    switch (offset) {
      case DART_STREAM_COMMAND:
        if (v & DART_STREAM_COMMAND_INVALIDATE) this.invalidate(this.streamSelect);
        return;
      case DART_STREAM_SELECT:
        this.streamSelect = v;
        return;
      case DART_ERROR:
        this.error = (this.error & ~v) >>> 0; // write-1-to-clear; clearing FLAG drops the line
        if ((this.error & DART_ERROR_FLAG) === 0) this.error = 0;
        this.updateIrq();
        return;
      case DART_STREAMS_ENABLE:
        this.streamsEnable = v;
        return;
    }
  }

  private invalidate(sids: number): void {
    for (const key of this.tlb.keys()) {
      const sid = Math.floor(key / 2 ** 40);
      if ((sids >>> sid) & 1) this.tlb.delete(key);
    }
  }

  // ---- translation -------------------------------------------------------------------------

  /**
   * Translate one access; returns the PA, or -1 after recording the fault (ERROR registers, IRQ).
   * `iova` is an integer in [0, 2^53).
   */
  translate(sid: number, iova: number, write: boolean): number {
    const code = this.walk(sid, iova, write);
    if (code < 0) return this.scratchPa;
    this.recordFault(sid, iova, code);
    return -1;
  }

  /** PA of the last successful walk (walk() returns -1 then). */
  private scratchPa = 0;

  /** Walk without side effects on ERROR: -1 with scratchPa set, or an ERR_* code. */
  private walk(sid: number, iova: number, write: boolean): number {
    const tcr = this.tcr[sid];
    const enabled = (this.streamsEnable >>> sid) & 1;
    if (!enabled) return ERR_NO_TTBR;
    if (tcr & DART_TCR_TRANSLATE_ENABLE) {
      if (tcr & DART_TCR_BYPASS_DART) return ERR_NO_TTBR; // invalid combination: blocked
    } else if (tcr & DART_TCR_BYPASS_DART) {
      this.scratchPa = iova;
      return -1;
    } else {
      return ERR_NO_TTBR; // blocked
    }
    const p = this.pageShift;
    const bits = p - 3;
    const pageSize = 2 ** p;
    const idx = Math.floor(iova / 2 ** (p + 2 * bits));
    if (idx >= TTBRS_PER_STREAM) return ERR_NO_TTBR; // beyond the input address size
    const page = Math.floor(iova / pageSize);
    const key = sid * 2 ** 40 + page;
    let leaf = this.tlb.get(key);
    if (leaf === undefined) {
      const ttbr = this.ttbr[sid * TTBRS_PER_STREAM + idx];
      if ((ttbr & DART_TTBR_VALID) === 0) return ERR_NO_TTBR;
      const l1 = (ttbr & 0x7fff_ffff) * 4096;
      const l1e = this.entry(l1 + 8 * (Math.floor(iova / 2 ** (p + bits)) % 2 ** bits));
      if (l1e < 0 || l1e % 2 === 0) return ERR_NO_PMD;
      const l2 = this.entryAddr(l1e);
      const l2e = this.entry(l2 + 8 * (page % 2 ** bits));
      if (l2e < 0 || l2e % 2 === 0) return ERR_NO_PTE;
      leaf = l2e;
      if (this.tlb.size >= TLB_MAX) this.tlb.clear();
      this.tlb.set(key, leaf);
    }
    const flags = leaf % 4096;
    if (write && flags & DART_PTE_NO_WRITE) return ERR_WRITE_FAULT;
    if (!write && flags & DART_PTE_NO_READ) return ERR_READ_FAULT;
    this.scratchPa = this.entryAddr(leaf) + (iova % pageSize);
    return -1;
  }

  /** Bits [35:P] of an entry (the entry as a number below 2^53: its bits 53..63 are dropped). */
  private entryAddr(e: number): number {
    const a = e % PADDR_LIMIT;
    return a - (a % 2 ** this.pageShift);
  }

  /** The 64-bit entry at pa with bits 36..63 dropped (they hold only subpage bounds), or -1 outside RAM. */
  private entry(pa: number): number {
    const off = pa - this.ram.base;
    if (off < 0 || off + 8 > this.ram.size) return -1;
    const lo = this.ram.dv.getUint32(off, true);
    const hi = this.ram.dv.getUint32(off + 4, true) & 0xf;
    return hi * TWO32 + lo;
  }

  private recordFault(sid: number, iova: number, code: number): void {
    this.faults++;
    this.lastFault = { sid, iova, code };
    if (this.error & DART_ERROR_FLAG) return; // the first fault stays latched until cleared
    this.error = (DART_ERROR_FLAG | (sid << 24) | code) >>> 0;
    this.errorAddr = iova;
    this.updateIrq();
  }

  /** Translate every page of [iova, iova+len) into (ram offset, length) pieces; null after a fault. */
  private pieces(sid: number, iova: number, len: number, write: boolean): number[] | null {
    const out: number[] = [];
    const pageSize = 2 ** this.pageShift;
    let a = iova;
    const end = iova + len;
    while (a < end) {
      const n = Math.min(end - a, pageSize - (a % pageSize));
      const pa = this.translate(sid, a, write);
      if (pa < 0) return null;
      if (!this.ram.contains(pa, n)) return null; // beyond RAM: a bus error, not a DART fault
      out.push(pa - this.ram.base, n);
      a += n;
    }
    return out;
  }

  private dmaRead(sid: number, iova: number, len: number): Uint8Array | null {
    const p = this.pieces(sid, iova, len, false);
    if (!p) return null;
    const data = new Uint8Array(len);
    let at = 0;
    for (let i = 0; i < p.length; i += 2) {
      data.set(this.ram.u8.subarray(p[i], p[i] + p[i + 1]), at);
      at += p[i + 1];
    }
    return data;
  }

  private dmaWrite(sid: number, iova: number, data: Uint8Array): boolean {
    const p = this.pieces(sid, iova, data.length, true);
    if (!p) return false;
    let at = 0;
    for (let i = 0; i < p.length; i += 2) {
      this.ram.u8.set(data.subarray(at, at + p[i + 1]), p[i]);
      at += p[i + 1];
    }
    return true;
  }

  private updateIrq(force = false): void {
    const level = (this.error & DART_ERROR_FLAG) !== 0;
    if (force || level !== this.irqLevel) {
      this.irqLevel = level;
      this.aic.setLine(this.irq, level);
    }
  }

  // ---- host views --------------------------------------------------------------------------

  state(): { streamsEnable: number; tcr: number[]; ttbr0: number[]; error: number; errorAddr: number; irq: boolean; tlbEntries: number; faults: number } {
    return {
      streamsEnable: this.streamsEnable,
      tcr: [...this.tcr],
      ttbr0: Array.from({ length: DART_NUM_STREAMS }, (_, s) => this.ttbr[s * TTBRS_PER_STREAM]),
      error: this.error,
      errorAddr: this.errorAddr,
      irq: this.irqLevel,
      tlbEntries: this.tlb.size,
      faults: this.faults,
    };
  }

  /** Register state; the TLB is not saved: a restored DART starts as after an INVALIDATE of every stream. */
  snapshot(): DartSnapshot {
    return {
      tcr: [...this.tcr],
      ttbr: [...this.ttbr],
      streamsEnable: this.streamsEnable,
      streamSelect: this.streamSelect,
      error: this.error,
      errorAddr: this.errorAddr,
    };
  }

  restore(s: unknown): void {
    const v = s as DartSnapshot;
    if (!Array.isArray(v?.tcr) || !Array.isArray(v.ttbr) || v.tcr.length !== DART_NUM_STREAMS) throw new Error('Dart.restore: bad snapshot');
    this.tcr.set(v.tcr);
    this.ttbr.set(v.ttbr);
    this.streamsEnable = v.streamsEnable >>> 0;
    this.streamSelect = v.streamSelect >>> 0;
    this.error = v.error >>> 0;
    this.errorAddr = v.errorAddr;
    this.tlb.clear();
    this.updateIrq(true);
  }
}
