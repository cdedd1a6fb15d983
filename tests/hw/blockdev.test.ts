import { beforeEach, describe, expect, it } from 'vitest';
import { AIC_EVENT, AIC_MASK_CLR, Aic } from '../../hw/aic';
import {
  BLK_CAPACITY_HI,
  BLK_CAPACITY_LO,
  BLK_CMD,
  BLK_CMD_FLUSH,
  BLK_CMD_READ,
  BLK_CMD_WRITE,
  BLK_COUNT,
  BLK_DMA_HI,
  BLK_DMA_LO,
  BLK_IRQ_ACK,
  BLK_MAGIC,
  BLK_SECTOR_HI,
  BLK_SECTOR_LO,
  BLK_STATUS,
  BLK_STATUS_BUSY,
  BLK_STATUS_DONE,
  BLK_STATUS_ERROR,
  BLOCK_ERR_BAD_CMD,
  BLOCK_ERR_DMA,
  BLOCK_ERR_RANGE,
  BLOCK_LATENCY_BASE,
  BLOCK_LATENCY_PER_SECTOR,
  BlockDevice,
  MemoryBlockStore,
} from '../../hw/blockdev';
import { Clock } from '../../hw/clock';
import { BLOCK_IRQ, DRAM_BASE } from '../../hw/memmap';
import { Ram } from '../../hw/ram';
import { DART_STREAMS_ENABLE, DART_TCR, Dart, type DmaPort } from '../../hw/dart';

