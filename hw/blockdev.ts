// "mlk,block": MyLittleKernel's DMA block device (not Apple hardware; the real Mac mini has an
// NVMe controller behind ANS2, far beyond what the playground needs). It is modelled like a
// simple SoC peripheral: 32-bit registers at BLOCK_BASE, a level-high interrupt line to the AIC
// (IRQ 700), 512-byte sectors, bus-master DMA through the DART (hw/dart.ts, stream
// BLOCK_DART_SID): the DMA address is an IO virtual address the DART translates, never a raw PA.
//
// Registers (offsets from BLOCK_BASE):
//   0x00 MAGIC        RO  0x4d4c4b42 ("MLKB")
//   0x04 CAPACITY_LO  RO  capacity in sectors, low / high word
//   0x08 CAPACITY_HI  RO
//   0x0C SECTOR_LO    RW  first sector of the next command
//   0x10 SECTOR_HI    RW
//   0x14 COUNT        RW  sectors to transfer
//   0x18 DMA_LO       RW  IO virtual address (IOVA) of the buffer, translated by the DART
//   0x1C DMA_HI       RW
//   0x20 CMD          WO  1 = READ (disk → RAM), 2 = WRITE (RAM → disk), 3 = FLUSH; reads the
//                         last command. Ignored while BUSY.
//   0x24 STATUS       RO  bit0 BUSY, bit1 DONE, bit2 ERROR, [15:8] error code (BLOCK_ERR_*)
//   0x28 IRQ_ACK      W1C bit1 clears DONE, bit2 clears ERROR (and the error code)
//   0x2C SECTOR_SIZE  RO  512
//
// Protocol: program SECTOR/COUNT/DMA, write CMD. BUSY is set and DONE/ERROR are cleared; the
// command completes after a fixed virtual latency of BLOCK_LATENCY_BASE + BLOCK_LATENCY_PER_SECTOR
// × COUNT ticks (flush and rejected commands: BLOCK_LATENCY_BASE), when the machine calls tick()
// with the clock at or past nextDeadline(). Arguments are checked when CMD is written; the data is
// moved at completion (the driver must leave the buffer alone while BUSY). Completion clears BUSY
// and sets DONE, or ERROR with a code. The interrupt line is DONE ∨ ERROR (updateIrq()).
// The transfer is translated page by page at completion, before any byte moves: a DART fault
// (unmapped IOVA, missing permission; the DART latches it and raises its own IRQ) or a buffer not
// entirely in RAM is an ERROR completion with BLOCK_ERR_DMA and moves nothing, never an exception.

import type { Aic } from './aic';
import type { MmioDevice } from './bus';
import type { Clock } from './clock';
import type { DmaPort } from './dart';
import { BLOCK_BASE, BLOCK_IRQ, BLOCK_SIZE } from './memmap';

export const BLK_MAGIC = 0x00;
export const BLK_CAPACITY_LO = 0x04;
export const BLK_CAPACITY_HI = 0x08;
export const BLK_SECTOR_LO = 0x0c;
export const BLK_SECTOR_HI = 0x10;
export const BLK_COUNT = 0x14;
export const BLK_DMA_LO = 0x18;
export const BLK_DMA_HI = 0x1c;
export const BLK_CMD = 0x20;
export const BLK_STATUS = 0x24;
export const BLK_IRQ_ACK = 0x28;
export const BLK_SECTOR_SIZE_REG = 0x2c;

export const BLK_MAGIC_VALUE = 0x4d4c4b42; // "MLKB"
export const BLOCK_SECTOR_SIZE = 512;

export const BLK_CMD_READ = 1;
export const BLK_CMD_WRITE = 2;
export const BLK_CMD_FLUSH = 3;

export const BLK_STATUS_BUSY = 1 << 0;
export const BLK_STATUS_DONE = 1 << 1;
export const BLK_STATUS_ERROR = 1 << 2;
export const BLK_STATUS_ERR_SHIFT = 8;

export const BLOCK_ERR_BAD_CMD = 1; // unknown command
export const BLOCK_ERR_RANGE = 2; // SECTOR + COUNT beyond the capacity
export const BLOCK_ERR_DMA = 3; // the DART refused the transfer, or the buffer is not entirely in RAM
export const BLOCK_ERR_COUNT = 4; // COUNT = 0 for READ/WRITE
export const BLOCK_ERR_IO = 5; // the backing store failed

export const BLOCK_LATENCY_BASE = 2000;
export const BLOCK_LATENCY_PER_SECTOR = 10;

/** Host-side storage behind the device. */
export interface BlockStore {
  readonly sectors: number;
  read(sector: number, count: number): Uint8Array;
  write(sector: number, data: Uint8Array): void;
  /**
   * Makes every earlier write durable. A store that persists asynchronously (IndexedDB) returns a
   * promise: FLUSH then stays BUSY until it settles (an ERROR completion when it rejects).
   */
  flush?(): void | Promise<void>;
}

