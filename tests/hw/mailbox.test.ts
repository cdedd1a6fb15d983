import { describe, expect, it } from 'vitest';
import { Aic, AIC_MASK_CLR } from '../../hw/aic';
import { Clock } from '../../hw/clock';
import { HostMailbox, MBOX_QUEUE_LIMIT } from '../../hw/mailbox';
import {
  MBOX_IN_DATA, MBOX_IN_LEN, MBOX_IN_POP, MBOX_IRQ_ENABLE, MBOX_MAGIC, MBOX_MAGIC_VALUE,
  MBOX_OUT_DATA, MBOX_OUT_LEN, MBOX_OUT_SEND, MBOX_STATUS, MBOX_WINDOW_WORDS, AGENT_MAX_MSG_WORDS, AGENT_WORDS, MSG_MAX_WORDS,
} from '../../host/abi';
import { MAILBOX_IRQ, MAILBOX_SIZE } from '../../hw/memmap';

function setup() {
  const aic = new Aic(new Clock());
  aic.write32(AIC_MASK_CLR + 4 * (MAILBOX_IRQ >> 5), 1 << (MAILBOX_IRQ & 31));
  return { aic, mb: new HostMailbox(aic) };
}

describe('host mailbox', () => {
  it('delivers host messages in order and raises its line only when enabled', () => {
    const { aic, mb } = setup();
    expect(mb.read32(MBOX_MAGIC)).toBe(MBOX_MAGIC_VALUE);
    mb.post([1, 2, 3]);
    mb.post([0xffffffff]);
    expect(aic.irqOutput()).toBe(false);
    mb.write32(MBOX_IRQ_ENABLE, 1);
    expect(aic.irqOutput()).toBe(true);
    expect(mb.read32(MBOX_STATUS)).toBe((2 << 16) | 1);
    expect(mb.read32(MBOX_IN_LEN)).toBe(3);
    expect([0, 1, 2].map((i) => mb.read32(MBOX_IN_DATA + 4 * i))).toEqual([1, 2, 3]);
    mb.write32(MBOX_IN_POP, 1);
    expect(mb.read32(MBOX_IN_DATA)).toBe(0xffffffff);
    mb.write32(MBOX_IN_POP, 1);
    expect(mb.read32(MBOX_STATUS)).toBe(0);
    expect(aic.irqOutput()).toBe(false);
  });

  it('sends guest messages to the host', () => {
    const { mb } = setup();
    const got: number[][] = [];
    mb.onMessage = (w) => got.push(Array.from(w));
    mb.write32(MBOX_OUT_DATA, 7);
    mb.write32(MBOX_OUT_DATA + 4, 8);
    mb.write32(MBOX_OUT_LEN, 2);
    mb.write32(MBOX_OUT_SEND, 1);
    mb.write32(MBOX_OUT_LEN, 1000); // clipped to the window
    expect(mb.read32(MBOX_OUT_LEN)).toBe(MBOX_WINDOW_WORDS);
    expect(got).toEqual([[7, 8]]);
  });

  it('refuses oversized messages and a full queue without losing queued ones', () => {
    const { mb } = setup();
    expect(mb.post(new Array(MBOX_WINDOW_WORDS + 1).fill(0))).toBe(false);
    expect(mb.post(new Array(MBOX_WINDOW_WORDS).fill(0))).toBe(true);
    mb.write32(MBOX_IN_POP, 1);
    for (let i = 0; i < MBOX_QUEUE_LIMIT; i++) expect(mb.post([i])).toBe(true);
    expect(mb.post([9])).toBe(false);
    expect(mb.pending()).toBe(MBOX_QUEUE_LIMIT);
    expect(mb.read32(MBOX_IN_DATA)).toBe(0);
  });

  it('fits a whole IPC message in the agent frame both ways', () => {
    expect(AGENT_WORDS + 2 * AGENT_MAX_MSG_WORDS).toBeLessThanOrEqual(MBOX_WINDOW_WORDS);
    expect(AGENT_MAX_MSG_WORDS).toBe(MSG_MAX_WORDS);
    expect(MBOX_IN_DATA + 4 * MBOX_WINDOW_WORDS).toBeLessThanOrEqual(MBOX_OUT_DATA);
    expect(MBOX_OUT_DATA + 4 * MBOX_WINDOW_WORDS).toBeLessThanOrEqual(MAILBOX_SIZE);
  });

  it('round-trips its state through snapshot/restore', () => {
    const { aic, mb } = setup();
    mb.post([5]);
    mb.write32(MBOX_IRQ_ENABLE, 1);
    const s = JSON.parse(JSON.stringify(mb.snapshot()));
    const other = new HostMailbox(aic);
    other.restore(s);
    expect(other.read32(MBOX_IN_DATA)).toBe(5);
    expect(other.read32(MBOX_IRQ_ENABLE)).toBe(1);
  });
});
