// The block device's FLUSH over a store that persists asynchronously (the page's IndexedDB disk):
// the command stays BUSY until the store's promise settles, so the file system, which replies only
// after a FLUSH, never acknowledges a write that a reload could still lose.
import { describe, expect, it } from 'vitest';
import { Aic } from '../../hw/aic';
import {
  BLK_CMD, BLK_CMD_FLUSH, BLK_STATUS, BLK_STATUS_BUSY, BLK_STATUS_DONE, BLK_STATUS_ERROR, BLK_STATUS_ERR_SHIFT,
  BLOCK_ERR_IO, BlockDevice, MemoryBlockStore,
} from '../../hw/blockdev';
import { Clock } from '../../hw/clock';
import type { DmaPort } from '../../hw/dart';

function setup() {
  const clock = new Clock();
  const aic = new Aic(clock);
  // FLUSH moves no data, so the device's DMA port (its DART stream) refuses every transfer.
  const port: DmaPort = { read: () => null, write: () => false };
  const store = new MemoryBlockStore(64);
  let settle: { ok: () => void; fail: () => void } | null = null;
  (store as MemoryBlockStore & { flush(): Promise<void> }).flush = () =>
    new Promise<void>((ok, fail) => { settle = { ok, fail: () => fail(new Error('quota')) }; });
  const dev = new BlockDevice(port, aic, store, clock);
  /** Runs the clock to the device's next deadline, as the machine does. */
  const toDeadline = () => { clock.advance(dev.nextDeadline() - clock.ticks); dev.tick(clock.ticks); };
  return { dev, toDeadline, settle: () => settle! };
}

const microtasks = () => new Promise<void>((r) => setTimeout(r, 0));

describe('FLUSH over an asynchronous store', () => {
  it('completes only once the store has saved', async () => {
    const { dev, toDeadline, settle } = setup();
    dev.write32(BLK_CMD, BLK_CMD_FLUSH);
    for (let i = 0; i < 5; i++) {
      toDeadline();
      expect(dev.read32(BLK_STATUS) & BLK_STATUS_BUSY).toBe(BLK_STATUS_BUSY);
      expect(Number.isFinite(dev.nextDeadline())).toBe(true); // the machine keeps time moving
    }
    settle().ok();
    await microtasks();
    toDeadline();
    expect(dev.read32(BLK_STATUS)).toBe(BLK_STATUS_DONE);
  });

  it('reports an I/O error when the save fails', async () => {
    const { dev, toDeadline, settle } = setup();
    dev.write32(BLK_CMD, BLK_CMD_FLUSH);
    toDeadline();
    settle().fail();
    await microtasks();
    toDeadline();
    expect(dev.read32(BLK_STATUS)).toBe(BLK_STATUS_ERROR | (BLOCK_ERR_IO << BLK_STATUS_ERR_SHIFT));
  });
});
