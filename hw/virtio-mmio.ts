// The virtio-mmio transport, version 2 (OASIS virtio 1.2 §4.2; shared reference virtio-mmio.md),
// with split virtqueues (hw/virtio-queue.ts). One instance is one device slot on the MMIO bus; the
// device type behind it (virtio-net: hw/virtio-net.ts) is a VirtioBackend. Its DMA goes through a
// DmaPort (a DART stream, hw/dart.ts): every ring and buffer address is an IO virtual address.
//
// Registers (offsets from the base; 32-bit little-endian, spec §4.2.2):
//   0x000 MagicValue R "virt"          0x004 Version R 2            0x008 DeviceID R
//   0x00C VendorID R                   0x010 DeviceFeatures R       0x014 DeviceFeaturesSel W
//   0x020 DriverFeatures W             0x024 DriverFeaturesSel W    0x030 QueueSel W
//   0x034 QueueNumMax R                0x038 QueueNum W             0x044 QueueReady RW
//   0x050 QueueNotify W                0x060 InterruptStatus R      0x064 InterruptACK W
//   0x070 Status RW                    0x080/0x084 QueueDesc        0x090/0x094 QueueDriver (avail)
//   0x0A0/0x0A4 QueueDevice (used)     0x0FC ConfigGeneration R     0x100+ device config space
//
// Rules implemented (spec §2.1, §3.1, §4.2.2; QEMU hw/virtio/virtio-mmio.c where the spec leaves
// room): reads of write-only registers return 0; the *Sel registers select 32-bit feature words;
// the driver's features are checked when it sets FEATURES_OK — a subset of the offered ones that
// includes VERSION_1, or FEATURES_OK stays clear on read-back ("device refuses features"); writing
// 0 to Status resets the device (status, features, queues, interrupt status); queue registers are
// ignored while the selected queue is ready; the device touches queues only after DRIVER_OK. The
// interrupt line is a level: InterruptStatus != 0 (bit 0 used buffer, bit 1 configuration change).
//
// A driver error (a bad queue size, a descriptor index out of range, a loop, a DMA address the DART
// refuses, an avail index that runs ahead by more than the queue size) sets DEVICE_NEEDS_RESET and
// raises a configuration-change interrupt when DRIVER_OK was set (spec §2.1.2); the device then
// stops using its queues until it is reset. Nothing a driver writes makes the host throw.
//
// Departures: the bus allows 32-bit aligned accesses only (every device here has reg-io-width 4),
// so config space is read in 32-bit words (QEMU accepts that too); no legacy (v1) registers, no
// shared-memory regions (SHMLen/SHMBase read all ones), no INDIRECT_DESC, EVENT_IDX, RING_PACKED or
// NOTIFICATION_DATA (none is offered).

import type { Aic } from './aic';
import type { MmioDevice } from './bus';
import type { DmaPort } from './dart';
import { SplitQueue } from './virtio-queue';

export const VIRTIO_MMIO_MAGIC = 0x000;
export const VIRTIO_MMIO_VERSION = 0x004;
export const VIRTIO_MMIO_DEVICE_ID = 0x008;
export const VIRTIO_MMIO_VENDOR_ID = 0x00c;
export const VIRTIO_MMIO_DEVICE_FEATURES = 0x010;
export const VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014;
export const VIRTIO_MMIO_DRIVER_FEATURES = 0x020;
export const VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024;
export const VIRTIO_MMIO_QUEUE_SEL = 0x030;
export const VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034;
export const VIRTIO_MMIO_QUEUE_NUM = 0x038;
export const VIRTIO_MMIO_QUEUE_READY = 0x044;
export const VIRTIO_MMIO_QUEUE_NOTIFY = 0x050;
export const VIRTIO_MMIO_INTERRUPT_STATUS = 0x060;
export const VIRTIO_MMIO_INTERRUPT_ACK = 0x064;
export const VIRTIO_MMIO_STATUS = 0x070;
export const VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080;
export const VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084;
export const VIRTIO_MMIO_QUEUE_AVAIL_LOW = 0x090;
export const VIRTIO_MMIO_QUEUE_AVAIL_HIGH = 0x094;
export const VIRTIO_MMIO_QUEUE_USED_LOW = 0x0a0;
export const VIRTIO_MMIO_QUEUE_USED_HIGH = 0x0a4;
export const VIRTIO_MMIO_SHM_SEL = 0x0ac;
export const VIRTIO_MMIO_SHM_LEN_LOW = 0x0b0;
export const VIRTIO_MMIO_SHM_LEN_HIGH = 0x0b4;
export const VIRTIO_MMIO_SHM_BASE_LOW = 0x0b8;
export const VIRTIO_MMIO_SHM_BASE_HIGH = 0x0bc;
export const VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc;
export const VIRTIO_MMIO_CONFIG = 0x100;

