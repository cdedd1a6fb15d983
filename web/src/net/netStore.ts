// The page's record of the network (machines 2..N and the wire), fed by the machine worker's
// 'netUart' and 'frames' events. It lives with the machine client, not in the Network panel's lazy
// chunk, so nothing is lost while the panel is closed or still loading: each machine's console
// output (the last TRANSCRIPT_MAX bytes, replayed when its terminal opens) and the newest
// FRAME_WINDOW frames, with the count of older ones. The decoder (host/frames.ts) runs only in the
// panel.

/** As web/src/net/workerNetwork.ts sends at most per flush (not imported: that module is the worker's). */
export const FRAME_WINDOW = 2000;
const TRANSCRIPT_MAX = 256 * 1024;

export interface PageFrame {
  /** Number of the frame on the wire, from 1. */
  n: number;
  /** Virtual time the sender transmitted it (counter ticks). */
  ticks: number;
  bytes: Uint8Array;
}

export class NetStore {
  frames: PageFrame[] = [];
  /** Frames captured in all (older ones than `frames` holds were dropped from the list, not from the pcap). */
  total = 0;
  private transcripts = new Map<number, Uint8Array[]>();
  private uartListeners = new Set<(k: number, bytes: Uint8Array) => void>();
  private listeners = new Set<() => void>();
  private version = 0;
  /** Set by a machine's terminal: its text (test hook). */
  terminalText = new Map<number, () => string>();

  addFrames(n: number[], ticks: number[], lengths: number[], bytes: Uint8Array): void {
    let at = 0;
    for (let i = 0; i < n.length; i++) {
      this.frames.push({ n: n[i], ticks: ticks[i], bytes: bytes.subarray(at, at + lengths[i]) });
      at += lengths[i];
      this.total = Math.max(this.total, n[i]);
    }
    if (this.frames.length > FRAME_WINDOW) this.frames = this.frames.slice(this.frames.length - FRAME_WINDOW);
    this.changed();
  }

  addUart(k: number, bytes: Uint8Array): void {
    const list = this.transcripts.get(k) ?? [];
    list.push(bytes);
    let size = list.reduce((s, b) => s + b.length, 0);
    while (size > TRANSCRIPT_MAX && list.length > 1) size -= list.shift()!.length;
    this.transcripts.set(k, list);
    for (const l of this.uartListeners) l(k, bytes);
  }

  /** Machine k's console output so far (the last TRANSCRIPT_MAX bytes). */
  transcript(k: number): Uint8Array[] {
    return this.transcripts.get(k) ?? [];
  }

  onUart(l: (k: number, bytes: Uint8Array) => void): () => void {
    this.uartListeners.add(l);
    return () => void this.uartListeners.delete(l);
  }

  /** Everything goes (a reboot or reset of the machines). */
  clear(): void {
    this.frames = [];
    this.total = 0;
    this.transcripts.clear();
    this.changed();
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };

  getVersion = (): number => this.version;
}
