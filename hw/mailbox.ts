// "mlk,host-mailbox": MyLittleKernel's doorbell between the host (the playground UI, a test) and
// one user-space driver (the playground agent, DESIGN D9). Not Apple hardware; it follows the shape
// of SoC mailboxes such as Apple's ASC mailbox (a FIFO of messages + a "not empty" interrupt) with
// the message body in a register window. The host can only queue messages here; it never writes
// RAM or kernel state, so everything the UI asks for goes through a capability-checked service.
//
// Registers (offsets from MAILBOX_BASE, 32-bit; declared in abi/mailbox.json, MBOX_* of host/abi.ts):
//   0x00 MAGIC       RO  0x4d4c4b4d ("MLKM")
//   0x04 STATUS      RO  bit0 IN_READY (a host message waits in IN_DATA), [31:16] messages queued
//   0x08 IN_LEN      RO  words in the current inbound message (0 when none)
//   0x0C IN_POP      WO  write 1: done with the current inbound message, show the next
//   0x10 OUT_LEN     RW  words of the outbound message being composed (≤ 256)
//   0x14 OUT_SEND    WO  write 1: send OUT_DATA[0..OUT_LEN) to the host
//   0x18 IRQ_ENABLE  RW  bit0: raise the interrupt while IN_READY
//   0x400 IN_DATA[256]  RO  inbound message words
//   0x800 OUT_DATA[256] RW  outbound message words
// A window of 256 words holds the agent's frame of a whole IPC message (5 + 2 × 64 words).
// The interrupt line (AIC IRQ 701) = IRQ_ENABLE ∧ IN_READY, level-high.

import type { Aic } from './aic';
import type { MmioDevice } from './bus';
import { MAILBOX_BASE, MAILBOX_IRQ, MAILBOX_SIZE } from './memmap';
import {
  MBOX_IN_DATA, MBOX_IN_LEN, MBOX_IN_POP, MBOX_IRQ_ENABLE, MBOX_MAGIC, MBOX_MAGIC_VALUE, MBOX_OUT_DATA,
  MBOX_OUT_LEN, MBOX_OUT_SEND, MBOX_STATUS, MBOX_STATUS_IN_READY, MBOX_WINDOW_WORDS,
} from '../host/abi';

/** Host messages beyond this many are refused (post() returns false) rather than queued forever. */
export const MBOX_QUEUE_LIMIT = 256;

export class HostMailbox implements MmioDevice {
  readonly name = 'mailbox';
  readonly size = MAILBOX_SIZE;
  /** Called with each message the guest sends. */
  onMessage: ((words: Uint32Array) => void) | null = null;
  /** Called with each message the host queued (an outside input, for record/replay). */
  onPost: ((words: Uint32Array) => void) | null = null;

  private inbox: Uint32Array[] = [];
  private outLen = 0;
  private readonly out = new Uint32Array(MBOX_WINDOW_WORDS);
  private irqEnable = 0;
  private irqLevel = false;

  constructor(private readonly aic: Aic, readonly base = MAILBOX_BASE, readonly irq = MAILBOX_IRQ) {
    this.aic.setLine(this.irq, false);
  }

  /** Host side: queue a message for the guest. Returns false (and drops nothing queued) when full or too long. */
  post(words: ArrayLike<number>): boolean {
    if (words.length > MBOX_WINDOW_WORDS || this.inbox.length >= MBOX_QUEUE_LIMIT) return false;
    const message = Uint32Array.from(words, (w) => w >>> 0);
    this.inbox.push(message);
    this.updateIrq();
    this.onPost?.(message);
    return true;
  }

  pending(): number {
    return this.inbox.length;
  }

  read32(offset: number): number {
    const cur = this.inbox[0];
    if (offset >= MBOX_IN_DATA && offset < MBOX_IN_DATA + 4 * MBOX_WINDOW_WORDS) {
      const i = (offset - MBOX_IN_DATA) >> 2;
      return cur && i < cur.length ? cur[i] : 0;
    }
    if (offset >= MBOX_OUT_DATA && offset < MBOX_OUT_DATA + 4 * MBOX_WINDOW_WORDS) return this.out[(offset - MBOX_OUT_DATA) >> 2];
    switch (offset) {
      case MBOX_MAGIC: return MBOX_MAGIC_VALUE;
      case MBOX_STATUS: return ((Math.min(this.inbox.length, 0xffff) << 16) | (cur ? MBOX_STATUS_IN_READY : 0)) >>> 0;
      case MBOX_IN_LEN: return cur ? cur.length : 0;
      case MBOX_OUT_LEN: return this.outLen;
      case MBOX_IRQ_ENABLE: return this.irqEnable;
      default: return 0;
    }
  }

  write32(offset: number, value: number): void {
    value >>>= 0;
    if (offset >= MBOX_OUT_DATA && offset < MBOX_OUT_DATA + 4 * MBOX_WINDOW_WORDS) {
      this.out[(offset - MBOX_OUT_DATA) >> 2] = value;
      return;
    }
    switch (offset) {
      case MBOX_IN_POP:
        if (value & 1) this.inbox.shift();
        break;
      case MBOX_OUT_LEN:
        this.outLen = Math.min(value, MBOX_WINDOW_WORDS);
        break;
      case MBOX_OUT_SEND:
        if (value & 1) this.onMessage?.(this.out.slice(0, this.outLen));
        break;
      case MBOX_IRQ_ENABLE:
        this.irqEnable = value & 1;
        break;
    }
    this.updateIrq();
  }

  state(): { queued: number; irqEnable: boolean; line: boolean } {
    return { queued: this.inbox.length, irqEnable: this.irqEnable === 1, line: this.irqLevel };
  }

  snapshot(): unknown {
    return { inbox: this.inbox.map((m) => Array.from(m)), outLen: this.outLen, out: Array.from(this.out), irqEnable: this.irqEnable };
  }

  restore(s: unknown): void {
    const v = s as { inbox: number[][]; outLen: number; out: number[]; irqEnable: number };
    const words = (a: unknown, max: number) => Array.isArray(a) && a.length <= max && a.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff);
    if (!Array.isArray(v?.inbox) || v.inbox.length > MBOX_QUEUE_LIMIT || !v.inbox.every((m) => words(m, MBOX_WINDOW_WORDS)) ||
      !words(v.out, MBOX_WINDOW_WORDS) || !Number.isInteger(v.outLen) || !Number.isInteger(v.irqEnable))
      throw new Error('HostMailbox.restore: bad snapshot');
    this.inbox = v.inbox.map((m) => Uint32Array.from(m));
    this.outLen = Math.min(v.outLen >>> 0, MBOX_WINDOW_WORDS);
    this.out.fill(0);
    this.out.set(v.out);
    this.irqEnable = v.irqEnable & 1;
    this.updateIrq(true);
  }

  private updateIrq(force = false): void {
    const level = this.irqEnable === 1 && this.inbox.length > 0;
    if (force || level !== this.irqLevel) {
      this.irqLevel = level;
      this.aic.setLine(this.irq, level);
    }
  }
}
