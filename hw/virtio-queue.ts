// A split virtqueue, device side (OASIS virtio 1.2 §2.7, split-ring.tex; shared reference
// virtio-mmio.md §4). The three areas live in the driver's memory at the IO virtual addresses it
// programmed; every access goes through the device's DmaPort (its DART stream), so an address the
// driver did not map is a DART fault, reported here as an error string (the transport turns it into
// DEVICE_NEEDS_RESET), never a host access.
//
//   descriptor table (16 × N): addr le64, len le32, flags le16 (NEXT 1, WRITE 2, INDIRECT 4), next le16
//   available ring: flags le16 (NO_INTERRUPT 1), idx le16, ring[N] le16
//   used ring:      flags le16, idx le16, ring[N] { id le32, len le32 }
//
// The device keeps its own position in the available ring (lastAvail) and the used index it wrote
// last (usedIdx); both are free-running u16. A chain is checked as it is walked: head and next
// indices below N, at most N descriptors (no loop), readable descriptors before writable ones, no
// INDIRECT (not offered), total length below 2^32.

import type { DmaPort } from './dart';

export const VIRTQ_DESC_F_NEXT = 1;
export const VIRTQ_DESC_F_WRITE = 2;
export const VIRTQ_DESC_F_INDIRECT = 4;
export const VIRTQ_AVAIL_F_NO_INTERRUPT = 1;

/** One buffer of a chain: an IO virtual address and a length. */
export interface Segment { addr: number; len: number }

/** A descriptor chain popped from the available ring. */
export interface Chain {
  head: number;
  readable: Segment[];
  writable: Segment[];
  readableBytes: number;
  writableBytes: number;
}

const TWO32 = 0x1_0000_0000;

export class SplitQueue {
  num = 0;
  ready = false;
  descAddr = 0;
  availAddr = 0;
  usedAddr = 0;
  /** Next available-ring entry the device will take. */
  lastAvail = 0;
  /** The used index the device last published. */
  usedIdx = 0;
  /** Used entries published since the last interrupt decision. */
  private pendingUsed = 0;
  /** Chains taken and returned, for the host's views. */
  popped = 0;

  constructor(readonly index: number, readonly max: number, private readonly dma: DmaPort) {}

  /** The device side's registers and ring positions (the rings themselves are in RAM). */
  snapshot(): unknown {
    return { num: this.num, ready: this.ready, descAddr: this.descAddr, availAddr: this.availAddr, usedAddr: this.usedAddr, lastAvail: this.lastAvail, usedIdx: this.usedIdx, pendingUsed: this.pendingUsed, popped: this.popped };
  }

  restore(s: unknown): void {
    const v = s as Record<string, unknown>;
    const limits: Record<string, number> = { num: this.max, descAddr: 2 ** 48, availAddr: 2 ** 48, usedAddr: 2 ** 48, lastAvail: 0xffff, usedIdx: 0xffff, pendingUsed: 0xffff, popped: Number.MAX_SAFE_INTEGER };
    if (typeof v !== 'object' || v === null || typeof v.ready !== 'boolean' || !Object.entries(limits).every(([k, max]) => Number.isInteger(v[k]) && (v[k] as number) >= 0 && (v[k] as number) <= max)) {
      throw new Error(`SplitQueue.restore: bad snapshot of queue ${this.index}`);
    }
    this.num = v.num as number; this.ready = v.ready; this.descAddr = v.descAddr as number; this.availAddr = v.availAddr as number;
    this.usedAddr = v.usedAddr as number; this.lastAvail = v.lastAvail as number; this.usedIdx = v.usedIdx as number;
    this.pendingUsed = v.pendingUsed as number; this.popped = v.popped as number;
  }

  reset(): void {
    this.num = 0;
    this.ready = false;
    this.descAddr = this.availAddr = this.usedAddr = 0;
    this.lastAvail = this.usedIdx = this.pendingUsed = 0;
  }

  /** QueueReady = 1: check the size and alignment the driver chose; an error string if bad. */
  enable(): string | null {
    const n = this.num;
    if (n === 0 || n > this.max || (n & (n - 1)) !== 0) return `queue size ${n} is not a power of 2 up to ${this.max}`;
    if (this.descAddr % 16 || this.availAddr % 2 || this.usedAddr % 4) return 'misaligned ring address';
    // A fresh queue starts at index 0 on both sides; the rings must already be mapped for DMA.
    if (this.u16(this.usedAddr + 2) === null || this.u16(this.availAddr + 2) === null) return 'ring not reachable through the DART';
    this.usedIdx = 0;
    this.lastAvail = 0;
    this.ready = true;
    return null;
  }

