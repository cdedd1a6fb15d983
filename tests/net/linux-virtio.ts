// The driver side of virtio-mmio and virtio-net in plain TypeScript, register by register as Linux's
// drivers/virtio/virtio_mmio.c (vm_reset, vm_get_features, vm_finalize_features, vm_setup_vq,
// vm_notify, vm_interrupt), drivers/virtio/virtio.c (virtio_add_status, virtio_features_ok) and
// drivers/net/virtio_net.c (add_recvbuf_small, xmit_skb, receive_buf) do it — the test bench for
// the device model (shared reference virtio-mmio.md §2, §4, §5). Its DMA memory sits behind a
// DART stream whose IO page tables this file writes (io-pgtable-dart, 4 KiB pages).
import { Aic } from '../../hw/aic';
import { Clock } from '../../hw/clock';
import { DART_PTE_SP_DIS, DART_PTE_VALID, DART_TCR, DART_TTBR, DART_STREAMS_ENABLE, Dart } from '../../hw/dart';
import { DRAM_BASE } from '../../hw/memmap';
import { Ram } from '../../hw/ram';
import * as V from '../../hw/virtio-mmio';
import { VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS, VIRTIO_NET_HDR_LEN, VirtioNet } from '../../hw/virtio-net';

export const NET_BASE = 0x2_3f03_0000;
export const NET_IRQ = 703;
export const SID = 1;
const TWO32 = 2 ** 32;

/** A RAM, an AIC and a DART with one stream's IO page tables; map() gives the device a page. */
export class DmaBench {
  readonly clock = new Clock();
  readonly ram = new Ram(8 * 1024 * 1024);
  readonly aic = new Aic(this.clock);
  readonly dart = new Dart(this.ram, this.aic);
  private next = DRAM_BASE + 0x10_0000;
  private readonly l1: number;
  constructor() {
    this.dart.write32(DART_STREAMS_ENABLE, 0xffff_ffff);
    this.l1 = this.page();
    this.dart.write32(DART_TTBR(SID, 0), 0x8000_0000 | (this.l1 / 4096));
    this.dart.write32(DART_TCR(SID), 0x80);
  }
  /** A zeroed RAM page (physical address). */
  page(): number {
    const pa = this.next;
    this.next += 4096;
    this.ram.u8.fill(0, pa - DRAM_BASE, pa - DRAM_BASE + 4096);
    return pa;
  }
  /** dart_map_pages for one 4 KiB page; returns the PA. The TLB only changes by INVALIDATE, so map before use. */
  map(iova: number, pa = this.page()): number {
    const dv = this.ram.dv;
    const l1e = this.l1 - DRAM_BASE + 8 * (Math.floor(iova / 2 ** 21) % 512);
    let l2 = dv.getUint32(l1e + 4, true) * TWO32 + dv.getUint32(l1e, true);
    if (l2 === 0) { l2 = this.page(); dv.setBigUint64(l1e, BigInt(l2) | 1n, true); } else l2 -= l2 % 4096;
    dv.setBigUint64(l2 - DRAM_BASE + 8 * (Math.floor(iova / 4096) % 512), (0xfffn << 40n) | BigInt(pa) | BigInt(DART_PTE_VALID | DART_PTE_SP_DIS), true);
    return pa;
  }
}

interface Queue { index: number; num: number; desc: number; avail: number; used: number; pa: number; availIdx: number; lastUsed: number; free: number[] }

/** Linux's driver, with the IO address space laid out from `iovaBase` up (each page mapped on use). */
export class LinuxVirtioNet {
  readonly q: Queue[] = [];
  private iova: number;
  /** IOVA → PA of the pages this driver mapped. */
  private readonly pages = new Map<number, number>();
  readonly received: Uint8Array[] = [];
  constructor(readonly bench: DmaBench, readonly dev: VirtioNet, iovaBase = 0x10_0000) {
    this.iova = iovaBase;
  }

  r(off: number): number { return this.dev.transport.read32(off); }
  w(off: number, v: number): void { this.dev.transport.write32(off, v); }
  status(): number { return this.r(V.VIRTIO_MMIO_STATUS); }
  /** virtio_add_status: read-modify-write. */
  addStatus(bit: number): void { this.w(V.VIRTIO_MMIO_STATUS, this.status() | bit); }