export const VIRTIO_MMIO_MAGIC_VALUE = 0x74726976; // "virt"
/** "MLK\0" — the spec lets the vendor ID be anything; QEMU uses "QEMU". */
export const VIRTIO_MMIO_VENDOR = 0x004b4c4d;

/** Device status bits (spec §2.1). */
export const VIRTIO_STATUS_ACKNOWLEDGE = 1;
export const VIRTIO_STATUS_DRIVER = 2;
export const VIRTIO_STATUS_DRIVER_OK = 4;
export const VIRTIO_STATUS_FEATURES_OK = 8;
export const VIRTIO_STATUS_DEVICE_NEEDS_RESET = 64;
export const VIRTIO_STATUS_FAILED = 128;

/** InterruptStatus bits (spec §4.2.2). */
export const VIRTIO_MMIO_INT_VRING = 1;
export const VIRTIO_MMIO_INT_CONFIG = 2;

/** Transport feature bits (spec §6), as bigint bit numbers. */
export const VIRTIO_F_VERSION_1 = 32;
export const VIRTIO_F_ACCESS_PLATFORM = 33;

/** What a device type plugs into the transport. */
export interface VirtioBackend {
  readonly deviceId: number;
  /** Feature bits offered (bit n = feature n). */
  readonly features: bigint;
  /** QueueNumMax of each queue; the array's length is the number of queues. */
  readonly queueMax: readonly number[];
  /** Device config space as bytes (read-only to the driver here). */
  config(): Uint8Array;
  /** The driver made buffers available on queue `index` (QueueNotify), or the device went live. */
  notify(index: number): void;
  /** Status was written with 0: drop whatever the device keeps for the driver. */
  reset(): void;
}

/** Why the device set DEVICE_NEEDS_RESET (for the host's views and the tests). */
export type VirtioError = string;

export class VirtioMmio implements MmioDevice {
  readonly name: string;
  readonly size: number;
  readonly queues: SplitQueue[];

  private status = 0;
  private deviceFeaturesSel = 0;
  private driverFeaturesSel = 0;
  private driverFeatureWords = [0, 0];
  /** Features accepted at FEATURES_OK. */
  negotiated = 0n;
  private queueSel = 0;
  private interruptStatus = 0;
  private generation = 0;
  /** The first driver error since the last reset, or null. */
  error: VirtioError | null = null;
  /** Counters for the host's views. */
  notifies = 0;
  interrupts = 0;

  constructor(
    readonly backend: VirtioBackend,
    readonly dma: DmaPort,
    private readonly aic: Aic,
    readonly base: number,
    size: number,
    readonly irq: number,
    name = 'virtio-mmio',
  ) {
    this.name = name;
    this.size = size;
    this.queues = backend.queueMax.map((max, i) => new SplitQueue(i, max, dma));
    this.aic.setLine(this.irq, false);
  }

  /** DRIVER_OK set, FEATURES_OK accepted, no error: the device may use its queues. */
  get live(): boolean {
    const s = this.status;
    return (s & VIRTIO_STATUS_DRIVER_OK) !== 0 && (s & VIRTIO_STATUS_FEATURES_OK) !== 0
      && (s & (VIRTIO_STATUS_DEVICE_NEEDS_RESET | VIRTIO_STATUS_FAILED)) === 0;
  }

  /** A live queue the device may use now, or null. */
  queue(index: number): SplitQueue | null {
    const q = this.queues[index];
    return q && q.ready && this.live ? q : null;
  }

  // ---- registers -----------------------------------------------------------------------------

