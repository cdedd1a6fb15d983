// The worker's side of the Network view: machine 2 (and more) on one switch with the page's
// machine 1, advanced in lockstep by hw/net.ts's Network — the same stepping the CLI's
// `mlk boot --machines N` uses. Machine k gets MAC 02:00:00:00:00:0k and 10.0.0.k (its device
// tree says k) and a fresh disk in memory, as in the CLI; machine 1 keeps its disk and its state.
//
// Plugging in: machine 1 has been running alone with its link down. Machine k boots from reset
// (the build's boot snapshot is of machine 1: its device tree, MAC and address are machine 1's)
// at virtual time 0, so it first runs alone, in slices, up to machine 1's time — as if both had
// been powered on together and its cable were plugged in now. Until then machine 1 waits. Then
// the Network raises both links and they run quantum by quantum.
//
// Every frame the switch forwards goes to the capture (a pcap writer, hw/pcap.ts: "Download pcap")
// and, the newest FRAME_WINDOW of each flush, to the page's frame list.

import { Machine, type PreparedKernel } from '../../../hw/machine';
import { Network } from '../../../hw/net';
import { PcapWriter } from '../../../hw/pcap';
import type { NetworkStatus } from '../worker/protocol';
import { FRAME_WINDOW } from './netStore';


/** Catching up: wall-clock milliseconds of work per slice, and virtual ticks per run() call. */
const CATCH_UP_MS = 12;
const CATCH_UP_CHUNK = 2_000_000;
/** The in-memory pcap file's size limit: a long-running network must not grow the worker without bound. */
const PCAP_LIMIT = 64 * 1024 * 1024;

export interface WireFrame { n: number; ticks: number; bytes: Uint8Array }

/** The pcap writer that also queues each frame for the page. */
class PageCapture extends PcapWriter {
  queued: WireFrame[] = [];
  /** Frames on the wire so far (the list numbers them; the pcap file stops at PCAP_LIMIT). */
  seen = 0;
  constructor() { super(PCAP_LIMIT); }
  override add(ticks: number, frame: Uint8Array): void {
    super.add(ticks, frame);
    this.queued.push({ n: ++this.seen, ticks, bytes: frame.slice() });
    if (this.queued.length > 2 * FRAME_WINDOW) this.queued.splice(0, this.queued.length - FRAME_WINDOW);
  }
}

export interface NetworkHooks {
  /** UART bytes machine `k` (2..N) transmitted. */
  uart(k: number, bytes: Uint8Array): void;
}

export class WorkerNetwork {
  readonly capture = new PageCapture();
  readonly others: Machine[];
  readonly network: Network;
  private halts = new Map<number, string>();

  private constructor(readonly first: Machine, others: Machine[], hooks: NetworkHooks) {
    this.others = others;
    others.forEach((m, i) => {
      m.on('uart', (bytes) => hooks.uart(i + 2, bytes.slice()));
      m.on('halt', (info) => this.halts.set(i + 2, info.reason));
    });
    this.network = new Network([first, ...others], { capture: this.capture });
  }

  /** Machines 2..count next to `first`, each booting from reset with the same kernel, boot image and boot arguments. */
  static async create(first: Machine, count: number, kernel: PreparedKernel, bootImage: Uint8Array | undefined, bootargs: string | undefined, hooks: NetworkHooks): Promise<WorkerNetwork> {
    const others: Machine[] = [];
    for (let k = 2; k <= count; k++) others.push(await Machine.create({ kernel, bootImage, bootargs, machineIndex: k }));
    return new WorkerNetwork(first, others, hooks);
  }

  /** True while some machine still runs alone up to machine 1's time. */
  get catchingUp(): boolean {
    return this.others.some((m) => !m.halted && m.clock.ticks < this.network.time);
  }

  /**
   * Advances by `ticks` of virtual time: the machines still catching up first (machine 1 waits),
   * then all in lockstep. Returns false when machine 1's host stopped it early (stopRequested).
   */
  advance(ticks: number): boolean {
    if (!this.catchingUp) return this.network.run(ticks);
    // catching up is not paced by the speed control: it runs chunks for about a frame of wall-clock
    // time (how much work a slice does, never what happens: the outcome depends on virtual time only)
    const until = performance.now() + CATCH_UP_MS;
    do {
      const behind = this.others.find((m) => !m.halted && m.clock.ticks < this.network.time)!;
      behind.run(Math.min(CATCH_UP_CHUNK, this.network.time - behind.clock.ticks));
    } while (this.catchingUp && performance.now() < until);
    return true;
  }

  /** Types into machine `k` (2..N). */
  input(k: number, bytes: Uint8Array): void {
    this.others[k - 2]?.uartInput(bytes);
  }

  /** The frames captured since the last call (at most FRAME_WINDOW, the newest). */
  takeFrames(): WireFrame[] {
    const q = this.capture.queued;
    this.capture.queued = [];
    return q.length > FRAME_WINDOW ? q.slice(q.length - FRAME_WINDOW) : q;
  }

  status(): NetworkStatus {
    return {
      machines: 1 + this.others.length,
      frames: this.capture.seen,
      time: this.network.time,
      catchingUp: this.catchingUp,
      stats: { ...this.network.switch.stats },
      others: this.others.map((m, i) => ({ k: i + 2, ticks: m.clock.ticks, instructions: m.instructions, idle: m.idleFor() > 0, halt: this.halts.get(i + 2) })),
    };
  }
}