  /** IO-mapped memory: `pages` pages, contiguous in IOVA. */
  alloc(pages: number): number {
    const iova = this.iova;
    for (let i = 0; i < pages; i++) this.pages.set(iova + 4096 * i, this.bench.map(iova + 4096 * i));
    this.iova += 4096 * pages;
    return iova;
  }
  pa(iova: number): number { return this.pages.get(iova - (iova % 4096))! + (iova % 4096); }
  get dv(): DataView { return this.bench.ram.dv; }
  put16(iova: number, v: number): void { this.dv.setUint16(this.pa(iova) - DRAM_BASE, v, true); }
  get16(iova: number): number { return this.dv.getUint16(this.pa(iova) - DRAM_BASE, true); }
  get32(iova: number): number { return this.dv.getUint32(this.pa(iova) - DRAM_BASE, true); }
  putDesc(q: Queue, i: number, addr: number, len: number, flags: number, next = 0): void {
    const at = this.pa(q.desc + 16 * i) - DRAM_BASE;
    this.dv.setBigUint64(at, BigInt(addr), true);
    this.dv.setUint32(at + 8, len, true);
    this.dv.setUint16(at + 12, flags, true);
    this.dv.setUint16(at + 14, next, true);
  }
  putBytes(iova: number, b: Uint8Array): void { for (let i = 0; i < b.length; i++) this.bench.ram.u8[this.pa(iova + i) - DRAM_BASE] = b[i]; }
  getBytes(iova: number, n: number): Uint8Array { return Uint8Array.from({ length: n }, (_, i) => this.bench.ram.u8[this.pa(iova + i) - DRAM_BASE]); }