  /**
   * Takes the next available chain: null when the ring is empty, an error string when the driver
   * broke a rule (the caller sets DEVICE_NEEDS_RESET).
   */
  pop(): Chain | null | string {
    const availIdx = this.u16(this.availAddr + 2);
    if (availIdx === null) return 'available ring not reachable through the DART';
    const waiting = (availIdx - this.lastAvail) & 0xffff;
    if (waiting === 0) return null;
    if (waiting > this.num) return `available index ${availIdx} runs ${waiting} entries ahead of a ${this.num}-entry ring`;
    const head = this.u16(this.availAddr + 4 + 2 * (this.lastAvail % this.num));
    if (head === null) return 'available ring not reachable through the DART';
    const chain: Chain = { head, readable: [], writable: [], readableBytes: 0, writableBytes: 0 };
    let i = head;
    for (let count = 0; ; count++) {
      if (i >= this.num) return `descriptor index ${i} out of range (queue size ${this.num})`;
      if (count >= this.num) return `descriptor chain from ${head} loops`;
      const d = this.dma.read(this.descAddr + 16 * i, 16);
      if (!d) return `descriptor ${i} not reachable through the DART`;
      const v = new DataView(d.buffer, d.byteOffset, 16);
      const addr = v.getUint32(0, true) + v.getUint32(4, true) * TWO32;
      const len = v.getUint32(8, true);
      const flags = v.getUint16(12, true);
      if (flags & VIRTQ_DESC_F_INDIRECT) return `descriptor ${i}: INDIRECT was not negotiated`;
      if (flags & VIRTQ_DESC_F_WRITE) {
        chain.writable.push({ addr, len });
        chain.writableBytes += len;
      } else {
        if (chain.writable.length > 0) return `descriptor ${i}: readable after writable`;
        chain.readable.push({ addr, len });
        chain.readableBytes += len;
      }
      if (chain.readableBytes + chain.writableBytes >= TWO32) return `descriptor chain from ${head} longer than 4 GiB`;
      if (!(flags & VIRTQ_DESC_F_NEXT)) break;
      i = v.getUint16(14, true);
    }
    this.lastAvail = (this.lastAvail + 1) & 0xffff;
    this.popped++;
    return chain;
  }

  /** Gathers a chain's readable bytes; null on a DART fault. The caller bounds readableBytes first. */
  gather(chain: Chain): Uint8Array | null {
    const out = new Uint8Array(chain.readableBytes);
    let at = 0;
    for (const s of chain.readable) {
      const b = this.dma.read(s.addr, s.len);
      if (!b) return null;
      out.set(b, at);
      at += s.len;
    }
    return out;
  }

  /** Scatters data over a chain's writable buffers (data fits writableBytes); false on a DART fault. */
  scatter(chain: Chain, data: Uint8Array): boolean {
    let at = 0;
    for (const s of chain.writable) {
      if (at >= data.length) break;
      const n = Math.min(s.len, data.length - at);
      if (!this.dma.write(s.addr, data.subarray(at, at + n))) return false;
      at += n;
    }
    return true;
  }

  /** Returns a chain to the driver with `len` bytes written; false on a DART fault. */
  pushUsed(head: number, len: number): boolean {
    const slot = this.usedIdx % this.num;
    const e = new Uint8Array(8);
    const v = new DataView(e.buffer);
    v.setUint32(0, head, true);
    v.setUint32(4, len, true);
    if (!this.dma.write(this.usedAddr + 4 + 8 * slot, e)) return false;
    this.usedIdx = (this.usedIdx + 1) & 0xffff;
    const idx = new Uint8Array([this.usedIdx & 0xff, this.usedIdx >> 8]);
    if (!this.dma.write(this.usedAddr + 2, idx)) return false; // the entry first, then the index (spec §2.7.8)
    this.pendingUsed++;
    return true;
  }

  /** Whether the driver wants an interrupt for the used entries added since the last call. */
  takeNotifyNeed(): boolean {
    if (this.pendingUsed === 0) return false;
    this.pendingUsed = 0;
    const flags = this.u16(this.availAddr);
    return flags === null || (flags & VIRTQ_AVAIL_F_NO_INTERRUPT) === 0;
  }

  state() {
    return { index: this.index, num: this.num, ready: this.ready, lastAvail: this.lastAvail, usedIdx: this.usedIdx, popped: this.popped };
  }

  private u16(iova: number): number | null {
    const b = this.dma.read(iova, 2);
    return b ? b[0] | (b[1] << 8) : null;
  }
}