describe('mlk,block', () => {
  let clock: Clock;
  let aic: Aic;
  let ram: Ram;
  let store: MemoryBlockStore;
  let dev: BlockDevice;
  let port: DmaPort;
  let flushed: number;

  const program = (sector: number, count: number, pa: number, cmd: number) => {
    dev.write32(BLK_SECTOR_LO, sector >>> 0);
    dev.write32(BLK_SECTOR_HI, Math.floor(sector / 2 ** 32));
    dev.write32(BLK_COUNT, count);
    dev.write32(BLK_DMA_LO, pa >>> 0);
    dev.write32(BLK_DMA_HI, Math.floor(pa / 2 ** 32));
    dev.write32(BLK_CMD, cmd);
  };
  /** Run the clock to the device's deadline, as the machine does. */
  const runToCompletion = () => {
    const d = dev.nextDeadline();
    expect(Number.isFinite(d)).toBe(true);
    clock.advance(d - clock.ticks);
    dev.tick(clock.ticks);
  };

  beforeEach(() => {
    clock = new Clock();
    aic = new Aic(clock);
    ram = new Ram(1 << 20);
    const img = new Uint8Array(64 * 512);
    for (let i = 0; i < img.length; i++) img[i] = (i >> 9) + (i & 0xff);
    store = new MemoryBlockStore(img);
    flushed = 0;
    (store as MemoryBlockStore & { flush(): void }).flush = () => flushed++;
    // the DART stream in bypass (Linux's identity domain): IOVA = PA, as these tests address RAM
    const dart = new Dart(ram, aic);
    dart.write32(DART_STREAMS_ENABLE, 0xffff_ffff);
    dart.write32(DART_TCR(0), 0x1100);
    port = dart.port(0);
    dev = new BlockDevice(port, aic, store, clock);
    aic.write32(AIC_MASK_CLR + 4 * (BLOCK_IRQ >> 5), 1 << (BLOCK_IRQ & 31));
  });

  it('identifies itself and its capacity', () => {
    expect(dev.read32(BLK_MAGIC)).toBe(0x4d4c4b42);
    expect(dev.read32(BLK_CAPACITY_LO)).toBe(64);
    expect(dev.read32(BLK_CAPACITY_HI)).toBe(0);
    expect(dev.nextDeadline()).toBe(Infinity);
  });

  it('READ: busy for exactly the documented latency, DMA into RAM, IRQ, ack', () => {
    const pa = DRAM_BASE + 0x1000;
    clock.advance(50);
    program(3, 2, pa, BLK_CMD_READ);
    expect(dev.read32(BLK_STATUS)).toBe(BLK_STATUS_BUSY);
    expect(dev.nextDeadline()).toBe(50 + BLOCK_LATENCY_BASE + 2 * BLOCK_LATENCY_PER_SECTOR);
    dev.tick(dev.nextDeadline() - 1);
    expect(dev.read32(BLK_STATUS)).toBe(BLK_STATUS_BUSY);
    expect(ram.read8(pa)).toBe(0);
    runToCompletion();
    expect(dev.read32(BLK_STATUS)).toBe(BLK_STATUS_DONE);
    expect(ram.slice(pa, 1024)).toEqual(store.data.slice(3 * 512, 5 * 512));
    expect(aic.irqOutput()).toBe(true);
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | BLOCK_IRQ);
    dev.write32(BLK_IRQ_ACK, BLK_STATUS_DONE);
    expect(dev.read32(BLK_STATUS)).toBe(0);
    aic.write32(AIC_MASK_CLR + 4 * (BLOCK_IRQ >> 5), 1 << (BLOCK_IRQ & 31));
    expect(aic.irqOutput()).toBe(false);
    expect(dev.nextDeadline()).toBe(Infinity);
  });

  it('WRITE copies RAM to the store; FLUSH reaches the store', () => {
    const pa = DRAM_BASE + 0x2000;
    for (let i = 0; i < 512; i++) ram.write8(pa + i, 0xa5 ^ i);
    program(10, 1, pa, BLK_CMD_WRITE);
    runToCompletion();
    expect(dev.read32(BLK_STATUS)).toBe(BLK_STATUS_DONE);
    expect(store.read(10, 1)).toEqual(ram.slice(pa, 512));
    dev.write32(BLK_IRQ_ACK, BLK_STATUS_DONE);
    dev.write32(BLK_CMD, BLK_CMD_FLUSH);
    expect(dev.nextDeadline()).toBe(clock.ticks + BLOCK_LATENCY_BASE);
    runToCompletion();
    expect(flushed).toBe(1);
    expect(dev.read32(BLK_STATUS)).toBe(BLK_STATUS_DONE);
  });

  it('DMA outside RAM completes with an error, never an exception', () => {
    program(0, 4, DRAM_BASE + (1 << 20) - 512, BLK_CMD_READ);
    expect(() => runToCompletion()).not.toThrow();
    const st = dev.read32(BLK_STATUS);
    expect(st & BLK_STATUS_ERROR).toBeTruthy();
    expect((st >> 8) & 0xff).toBe(BLOCK_ERR_DMA);
    expect(aic.irqOutput()).toBe(true);
    dev.write32(BLK_IRQ_ACK, BLK_STATUS_ERROR);
    expect(dev.read32(BLK_STATUS)).toBe(0);
    program(0, 1, 0x1000, BLK_CMD_WRITE); // not RAM at all
    runToCompletion();
    expect((dev.read32(BLK_STATUS) >> 8) & 0xff).toBe(BLOCK_ERR_DMA);
  });

  it('rejects sectors past the end and unknown commands', () => {
    program(63, 2, DRAM_BASE, BLK_CMD_READ);
    runToCompletion();
    expect((dev.read32(BLK_STATUS) >> 8) & 0xff).toBe(BLOCK_ERR_RANGE);
    dev.write32(BLK_IRQ_ACK, BLK_STATUS_ERROR);
    dev.write32(BLK_CMD, 99);
    runToCompletion();
    expect((dev.read32(BLK_STATUS) >> 8) & 0xff).toBe(BLOCK_ERR_BAD_CMD);
  });

  it('ignores CMD while busy', () => {
    program(0, 1, DRAM_BASE, BLK_CMD_READ);
    const d = dev.nextDeadline();
    dev.write32(BLK_CMD, BLK_CMD_FLUSH);
    expect(dev.nextDeadline()).toBe(d);
    expect(dev.read32(BLK_CMD)).toBe(BLK_CMD_READ);
  });

  it('defaults to the AIC clock and round-trips a snapshot mid-command', () => {
    const d2 = new BlockDevice(port, aic, store);
    clock.advance(7);
    d2.write32(BLK_COUNT, 1);
    d2.write32(BLK_DMA_LO, DRAM_BASE >>> 0);
    d2.write32(BLK_DMA_HI, DRAM_BASE / 2 ** 32);
    d2.write32(BLK_CMD, BLK_CMD_READ);
    expect(d2.nextDeadline()).toBe(7 + BLOCK_LATENCY_BASE + BLOCK_LATENCY_PER_SECTOR);
    const s = JSON.parse(JSON.stringify(d2.snapshot()));
    const d3 = new BlockDevice(port, aic, store);
    d3.restore(s);
    expect(d3.state()).toEqual(d2.state());
    clock.advance(d3.nextDeadline() - clock.ticks);
    d3.tick(clock.ticks);
    expect(d3.read32(BLK_STATUS)).toBe(BLK_STATUS_DONE);
    expect(ram.slice(DRAM_BASE, 512)).toEqual(store.data.slice(0, 512));
  });
});
