// The page's copy of the kernel's trace records (D10), as the worker streams them: a ring of the
// last CAPACITY records in typed arrays (no object per record), plus an index of the IPC records
// for the messages panel. Records are addressed by their absolute number n (0 = first received
// since boot); record n is still held while n ≥ total − CAPACITY.
// Listeners run in an animation frame, at most every UI_REFRESH_MS (frameThrottle.ts).

import { TRACE_STRIDE } from './worker/protocol';
import { frameThrottle } from './frameThrottle';
import type { TraceRecord } from '../../hw/trace';
import { IPC_KINDS } from '../../host/traceKinds';

export const TRACE_CAPACITY = 262_144;

export class TraceStore {
  readonly capacity: number;
  private seq: Float64Array;
  private ticks: Float64Array;
  private kind: Uint32Array;
  private args: Uint32Array;
  /** Records received since the last clear. */
  total = 0;
  /** Absolute numbers of IPC records (a ring of the same capacity). */
  private ipc: Float64Array;
  ipcTotal = 0;
  /** Bumps on every change (for useSyncExternalStore). */
  version = 0;
  private listeners = new Set<() => void>();

  constructor(capacity = TRACE_CAPACITY) {
    this.capacity = capacity;
    this.seq = new Float64Array(capacity);
    this.ticks = new Float64Array(capacity);
    this.kind = new Uint32Array(capacity);
    this.args = new Uint32Array(capacity * 6);
    this.ipc = new Float64Array(capacity);
  }

  clear(): void {
    this.total = 0;
    this.ipcTotal = 0;
    this.changed();
  }

  /** Drops the records with sequence numbers from `seq` on (a new branch of the history). */
  truncateFromSeq(seq: number): void {
    while (this.total > this.first && this.seqAt(this.total - 1) >= seq) this.total--;
    while (this.ipcTotal > this.ipcFirst && this.ipc[(this.ipcTotal - 1) % this.capacity] >= this.total) this.ipcTotal--;
    this.changed();
  }

  /** Appends records packed as the worker sends them (TRACE_STRIDE numbers each). */
  append(data: Float64Array): void {
    for (let i = 0; i + TRACE_STRIDE <= data.length; i += TRACE_STRIDE) {
      const n = this.total++;
      const slot = n % this.capacity;
      this.seq[slot] = data[i];
      this.ticks[slot] = data[i + 1];
      const kind = data[i + 2];
      this.kind[slot] = kind;
      for (let a = 0; a < 6; a++) this.args[slot * 6 + a] = data[i + 3 + a];
      if (IPC_KINDS.has(kind)) this.ipc[this.ipcTotal++ % this.capacity] = n;
    }
    this.changed();
  }

  /** Oldest absolute record number still held. */
  get first(): number {
    return Math.max(0, this.total - this.capacity);
  }

  get ipcFirst(): number {
    return Math.max(0, this.ipcTotal - this.capacity);
  }

  has(n: number): boolean {
    return n >= this.first && n < this.total;
  }

  /** Absolute record number of the i-th IPC record (i ≥ ipcFirst), or -1 when no longer held. */
  ipcAt(i: number): number {
    if (i < this.ipcFirst || i >= this.ipcTotal) return -1;
    const n = this.ipc[i % this.capacity];
    return this.has(n) ? n : -1;
  }

  kindAt(n: number): number {
    return this.kind[n % this.capacity];
  }

  ticksAt(n: number): number {
    return this.ticks[n % this.capacity];
  }

  seqAt(n: number): number {
    return this.seq[n % this.capacity];
  }

  argAt(n: number, a: number): number {
    return this.args[(n % this.capacity) * 6 + a];
  }

  record(n: number): TraceRecord {
    const slot = n % this.capacity;
    return { seq: this.seq[slot], ticks: this.ticks[slot], kind: this.kind[slot], args: Array.from(this.args.subarray(slot * 6, slot * 6 + 6)) };
  }

  /** Records with absolute numbers in [from, to), oldest first. */
  records(from = this.first, to = this.total): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (let n = Math.max(from, this.first); n < Math.min(to, this.total); n++) out.push(this.record(n));
    return out;
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };

  getVersion = (): number => this.version;

  /** Tells the listeners: in an animation frame, at most every UI_REFRESH_MS (frameThrottle.ts). */
  private changed = frameThrottle(() => {
    this.version++;
    for (const l of this.listeners) l();
  });
}