  read32(offset: number): number {
    if (offset >= VIRTIO_MMIO_CONFIG) {
      const cfg = this.backend.config();
      const at = offset - VIRTIO_MMIO_CONFIG;
      let v = 0;
      for (let i = 3; i >= 0; i--) v = (v << 8) | (cfg[at + i] ?? 0);
      return v >>> 0;
    }
    const q = this.queues[this.queueSel];
    switch (offset) {
      case VIRTIO_MMIO_MAGIC: return VIRTIO_MMIO_MAGIC_VALUE;
      case VIRTIO_MMIO_VERSION: return 2;
      case VIRTIO_MMIO_DEVICE_ID: return this.backend.deviceId;
      case VIRTIO_MMIO_VENDOR_ID: return VIRTIO_MMIO_VENDOR;
      case VIRTIO_MMIO_DEVICE_FEATURES: // words 0 and 1 hold every bit offered; higher words read 0
        return this.deviceFeaturesSel > 1 ? 0 : Number((this.backend.features >> BigInt(32 * this.deviceFeaturesSel)) & 0xffff_ffffn) >>> 0;
      case VIRTIO_MMIO_QUEUE_NUM_MAX: return q ? q.max : 0;
      case VIRTIO_MMIO_QUEUE_READY: return q && q.ready ? 1 : 0;
      case VIRTIO_MMIO_INTERRUPT_STATUS: return this.interruptStatus;
      case VIRTIO_MMIO_STATUS: return this.status;
      case VIRTIO_MMIO_SHM_LEN_LOW: case VIRTIO_MMIO_SHM_LEN_HIGH:
      case VIRTIO_MMIO_SHM_BASE_LOW: case VIRTIO_MMIO_SHM_BASE_HIGH:
        return 0xffff_ffff; // no shared-memory region
      case VIRTIO_MMIO_CONFIG_GENERATION: return this.generation;
    }
    return 0; // write-only or reserved
  }

  write32(offset: number, value: number): void {
    value >>>= 0;
    if (offset >= VIRTIO_MMIO_CONFIG) return; // virtio-net's config space is read-only
    const q = this.queues[this.queueSel];
    switch (offset) {
      case VIRTIO_MMIO_DEVICE_FEATURES_SEL: this.deviceFeaturesSel = value; return;
      case VIRTIO_MMIO_DRIVER_FEATURES_SEL: this.driverFeaturesSel = value; return;
      case VIRTIO_MMIO_DRIVER_FEATURES:
        // only before FEATURES_OK (spec §3.1: features are final once accepted)
        if ((this.status & VIRTIO_STATUS_FEATURES_OK) === 0 && this.driverFeaturesSel < 2) this.driverFeatureWords[this.driverFeaturesSel] = value;
        return;
      case VIRTIO_MMIO_QUEUE_SEL: this.queueSel = value; return;
      case VIRTIO_MMIO_QUEUE_NOTIFY: this.queueNotify(value); return;
      case VIRTIO_MMIO_INTERRUPT_ACK:
        this.interruptStatus &= ~value;
        this.updateIrq();
        return;
      case VIRTIO_MMIO_STATUS: this.writeStatus(value & 0xff); return;
    }
    if (!q || q.ready && offset !== VIRTIO_MMIO_QUEUE_READY) return; // no such queue, or live: ignored
    switch (offset) {
      case VIRTIO_MMIO_QUEUE_NUM: q.num = value; return;
      case VIRTIO_MMIO_QUEUE_READY: this.setQueueReady(q, value === 1); return;
      case VIRTIO_MMIO_QUEUE_DESC_LOW: q.descAddr = setLow(q.descAddr, value); return;
      case VIRTIO_MMIO_QUEUE_DESC_HIGH: q.descAddr = setHigh(q.descAddr, value); return;
      case VIRTIO_MMIO_QUEUE_AVAIL_LOW: q.availAddr = setLow(q.availAddr, value); return;
      case VIRTIO_MMIO_QUEUE_AVAIL_HIGH: q.availAddr = setHigh(q.availAddr, value); return;
      case VIRTIO_MMIO_QUEUE_USED_LOW: q.usedAddr = setLow(q.usedAddr, value); return;
      case VIRTIO_MMIO_QUEUE_USED_HIGH: q.usedAddr = setHigh(q.usedAddr, value); return;
    }
  }

  // ---- device side ---------------------------------------------------------------------------

  /** Signals a used-buffer notification (after the device added used entries to a queue). */
  usedBuffers(q: SplitQueue): void {
    if (q.takeNotifyNeed()) this.raise(VIRTIO_MMIO_INT_VRING);
  }

  /** The device's configuration changed (e.g. the link went up): new generation, and tell the driver. */
  configChanged(): void {
    this.generation = (this.generation + 1) >>> 0;
    if (this.status & VIRTIO_STATUS_DRIVER_OK) this.raise(VIRTIO_MMIO_INT_CONFIG);
  }

  /** A driver error: DEVICE_NEEDS_RESET, and a config-change interrupt if the driver was live. */
  fail(why: VirtioError): void {
    if (this.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) return;
    this.error = why;
    this.status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    if (this.status & VIRTIO_STATUS_DRIVER_OK) this.raise(VIRTIO_MMIO_INT_CONFIG);
  }

  state() {
    return {
      status: this.status,
      negotiated: this.negotiated,
      interruptStatus: this.interruptStatus,
      error: this.error,
      notifies: this.notifies,
      interrupts: this.interrupts,
      queues: this.queues.map((q) => q.state()),
    };
  }