  /** virtio_mmio_probe + register_virtio_device + virtio_dev_probe up to FEATURES_OK. Returns the features. */
  probe(accept: bigint): bigint {
    if (this.r(V.VIRTIO_MMIO_MAGIC) !== V.VIRTIO_MMIO_MAGIC_VALUE) throw new Error('Wrong magic value');
    if (this.r(V.VIRTIO_MMIO_VERSION) !== 2) throw new Error('version');
    if (this.r(V.VIRTIO_MMIO_DEVICE_ID) !== 1) throw new Error('not a network device');
    this.r(V.VIRTIO_MMIO_VENDOR_ID);
    this.w(V.VIRTIO_MMIO_STATUS, 0); // vm_reset
    this.addStatus(V.VIRTIO_STATUS_ACKNOWLEDGE);
    this.addStatus(V.VIRTIO_STATUS_DRIVER);
    this.w(V.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1); // vm_get_features
    let f = BigInt(this.r(V.VIRTIO_MMIO_DEVICE_FEATURES)) << 32n;
    this.w(V.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    f |= BigInt(this.r(V.VIRTIO_MMIO_DEVICE_FEATURES));
    const want = f & accept;
    this.w(V.VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1); // vm_finalize_features
    this.w(V.VIRTIO_MMIO_DRIVER_FEATURES, Number(want >> 32n));
    this.w(V.VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
    this.w(V.VIRTIO_MMIO_DRIVER_FEATURES, Number(want & 0xffff_ffffn));
    this.addStatus(V.VIRTIO_STATUS_FEATURES_OK); // virtio_features_ok
    if (!(this.status() & V.VIRTIO_STATUS_FEATURES_OK)) {
      this.addStatus(V.VIRTIO_STATUS_FAILED);
      throw new Error('device refuses features');
    }
    return want;
  }

  /** virtio_cread_bytes of the MAC in a ConfigGeneration loop; the status field. */
  config(): { mac: string; link: number } {
    for (;;) {
      const gen = this.r(V.VIRTIO_MMIO_CONFIG_GENERATION);
      const w0 = this.r(V.VIRTIO_MMIO_CONFIG), w1 = this.r(V.VIRTIO_MMIO_CONFIG + 4);
      if (this.r(V.VIRTIO_MMIO_CONFIG_GENERATION) !== gen) continue;
      const b = [w0 & 0xff, (w0 >>> 8) & 0xff, (w0 >>> 16) & 0xff, w0 >>> 24, w1 & 0xff, (w1 >>> 8) & 0xff];
      return { mac: b.map((x) => x.toString(16).padStart(2, '0')).join(':'), link: (w1 >>> 16) & 0xffff };
    }
  }

  /** vm_setup_vq: one page for the three areas (legacy layout within it), QueueReady = 1. */
  setupQueue(index: number, num: number): Queue {
    this.w(V.VIRTIO_MMIO_QUEUE_SEL, index);
    if (this.r(V.VIRTIO_MMIO_QUEUE_READY) !== 0) throw new Error('queue already set up');
    const max = this.r(V.VIRTIO_MMIO_QUEUE_NUM_MAX);
    if (max === 0) throw new Error('ENOENT');
    num = Math.min(num, max);
    const base = this.alloc(1);
    const q: Queue = { index, num, desc: base, avail: base + 16 * num, used: base + 2048, pa: this.pa(base), availIdx: 0, lastUsed: 0, free: [] };
    for (let i = 0; i < num; i++) q.free.push(i);
    this.w(V.VIRTIO_MMIO_QUEUE_NUM, num);
    const set = (lo: number, addr: number) => { this.w(lo, addr % TWO32); this.w(lo + 4, Math.floor(addr / TWO32)); };
    set(V.VIRTIO_MMIO_QUEUE_DESC_LOW, q.desc);
    set(V.VIRTIO_MMIO_QUEUE_AVAIL_LOW, q.avail);
    set(V.VIRTIO_MMIO_QUEUE_USED_LOW, q.used);
    this.w(V.VIRTIO_MMIO_QUEUE_READY, 1);
    this.q[index] = q;
    return q;
  }

  /** The whole probe of virtio_net: features, config, rx + tx queues, DRIVER_OK, RX ring filled. */
  up(rxBuffers = 8): void {
    this.probe(1n << 32n | 1n << 33n | 1n << BigInt(VIRTIO_NET_F_MAC) | 1n << BigInt(VIRTIO_NET_F_STATUS));
    this.setupQueue(0, 16);
    this.setupQueue(1, 16);
    this.addStatus(V.VIRTIO_STATUS_DRIVER_OK); // virtio_device_ready
    for (let i = 0; i < rxBuffers; i++) this.addRecvBuf();
    this.kick(0);
  }

  /** Puts chain head `head` in the available ring (virtqueue_add + the idx store after it). */
  publish(q: Queue, head: number): void {
    this.put16(q.avail + 4 + 2 * (q.availIdx % q.num), head);
    q.availIdx = (q.availIdx + 1) & 0xffff;
    this.put16(q.avail + 2, q.availIdx);
  }
  kick(index: number): void { this.w(V.VIRTIO_MMIO_QUEUE_NOTIFY, index); }

  /** add_recvbuf_small: one device-writable buffer of header + 1518 bytes. */
  addRecvBuf(): void {
    const q = this.q[0];
    const d = q.free.shift()!;
    this.putDesc(q, d, this.alloc(1), VIRTIO_NET_HDR_LEN + 1518, 2);
    this.publish(q, d);
  }

  /** xmit_skb: header + frame in one readable buffer (or split over two descriptors). */
  xmit(frame: Uint8Array, split = false): void {
    const q = this.q[1];
    const buf = this.alloc(1);
    this.putBytes(buf + VIRTIO_NET_HDR_LEN, frame);
    if (split) {
      const a = q.free.shift()!, b = q.free.shift()!;
      this.putDesc(q, a, buf, VIRTIO_NET_HDR_LEN, 1, b);
      this.putDesc(q, b, buf + VIRTIO_NET_HDR_LEN, frame.length, 0);
      this.publish(q, a);
    } else {
      const a = q.free.shift()!;
      this.putDesc(q, a, buf, VIRTIO_NET_HDR_LEN + frame.length, 0);
      this.publish(q, a);
    }
    this.kick(1);
  }

  /** vm_interrupt: read InterruptStatus, ack it, then each queue's used ring (vring_interrupt). */
  interrupt(): number {
    const st = this.r(V.VIRTIO_MMIO_INTERRUPT_STATUS);
    this.w(V.VIRTIO_MMIO_INTERRUPT_ACK, st);
    if (st & 1) {
      for (const q of this.q) {
        const usedIdx = this.get16(q.used + 2);
        while (q.lastUsed !== usedIdx) {
          const slot = q.used + 4 + 8 * (q.lastUsed % q.num);
          const id = this.get32(slot), len = this.get32(slot + 4);
          q.lastUsed = (q.lastUsed + 1) & 0xffff;
          if (q.index === 0) { // receive_buf (small): the header, then the frame
            const at = this.dv.getBigUint64(this.pa(q.desc + 16 * id) - DRAM_BASE, true);
            this.received.push(this.getBytes(Number(at) + VIRTIO_NET_HDR_LEN, len - VIRTIO_NET_HDR_LEN));
            q.free.push(id);
            this.addRecvBuf();
          } else {
            q.free.push(id);
            const next = this.dv.getUint16(this.pa(q.desc + 16 * id) - DRAM_BASE + 14, true);
            const flags = this.dv.getUint16(this.pa(q.desc + 16 * id) - DRAM_BASE + 12, true);
            if (flags & 1) q.free.push(next);
          }
        }
      }
    }
    return st;
  }
}

export function newNic(bench: DmaBench, mac = [2, 0, 0, 0, 0, 1]): VirtioNet {
  return new VirtioNet(Uint8Array.from(mac), bench.dart.port(SID), bench.aic, NET_BASE, 0x1000, NET_IRQ);
}
