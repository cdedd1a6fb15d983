// "mlk,trace-ring": MyLittleKernel's trace device (DESIGN D10). It is not Apple hardware; it is
// modelled like a simple SoC peripheral (32-bit registers, reg-io-width 4) at TRACE_BASE.
// The kernel latches up to six argument words, then writes KIND: that store commits one record
// {seq, ticks, kind, args[6]} into a ring of `capacity` records that the host (UI, CLI, tests)
// reads. Record kinds are defined and documented by the kernel; the device does not interpret them.
//
// Registers (offsets from TRACE_BASE):
//   0x00 MAGIC    RO  0x4d4c4b54 ("MLKT")
//   0x04 ENABLE   RW  bit 0: commit records (reset 1, so boot is traced; write 0 to stop)
//   0x08 DROPPED  RO  records overwritten before the host read them (saturates at 2^32−1)
//   0x0C KIND     WO  commit a record with this kind and the current ARG0..ARG5 (reads 0);
//                     ignored while ENABLE = 0
//   0x10..0x24 ARG0..ARG5  RW  latched argument words; a commit does not clear them
//   0x28 CAPACITY RO  ring size in records
//
// Records get consecutive sequence numbers from 1. `ticks` is the system counter at the commit.
// "Read by the host" = delivered through onRecord or returned by records(); when the ring is full
// the oldest record is overwritten, and if the host had not read it DROPPED counts it.

import type { Clock } from './clock';
import type { MmioDevice } from './bus';
import { TRACE_BASE, TRACE_SIZE } from './memmap';

export const TRACE_MAGIC = 0x00;
export const TRACE_ENABLE = 0x04;
export const TRACE_DROPPED = 0x08;
export const TRACE_KIND = 0x0c;
export const TRACE_ARG0 = 0x10; // ARGi at 0x10 + 4·i
export const TRACE_CAPACITY = 0x28;
export const TRACE_NARGS = 6;
export const TRACE_MAGIC_VALUE = 0x4d4c4b54; // "MLKT"
export const TRACE_DEFAULT_CAPACITY = 65536;

export interface TraceRecord {
  seq: number;
  ticks: number;
  kind: number;
  args: number[];
}

/** The registers and bookkeeping of the ring (snapshotRing). */
export interface TraceRegs { enable: number; dropped: number; args: number[]; nextSeq: number; readSeq: number; count: number }

interface TraceSnapshot {
  enable: number;
  dropped: number;
  args: number[];
  nextSeq: number;
  readSeq: number;
  records: TraceRecord[];
}

export class TraceRing implements MmioDevice {
  readonly name = 'trace';
  readonly size = TRACE_SIZE;
  readonly capacity: number;

  /** Called synchronously for each committed record (the record then counts as read). */
  onRecord: ((rec: TraceRecord) => void) | null = null;

  /** ENABLE (0x04). */
  private enable = 1;
  /** DROPPED (0x08). */
  private dropped = 0;
  /** ARG0..ARG5 (0x10..0x24). */
  private args = new Uint32Array(TRACE_NARGS);
  // The ring: record i (seq s) lives in slot (s − 1) % capacity.
  private seqs: Float64Array;
  private ticks: Float64Array;
  private kinds: Uint32Array;
  private argv: Uint32Array;
  /** Sequence number of the next record. */
  private nextSeq = 1;
  /** Records in the ring (≤ capacity). */
  private count = 0;
  /** Highest sequence number the host has read. */
  private readSeq = 0;