  /** The transport's registers and its queues' (hw/snapshot.ts); the device type keeps its own part. */
  snapshot(): unknown {
    return {
      status: this.status, deviceFeaturesSel: this.deviceFeaturesSel, driverFeaturesSel: this.driverFeaturesSel,
      driverFeatureWords: [...this.driverFeatureWords], negotiated: this.negotiated.toString(16), queueSel: this.queueSel,
      interruptStatus: this.interruptStatus, generation: this.generation, error: this.error, notifies: this.notifies,
      interrupts: this.interrupts, queues: this.queues.map((q) => q.snapshot()),
    };
  }

  restore(s: unknown): void {
    const v = s as Record<string, unknown>;
    const u32 = (x: unknown) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffffffff;
    const ok = typeof v === 'object' && v !== null
      && ['status', 'deviceFeaturesSel', 'driverFeaturesSel', 'queueSel', 'interruptStatus', 'generation'].every((k) => u32(v[k]))
      && [v.notifies, v.interrupts].every((x) => Number.isSafeInteger(x) && (x as number) >= 0)
      && Array.isArray(v.driverFeatureWords) && v.driverFeatureWords.length === 2 && v.driverFeatureWords.every(u32)
      && typeof v.negotiated === 'string' && /^[0-9a-f]{1,16}$/.test(v.negotiated)
      && (v.error === null || typeof v.error === 'string')
      && Array.isArray(v.queues) && v.queues.length === this.queues.length;
    if (!ok) throw new Error(`${this.name}.restore: bad snapshot`);
    (v.queues as unknown[]).forEach((q, i) => this.queues[i].restore(q));
    this.status = v.status as number; this.deviceFeaturesSel = v.deviceFeaturesSel as number; this.driverFeaturesSel = v.driverFeaturesSel as number;
    this.driverFeatureWords = [...(v.driverFeatureWords as number[])]; this.negotiated = BigInt(`0x${v.negotiated as string}`);
    this.queueSel = v.queueSel as number; this.interruptStatus = v.interruptStatus as number; this.generation = v.generation as number;
    this.error = v.error as VirtioError | null; this.notifies = v.notifies as number; this.interrupts = v.interrupts as number;
    this.updateIrq();
  }

  private raise(bit: number): void {
    if ((this.interruptStatus & bit) === 0) this.interrupts++;
    this.interruptStatus |= bit;
    this.updateIrq();
  }

  private updateIrq(): void {
    this.aic.setLine(this.irq, this.interruptStatus !== 0);
  }

  private writeStatus(value: number): void {
    if (value === 0) { this.reset(); return; }
    const wasLive = this.live;
    if ((value & VIRTIO_STATUS_FEATURES_OK) && !(this.status & VIRTIO_STATUS_FEATURES_OK)) {
      const wanted = BigInt(this.driverFeatureWords[0]) | BigInt(this.driverFeatureWords[1]) << 32n;
      const ok = (wanted & ~this.backend.features) === 0n && (wanted >> BigInt(VIRTIO_F_VERSION_1) & 1n) === 1n;
      if (ok) this.negotiated = wanted;
      else value &= ~VIRTIO_STATUS_FEATURES_OK; // refused: the driver sees the bit clear on read-back
    }
    // the driver never clears bits but by reset; NEEDS_RESET is the device's to set
    this.status = (value & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) | (this.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
    if (!wasLive && this.live) for (let i = 0; i < this.queues.length; i++) if (this.queues[i].ready) this.backend.notify(i);
  }

  private reset(): void {
    this.status = 0;
    this.deviceFeaturesSel = 0;
    this.driverFeaturesSel = 0;
    this.driverFeatureWords = [0, 0];
    this.negotiated = 0n;
    this.queueSel = 0;
    this.interruptStatus = 0;
    this.error = null;
    for (const q of this.queues) q.reset();
    this.backend.reset();
    this.updateIrq();
  }

  private setQueueReady(q: SplitQueue, ready: boolean): void {
    if (!ready) { q.ready = false; return; }
    const why = q.enable();
    if (why) { this.fail(`queue ${q.index}: ${why}`); return; }
    if (this.live) this.backend.notify(q.index);
  }

  private queueNotify(index: number): void {
    this.notifies++;
    const q = this.queues[index];
    if (!q || !q.ready || !this.live) return; // spec: no queue use before DRIVER_OK
    this.backend.notify(index);
  }
}

const TWO32 = 0x1_0000_0000;
function setLow(addr: number, v: number): number { return Math.floor(addr / TWO32) * TWO32 + v; }
function setHigh(addr: number, v: number): number { return (v & 0xffff) * TWO32 + (addr % TWO32); } // IOVAs < 2^48