/** A disk image held in memory. */
export class MemoryBlockStore implements BlockStore {
  readonly data: Uint8Array;
  readonly sectors: number;

  /** A blank disk of n sectors, or a copy of an image (padded to whole sectors). */
  constructor(init: number | Uint8Array) {
    if (typeof init === 'number') {
      if (!Number.isInteger(init) || init < 0) throw new RangeError(`MemoryBlockStore: bad size ${init}`);
      this.data = new Uint8Array(init * BLOCK_SECTOR_SIZE);
    } else {
      this.data = new Uint8Array(Math.ceil(init.length / BLOCK_SECTOR_SIZE) * BLOCK_SECTOR_SIZE);
      this.data.set(init);
    }
    this.sectors = this.data.length / BLOCK_SECTOR_SIZE;
  }

  read(sector: number, count: number): Uint8Array {
    this.check(sector, count);
    return this.data.slice(sector * BLOCK_SECTOR_SIZE, (sector + count) * BLOCK_SECTOR_SIZE);
  }

  write(sector: number, data: Uint8Array): void {
    if (data.length % BLOCK_SECTOR_SIZE !== 0) throw new RangeError('MemoryBlockStore.write: partial sector');
    this.check(sector, data.length / BLOCK_SECTOR_SIZE);
    this.data.set(data, sector * BLOCK_SECTOR_SIZE);
  }

  private check(sector: number, count: number): void {
    if (sector < 0 || count < 0 || sector + count > this.sectors) throw new RangeError('MemoryBlockStore: out of range');
  }
}

interface BlockSnapshot {
  sector: number;
  count: number;
  dma: number;
  cmd: number;
  status: number;
  deadline: number | null;
  pendingError: number;
}

const HI = 0x1_0000_0000;

export class BlockDevice implements MmioDevice {
  readonly name = 'block';
  readonly size = BLOCK_SIZE;

  /** SECTOR_LO/HI: first sector. */
  private sector = 0;
  /** COUNT. */
  private count = 0;
  /** DMA_LO/HI: buffer IOVA. */
  private dma = 0;
  /** CMD: last command written. */
  private cmd = 0;
  /** STATUS: BUSY/DONE/ERROR and error code. */
  private status = 0;
  /** Counter value at which the command in flight completes (Infinity when idle). */
  private deadline = Infinity;
  /** Error code decided when CMD was written (0 = none); reported at completion. */
  private pendingError = 0;
  /** Current level of the interrupt line. */
  private irqLevel = false;
  /** A FLUSH waiting for the store's promise. */
  private flushing: { settled: boolean; failed: boolean } | null = null;

  /**
   * The clock defaults to the AIC's: the SoC timebase both count (the latency is virtual time).
   */
  constructor(
    private readonly port: DmaPort,
    private readonly aic: Aic,
    public store: BlockStore,
    private readonly clock: Clock = aic.clock,
    readonly base = BLOCK_BASE,
    readonly irq = BLOCK_IRQ,
  ) {
    this.aic.setLine(this.irq, false);
  }

  read32(offset: number): number {
    switch (offset) {
      case BLK_MAGIC:
        return BLK_MAGIC_VALUE;
      case BLK_CAPACITY_LO:
        return this.store.sectors % HI >>> 0;
      case BLK_CAPACITY_HI:
        return Math.floor(this.store.sectors / HI) >>> 0;
      case BLK_SECTOR_LO:
        return this.sector % HI >>> 0;
      case BLK_SECTOR_HI:
        return Math.floor(this.sector / HI) >>> 0;
      case BLK_COUNT:
        return this.count;
      case BLK_DMA_LO:
        return this.dma % HI >>> 0;
      case BLK_DMA_HI:
        return Math.floor(this.dma / HI) >>> 0;
      case BLK_CMD:
        return this.cmd;
      case BLK_STATUS:
        return this.status;
      case BLK_SECTOR_SIZE_REG:
        return BLOCK_SECTOR_SIZE;
    }
    return 0;
  }

  write32(offset: number, value: number): void {
    const v = value >>> 0;
    // The HI halves are limited to 21 bits so that every address stays below 2^53.
    switch (offset) {
      case BLK_SECTOR_LO:
        this.sector = Math.floor(this.sector / HI) * HI + v;
        return;
      case BLK_SECTOR_HI:
        this.sector = (v & 0x1fffff) * HI + (this.sector % HI);
        return;
      case BLK_COUNT:
        this.count = v;
        return;
      case BLK_DMA_LO:
        this.dma = Math.floor(this.dma / HI) * HI + v;
        return;
      case BLK_DMA_HI:
        this.dma = (v & 0x1fffff) * HI + (this.dma % HI);
        return;
      case BLK_CMD:
        this.submit(v);
        return;
      case BLK_IRQ_ACK:
        if (v & BLK_STATUS_DONE) this.status &= ~BLK_STATUS_DONE;
        if (v & BLK_STATUS_ERROR) this.status &= ~(BLK_STATUS_ERROR | (0xff << BLK_STATUS_ERR_SHIFT));
        this.updateIrq();
        return;
    }
  }

