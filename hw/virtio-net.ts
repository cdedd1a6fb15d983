// virtio-net (device ID 1; OASIS virtio 1.2 §5.1; shared reference virtio-mmio.md §6) on the
// virtio-mmio transport (hw/virtio-mmio.ts). What Linux's drivers/net/virtio_net.c sees in "small
// buffer" mode: queue 0 receiveq1, queue 1 transmitq1, every packet preceded by the 12-byte
// virtio_net_hdr_v1 (flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers).
//
// Features offered: VIRTIO_NET_F_MAC (5: the MAC is in config space), VIRTIO_NET_F_STATUS (16: the
// link state is in config space), VIRTIO_F_VERSION_1 (32) and VIRTIO_F_ACCESS_PLATFORM (33: the
// device sits behind an IOMMU, the DART, so its addresses are IO virtual addresses). No checksum
// or segmentation offload, no mergeable buffers, no control queue, one queue pair.
//
// Config space (offset from 0x100): mac[6] at 0, status le16 at 6 (LINK_UP = 1).
//
// Transmit: on a notify of queue 1 the device takes every available chain, gathers its readable
// bytes, strips the header and hands the Ethernet frame to `onTransmit` (the wire: hw/switch.ts),
// then returns the chain with used length 0. A header asking for an offload that was not
// negotiated, or a frame shorter than an Ethernet header or longer than 1514 bytes, is dropped and
// counted (txDropped) — a bad packet, not a broken ring. With the link down frames go nowhere.
// Receive: receive(frame) queues a frame from the wire; the device fills the next available
// receive chain with a header (num_buffers = 1, as VERSION_1 requires) and the frame. A chain too
// small for both drops that frame (rxDropped; the chain comes back with length 0, which Linux
// counts as a length error). With no receive buffer posted, up to RX_BACKLOG frames wait; more are
// dropped (rxDropped), as a NIC whose ring is full drops.

import type { Aic } from './aic';
import type { DmaPort } from './dart';
import { VIRTIO_F_ACCESS_PLATFORM, VIRTIO_F_VERSION_1, VirtioMmio, type VirtioBackend } from './virtio-mmio';

export const VIRTIO_ID_NET = 1;
export const VIRTIO_NET_F_MAC = 5;
export const VIRTIO_NET_F_STATUS = 16;
export const VIRTIO_NET_S_LINK_UP = 1;
export const VIRTIO_NET_RX_QUEUE = 0;
export const VIRTIO_NET_TX_QUEUE = 1;
/** sizeof(struct virtio_net_hdr_v1) / virtio_net_hdr_mrg_rxbuf. */
export const VIRTIO_NET_HDR_LEN = 12;
/** Largest Ethernet frame without FCS or VLAN tag: 14 + 1500. */
export const ETH_MAX_FRAME = 1514;
export const ETH_HEADER = 14;
/** QueueNumMax of both queues (QEMU's default rx/tx queue size). */
export const VIRTIO_NET_QUEUE_MAX = 256;
const RX_BACKLOG = 64;