  constructor(
    private readonly clock: Clock,
    readonly base = TRACE_BASE,
    capacity = TRACE_DEFAULT_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`TraceRing: bad capacity ${capacity}`);
    this.capacity = capacity;
    this.seqs = new Float64Array(capacity);
    this.ticks = new Float64Array(capacity);
    this.kinds = new Uint32Array(capacity);
    this.argv = new Uint32Array(capacity * TRACE_NARGS);
  }

  read32(offset: number): number {
    switch (offset) {
      case TRACE_MAGIC:
        return TRACE_MAGIC_VALUE;
      case TRACE_ENABLE:
        return this.enable;
      case TRACE_DROPPED:
        return this.dropped;
      case TRACE_CAPACITY:
        return this.capacity >>> 0;
    }
    if (offset >= TRACE_ARG0 && offset < TRACE_ARG0 + 4 * TRACE_NARGS) return this.args[(offset - TRACE_ARG0) >> 2];
    return 0;
  }

  write32(offset: number, value: number): void {
    if (offset === TRACE_ENABLE) this.enable = value & 1;
    else if (offset === TRACE_KIND) this.commit(value >>> 0);
    else if (offset >= TRACE_ARG0 && offset < TRACE_ARG0 + 4 * TRACE_NARGS) this.args[(offset - TRACE_ARG0) >> 2] = value;
  }

  private commit(kind: number): void {
    if (!this.enable) return;
    const seq = this.nextSeq++;
    const slot = (seq - 1) % this.capacity;
    if (this.count === this.capacity) {
      // Overwriting the oldest record (seq − capacity).
      if (this.seqs[slot] > this.readSeq && this.dropped < 0xffffffff) this.dropped++;
    } else {
      this.count++;
    }
    this.seqs[slot] = seq;
    this.ticks[slot] = this.clock.ticks;
    this.kinds[slot] = kind;
    this.argv.set(this.args, slot * TRACE_NARGS);
    if (this.onRecord) {
      this.readSeq = seq;
      this.onRecord(this.record(slot));
    }
  }

  private record(slot: number): TraceRecord {
    const a = slot * TRACE_NARGS;
    return {
      seq: this.seqs[slot],
      ticks: this.ticks[slot],
      kind: this.kinds[slot],
      args: Array.from(this.argv.subarray(a, a + TRACE_NARGS)),
    };
  }

  /** Records still in the ring with seq > sinceSeq (all when omitted), oldest first. */
  records(sinceSeq = 0): TraceRecord[] {
    const out: TraceRecord[] = [];
    const first = Math.max(this.nextSeq - this.count, sinceSeq + 1);
    for (let s = first; s < this.nextSeq; s++) out.push(this.record((s - 1) % this.capacity));
    if (out.length > 0) this.readSeq = Math.max(this.readSeq, out[out.length - 1].seq);
    return out;
  }

  /** Sequence number the next record will get. */
  get nextSequence(): number {
    return this.nextSeq;
  }

  /** Forget all records and reset DROPPED (sequence numbers keep counting). */
  clear(): void {
    this.count = 0;
    this.dropped = 0;
    this.readSeq = this.nextSeq - 1;
  }

  state(): { enable: boolean; dropped: number; count: number; capacity: number; nextSeq: number } {
    return { enable: this.enable === 1, dropped: this.dropped, count: this.count, capacity: this.capacity, nextSeq: this.nextSeq };
  }

  snapshot(): TraceSnapshot {
    const records: TraceRecord[] = [];
    for (let s = this.nextSeq - this.count; s < this.nextSeq; s++) records.push(this.record((s - 1) % this.capacity));
    return {
      enable: this.enable,
      dropped: this.dropped,
      args: Array.from(this.args),
      nextSeq: this.nextSeq,
      readSeq: this.readSeq,
      records,
    };
  }

  /**
   * snapshot() for whole-machine snapshots: the registers, and the ring as one byte array (the slot
   * arrays seqs, ticks, kinds, args back to back) instead of record objects: a full ring is 65,536
   * records, which as objects cost a periodic checkpoint far more than the copy does.
   */
  snapshotRing(): { regs: TraceRegs; ring: Uint8Array } {
    const parts = [this.seqs, this.ticks, this.kinds, this.argv];
    const ring = new Uint8Array(parts.reduce((n, a) => n + a.byteLength, 0));
    let p = 0;
    for (const a of parts) { ring.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p); p += a.byteLength; }
    return { regs: { enable: this.enable, dropped: this.dropped, args: Array.from(this.args), nextSeq: this.nextSeq, readSeq: this.readSeq, count: this.count }, ring };
  }

  restoreRing(regs: unknown, ring: Uint8Array): void {
    const v = regs as TraceRegs;
    const bytes = this.capacity * (8 + 8 + 4 + 4 * TRACE_NARGS);
    if (!(ring instanceof Uint8Array) || ring.length !== bytes || !Array.isArray(v?.args) || v.args.length !== TRACE_NARGS ||
      !Number.isInteger(v.nextSeq) || v.nextSeq < 1 || !Number.isInteger(v.count) || v.count < 0 || v.count > this.capacity || v.count > v.nextSeq - 1 ||
      !Number.isInteger(v.readSeq) || !Number.isInteger(v.dropped))
      throw new Error('TraceRing.restoreRing: bad snapshot');
    const own = new Uint8Array(ring); // aligned copy
    let p = 0;
    this.seqs.set(new Float64Array(own.buffer, p, this.capacity)); p += 8 * this.capacity;
    this.ticks.set(new Float64Array(own.buffer, p, this.capacity)); p += 8 * this.capacity;
    this.kinds.set(new Uint32Array(own.buffer, p, this.capacity)); p += 4 * this.capacity;
    this.argv.set(new Uint32Array(own.buffer, p, this.capacity * TRACE_NARGS));
    this.enable = v.enable & 1;
    this.dropped = v.dropped >>> 0;
    this.args.set(v.args);
    this.nextSeq = v.nextSeq;
    this.readSeq = v.readSeq;
    this.count = v.count;
  }

  restore(s: unknown): void {
    const v = s as TraceSnapshot;
    if (!Array.isArray(v?.records) || !Array.isArray(v.args) || v.args.length !== TRACE_NARGS || typeof v.nextSeq !== 'number')
      throw new Error('TraceRing.restore: bad snapshot');
    if (v.records.length > this.capacity) throw new Error('TraceRing.restore: snapshot has more records than capacity');
    this.enable = v.enable & 1;
    this.dropped = v.dropped;
    this.args.set(v.args);
    this.nextSeq = v.nextSeq;
    this.readSeq = v.readSeq;
    this.count = v.records.length;
    for (const r of v.records) {
      const slot = (r.seq - 1) % this.capacity;
      this.seqs[slot] = r.seq;
      this.ticks[slot] = r.ticks;
      this.kinds[slot] = r.kind;
      this.argv.set(r.args, slot * TRACE_NARGS);
    }
  }
}