  private submit(cmd: number): void {
    if (this.status & BLK_STATUS_BUSY) return;
    this.cmd = cmd;
    let err = 0;
    let latency = BLOCK_LATENCY_BASE;
    if (cmd === BLK_CMD_READ || cmd === BLK_CMD_WRITE) {
      if (this.count === 0) err = BLOCK_ERR_COUNT;
      else if (this.sector + this.count > this.store.sectors) err = BLOCK_ERR_RANGE;
      else latency += BLOCK_LATENCY_PER_SECTOR * this.count;
    } else if (cmd !== BLK_CMD_FLUSH) {
      err = BLOCK_ERR_BAD_CMD;
    }
    this.pendingError = err;
    this.status = BLK_STATUS_BUSY;
    this.deadline = this.clock.ticks + latency;
    this.updateIrq();
  }

  /** Counter value at which the command in flight completes, Infinity when idle. */
  nextDeadline(): number {
    return this.deadline;
  }

  /** Called by the machine when the clock reaches nextDeadline(): complete the command. */
  tick(now: number): void {
    if (!(this.status & BLK_STATUS_BUSY) || now < this.deadline) return;
    let err = this.pendingError;
    if (this.flushing) {
      // the store has not confirmed yet: look again one command latency later (virtual time)
      if (!this.flushing.settled) { this.deadline = now + BLOCK_LATENCY_BASE; return; }
      err = this.flushing.failed ? BLOCK_ERR_IO : 0;
      this.flushing = null;
    } else if (err === 0) {
      err = this.perform();
      if (this.flushing) { this.deadline = now + BLOCK_LATENCY_BASE; return; }
    }
    this.deadline = Infinity;
    this.pendingError = 0;
    this.status = err === 0 ? BLK_STATUS_DONE : BLK_STATUS_ERROR | (err << BLK_STATUS_ERR_SHIFT);
    this.updateIrq();
  }

  /** Move the data of the command in flight; returns an error code (0 = ok). */
  private perform(): number {
    try {
      if (this.cmd === BLK_CMD_READ) {
        const data = this.store.read(this.sector, this.count);
        if (data.length !== this.count * BLOCK_SECTOR_SIZE) return BLOCK_ERR_IO;
        if (!this.port.write(this.dma, data)) return BLOCK_ERR_DMA;
      } else if (this.cmd === BLK_CMD_WRITE) {
        const data = this.port.read(this.dma, this.count * BLOCK_SECTOR_SIZE);
        if (!data) return BLOCK_ERR_DMA;
        this.store.write(this.sector, data);
      } else {
        const done = this.store.flush?.();
        if (done) {
          const f = { settled: false, failed: false };
          done.then(() => { f.settled = true; }, () => { f.settled = true; f.failed = true; });
          this.flushing = f;
        }
      }
      return 0;
    } catch {
      return BLOCK_ERR_IO;
    }
  }

  private updateIrq(force = false): void {
    const level = (this.status & (BLK_STATUS_DONE | BLK_STATUS_ERROR)) !== 0;
    if (force || level !== this.irqLevel) {
      this.irqLevel = level;
      this.aic.setLine(this.irq, level);
    }
  }

  state(): { sector: number; count: number; dma: number; cmd: number; status: number; busy: boolean; deadline: number | null; capacity: number; irq: boolean } {
    return {
      sector: this.sector,
      count: this.count,
      dma: this.dma,
      cmd: this.cmd,
      status: this.status,
      busy: (this.status & BLK_STATUS_BUSY) !== 0,
      deadline: Number.isFinite(this.deadline) ? this.deadline : null,
      capacity: this.store.sectors,
      irq: this.irqLevel,
    };
  }

  /** Register and in-flight state; the disk contents belong to the BlockStore. */
  snapshot(): BlockSnapshot {
    return {
      sector: this.sector,
      count: this.count,
      dma: this.dma,
      cmd: this.cmd,
      status: this.status,
      deadline: Number.isFinite(this.deadline) ? this.deadline : null,
      pendingError: this.pendingError,
    };
  }

  restore(s: unknown): void {
    const v = s as BlockSnapshot;
    if (typeof v?.status !== 'number' || typeof v.sector !== 'number') throw new Error('BlockDevice.restore: bad snapshot');
    this.sector = v.sector;
    this.count = v.count;
    this.dma = v.dma;
    this.cmd = v.cmd;
    this.status = v.status;
    this.deadline = v.deadline === null ? Infinity : v.deadline;
    this.pendingError = v.pendingError;
    this.flushing = null; // a FLUSH in flight is performed again at its deadline
    this.updateIrq(true);
  }
}
