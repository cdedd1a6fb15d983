// A learning Ethernet switch (IEEE 802.1D transparent bridging, reduced to what a lab wire needs):
// N ports, a MAC table learned from source addresses, unicast to a known port, flooding for
// broadcast, multicast and unknown destinations, and never a frame back out of its ingress port.
// No ageing, VLANs or spanning tree (one switch, no loops). A frame shorter than an Ethernet
// header is counted and discarded.
//
// Frames arrive with the virtual time of their transmission (ingress) and are forwarded in a batch
// (forward()) at the boundary of a lockstep quantum (hw/net.ts): ordered by time, then port, then
// arrival, so the outcome does not depend on the order the host ran the machines in. Loss: each
// frame is dropped with probability `loss` before the switch sees it (a lossy link into the
// switch), drawn from a seeded generator (mulberry32), so a lossy run is as repeatable as any other.
// Every frame the switch receives goes to the capture (a pcap writer) with its timestamp.

import type { PcapWriter } from './pcap';

export interface Delivery { port: number; frame: Uint8Array; ticks: number }
interface Pending { port: number; frame: Uint8Array; ticks: number; seq: number }

/** mulberry32: a small, fast 32-bit PRNG with a 32-bit seed; returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function macKey(f: Uint8Array, at: number): number {
  return ((f[at] * 256 + f[at + 1]) * 65536 + (f[at + 2] << 8 | f[at + 3])) * 65536 + (f[at + 4] << 8 | f[at + 5]);
}

export interface SwitchOptions {
  /** Probability in [0, 1] that a frame is lost on its way into the switch. */
  loss?: number;
  seed?: number;
  capture?: PcapWriter;
}

export class EthernetSwitch {
  /** MAC address (48-bit number) → port. */
  readonly table = new Map<number, number>();
  private pending: Pending[] = [];
  private seq = 0;
  private readonly random: () => number;
  private readonly loss: number;
  readonly capture: PcapWriter | undefined;
  stats = { received: 0, lost: 0, runts: 0, unicast: 0, flooded: 0, filtered: 0, delivered: 0 };

  constructor(readonly ports: number, opts: SwitchOptions = {}) {
    if (!Number.isInteger(ports) || ports < 1) throw new RangeError(`EthernetSwitch: ${ports} ports`);
    const loss = opts.loss ?? 0;
    if (!(loss >= 0 && loss <= 1)) throw new RangeError(`EthernetSwitch: loss ${loss} is not a probability`);
    this.loss = loss;
    this.random = seededRandom(opts.seed ?? 1);
    this.capture = opts.capture;
  }

  /** A frame transmitted on `port` at virtual time `ticks`; it is forwarded at the next forward(). */
  ingress(port: number, frame: Uint8Array, ticks: number): void {
    if (!Number.isInteger(port) || port < 0 || port >= this.ports) throw new RangeError(`EthernetSwitch: no port ${port}`);
    this.pending.push({ port, frame, ticks, seq: this.seq++ });
  }

  /** Forwards every frame received since the last call; returns what each port must deliver. */
  forward(): Delivery[] {
    const batch = this.pending.sort((a, b) => a.ticks - b.ticks || a.port - b.port || a.seq - b.seq);
    this.pending = [];
    const out: Delivery[] = [];
    for (const p of batch) {
      // the draw happens for every frame, lost or not, so one frame's fate does not shift the others'
      const lost = this.loss > 0 && this.random() < this.loss;
      if (lost) { this.stats.lost++; continue; }
      this.stats.received++;
      this.capture?.add(p.ticks, p.frame);
      if (p.frame.length < 14) { this.stats.runts++; continue; }
      const src = macKey(p.frame, 6);
      if ((p.frame[6] & 1) === 0) this.table.set(src, p.port); // a group address is never a source
      const dst = macKey(p.frame, 0);
      const known = (p.frame[0] & 1) === 0 ? this.table.get(dst) : undefined;
      if (known !== undefined) {
        if (known === p.port) { this.stats.filtered++; continue; }
        this.stats.unicast++;
        out.push({ port: known, frame: p.frame, ticks: p.ticks });
      } else {
        this.stats.flooded++;
        for (let q = 0; q < this.ports; q++) if (q !== p.port) out.push({ port: q, frame: p.frame, ticks: p.ticks });
      }
    }
    this.stats.delivered += out.length;
    return out;
  }
}