/** "02:00:00:00:00:0k" */
export function macString(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export class VirtioNet implements VirtioBackend {
  readonly deviceId = VIRTIO_ID_NET;
  readonly features = 1n << BigInt(VIRTIO_NET_F_MAC) | 1n << BigInt(VIRTIO_NET_F_STATUS)
    | 1n << BigInt(VIRTIO_F_VERSION_1) | 1n << BigInt(VIRTIO_F_ACCESS_PLATFORM);
  readonly queueMax = [VIRTIO_NET_QUEUE_MAX, VIRTIO_NET_QUEUE_MAX];
  readonly transport: VirtioMmio;
  /** Called with every frame the driver transmits while the link is up (a copy it may keep). */
  onTransmit: ((frame: Uint8Array) => void) | null = null;

  private linkUp = false;
  private readonly backlog: Uint8Array[] = [];
  txFrames = 0;
  txBytes = 0;
  txDropped = 0;
  rxFrames = 0;
  rxBytes = 0;
  rxDropped = 0;

  constructor(readonly mac: Uint8Array, dma: DmaPort, aic: Aic, base: number, size: number, irq: number) {
    if (mac.length !== 6) throw new RangeError('VirtioNet: a MAC address is 6 bytes');
    this.transport = new VirtioMmio(this, dma, aic, base, size, irq, 'virtio-net');
  }

  get link(): boolean { return this.linkUp; }

  /** Cable plugged in (a switch port) or pulled: the status field changes, the driver is told. */
  setLink(up: boolean): void {
    if (up === this.linkUp) return;
    this.linkUp = up;
    if (!up) this.backlog.length = 0;
    this.transport.configChanged();
  }

  config(): Uint8Array {
    const c = new Uint8Array(8);
    c.set(this.mac, 0);
    c[6] = this.linkUp ? VIRTIO_NET_S_LINK_UP : 0;
    return c;
  }

  reset(): void {
    this.backlog.length = 0;
  }

  notify(index: number): void {
    if (index === VIRTIO_NET_TX_QUEUE) this.transmit();
    else if (index === VIRTIO_NET_RX_QUEUE) this.fillReceive();
  }

  /** A frame from the wire. */
  receive(frame: Uint8Array): void {
    if (!this.linkUp) return;
    if (this.backlog.length >= RX_BACKLOG) { this.rxDropped++; return; }
    this.backlog.push(frame);
    this.fillReceive();
  }

  /** The link, the frames waiting for receive buffers, the counters and the transport (hw/snapshot.ts). */
  snapshot(): unknown {
    return {
      link: this.linkUp, backlog: this.backlog.map((f) => Array.from(f)),
      counters: [this.txFrames, this.txBytes, this.txDropped, this.rxFrames, this.rxBytes, this.rxDropped],
      transport: this.transport.snapshot(),
    };
  }

  restore(s: unknown): void {
    const v = s as Record<string, unknown>;
    const ok = typeof v === 'object' && v !== null && typeof v.link === 'boolean'
      && Array.isArray(v.backlog) && v.backlog.length <= RX_BACKLOG
      && v.backlog.every((f) => Array.isArray(f) && f.length <= 65536 && f.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
      && Array.isArray(v.counters) && v.counters.length === 6 && v.counters.every((n) => Number.isSafeInteger(n) && n >= 0);
    if (!ok) throw new Error('VirtioNet.restore: bad snapshot');
    this.transport.restore(v.transport);
    this.linkUp = v.link as boolean;
    this.backlog.length = 0;
    for (const f of v.backlog as number[][]) this.backlog.push(Uint8Array.from(f));
    [this.txFrames, this.txBytes, this.txDropped, this.rxFrames, this.rxBytes, this.rxDropped] = v.counters as number[];
  }

  state() {
    return {
      mac: macString(this.mac), link: this.linkUp, backlog: this.backlog.length,
      txFrames: this.txFrames, txBytes: this.txBytes, txDropped: this.txDropped,
      rxFrames: this.rxFrames, rxBytes: this.rxBytes, rxDropped: this.rxDropped,
      transport: this.transport.state(),
    };
  }

  private transmit(): void {
    const t = this.transport;
    const q = t.queue(VIRTIO_NET_TX_QUEUE);
    if (!q) return;
    for (;;) {
      const chain = q.pop();
      if (chain === null) break;
      if (typeof chain === 'string') { t.fail(`transmit queue: ${chain}`); return; }
      if (chain.readableBytes <= VIRTIO_NET_HDR_LEN + ETH_MAX_FRAME) {
        const bytes = q.gather(chain);
        if (!bytes) { t.fail('transmit buffer not reachable through the DART'); return; }
        this.sendPacket(bytes);
      } else {
        this.txDropped++;
      }
      if (!q.pushUsed(chain.head, 0)) { t.fail('transmit used ring not reachable through the DART'); return; }
    }
    t.usedBuffers(q);
  }

  private sendPacket(packet: Uint8Array): void {
    const frame = packet.subarray(VIRTIO_NET_HDR_LEN);
    // no offload was negotiated: flags (NEEDS_CSUM) and gso_type must be 0
    if (packet.length < VIRTIO_NET_HDR_LEN + ETH_HEADER || packet[0] !== 0 || packet[1] !== 0) { this.txDropped++; return; }
    this.txFrames++;
    this.txBytes += frame.length;
    if (this.linkUp && this.onTransmit) this.onTransmit(frame.slice());
  }

  private fillReceive(): void {
    const t = this.transport;
    const q = t.queue(VIRTIO_NET_RX_QUEUE);
    if (!q) return;
    let used = false;
    while (this.backlog.length > 0) {
      const chain = q.pop();
      if (chain === null) break;
      if (typeof chain === 'string') { t.fail(`receive queue: ${chain}`); return; }
      const frame = this.backlog.shift()!;
      let len = 0;
      if (chain.writableBytes >= VIRTIO_NET_HDR_LEN + frame.length) {
        const packet = new Uint8Array(VIRTIO_NET_HDR_LEN + frame.length);
        packet[10] = 1; // num_buffers
        packet.set(frame, VIRTIO_NET_HDR_LEN);
        if (!q.scatter(chain, packet)) { t.fail('receive buffer not reachable through the DART'); return; }
        len = packet.length;
        this.rxFrames++;
        this.rxBytes += frame.length;
      } else {
        this.rxDropped++;
      }
      if (!q.pushUsed(chain.head, len)) { t.fail('receive used ring not reachable through the DART'); return; }
      used = true;
    }
    if (used) t.usedBuffers(q);
  }
}
