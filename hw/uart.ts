// Samsung-style UART as found on Apple SoCs ("apple,s5l-uart"), modelled on UART0 of the t8103
// (0x2_3520_0000, AIC IRQ 605). Register offsets and bits follow shared reference apple-m1.md
// §3.2–§3.4, which restates Linux include/linux/serial_s3c.h (S3C2410_* and APPLE_S5L_* defines),
// drivers/tty/serial/samsung_tty.c and m1n1 src/uart_regs.h.
//
// Model:
//  * RX: a 16-byte FIFO (1 byte when UFCON.FIFO_EN = 0) fed from an unbounded host-side input
//    queue. The line has flow control: bytes wait in the host queue while the FIFO is full or the
//    receiver is off (UCON[1:0] = 0) and move in as the FIFO drains, so no input is ever lost and
//    UERSTAT never reports an overrun. Strings are sent as UTF-8; Uint8Array input is taken as is.
//  * TX: while the transmitter is on (UCON[3:2] ≠ 0) every byte written to UTXH goes to
//    onTransmit at once, so the TX FIFO always reads empty (UFSTAT TX count 0, UTRSTAT TXBE = TXE =
//    1). While it is off, bytes wait in the 16-byte TX FIFO (further writes are lost, as on the
//    real part) and leave when UCON turns it on. Loopback (UCON bit 5) routes TX bytes to RX.
//  * Interrupt-pending bits in UTRSTAT (RXTHRESH 4, TXTHRESH 5, RXTO 9; bit 3 legacy RXTO is
//    never set on this SoC) are latched. After every register access or input arrival the device
//    re-evaluates them with this exact rule:
//      - RXTHRESH is set while UCON.RXTHRESH_ENA (bit 12) ∧ RX FIFO count > 0,
//      - RXTO     is set while UCON.RXTO_ENA     (bit  9) ∧ RX FIFO count > 0 ("data waiting"),
//      - TXTHRESH is edge-triggered (samsung_tty.c: "The Apple version only has edge triggered
//        TX IRQs"): it is set only when the TX FIFO drains from holding bytes to empty (the
//        threshold crossing) while UCON.TXTHRESH_ENA (bit 13) is set. Enabling TXTHRESH with an
//        empty FIFO raises nothing, and an acked TXTHRESH stays clear until bytes are written
//        and drain again; a driver kicks transmission itself (Linux enable_tx_pio calls
//        s3c24xx_serial_tx_chars) and then refills from the interrupt.
//      - RXTHRESH and RXTO are cleared when the RX FIFO is drained empty (nothing left to report;
//        this spares an ack-then-drain driver such as Linux's a spurious interrupt),
//      - a W1C write clears the written bits, and the rule above then re-asserts RXTHRESH/RXTO
//        while data is still in the FIFO (those are level-triggered); TXTHRESH is not re-asserted.
//    So a bit latched while enabled stays visible after its enable is cleared until W1C (which is
//    why drivers clear stale flags with 0x3F8 at startup).
//  * The line to the AIC is the OR of the pending bits whose UCON enable is set (updateIrq()).
//  * Reset = what iBoot leaves on UART0: ULCON 8N1, UCON 0b0101 (RX and TX in interrupt/polling
//    mode, no interrupt enables), UFCON FIFO enabled, UBRDIV 12 (115200 baud at 24 MHz).

import type { Aic } from './aic';
import type { MmioDevice } from './bus';
import { UART0_BASE, UART0_IRQ, UART0_SIZE } from './memmap';

// Register offsets (reference §3.2).
export const ULCON = 0x00;
export const UCON = 0x04;
export const UFCON = 0x08;
export const UMCON = 0x0c;
export const UTRSTAT = 0x10;
export const UERSTAT = 0x14;
export const UFSTAT = 0x18;
export const UMSTAT = 0x1c;
export const UTXH = 0x20;
export const URXH = 0x24;
export const UBRDIV = 0x28;
export const UFRACVAL = 0x2c;

// UCON bits (reference §3.3).
export const UCON_RXMODE_MASK = 0x3;
export const UCON_TXMODE_MASK = 0xc;
export const UCON_SBREAK = 1 << 4;
export const UCON_LOOPBACK = 1 << 5;
export const UCON_RXFIFO_TOI = 1 << 7;
export const UCON_RXTO_ENA = 1 << 9;
export const UCON_RXTO_LEGACY_ENA = 1 << 11;
export const UCON_RXTHRESH_ENA = 1 << 12;
export const UCON_TXTHRESH_ENA = 1 << 13;

// UFCON bits.
export const UFCON_FIFO_EN = 1 << 0;
export const UFCON_RESET_RX = 1 << 1;
export const UFCON_RESET_TX = 1 << 2;

// UTRSTAT bits (reference §3.4).
export const UTRSTAT_RXD = 1 << 0;
export const UTRSTAT_TXBE = 1 << 1;
export const UTRSTAT_TXE = 1 << 2;
export const UTRSTAT_RXTO_LEGACY = 1 << 3;
export const UTRSTAT_RXTHRESH = 1 << 4;
export const UTRSTAT_TXTHRESH = 1 << 5;
export const UTRSTAT_RXTO = 1 << 9;
/** APPLE_S5L_UTRSTAT_ALL_FLAGS = GENMASK(9, 3): the W1C bits. */
export const UTRSTAT_ALL_FLAGS = 0x3f8;

// UFSTAT fields.
export const UFSTAT_RXCNT_MASK = 0xf;
export const UFSTAT_TXCNT_SHIFT = 4;
export const UFSTAT_RXFULL = 1 << 8;
export const UFSTAT_TXFULL = 1 << 9;

export const UMSTAT_CTS = 1 << 0;

export const UART_FIFO_SIZE = 16;
/** Reset values as iBoot leaves UART0. */
export const UART_RESET = { ULCON: 0x3, UCON: 0x5, UFCON: UFCON_FIFO_EN, UBRDIV: 12 } as const;

export interface UartState {
  ulcon: number;
  ucon: number;
  ufcon: number;
  utrstat: number;
  ufstat: number;
  rxFifo: number;
  hostQueued: number;
  txFifo: number;
  irq: boolean;
  rxTotal: number;
  txTotal: number;
}

interface UartSnapshot {
  ulcon: number;
  ucon: number;
  ufcon: number;
  umcon: number;
  pending: number;
  uerstat: number;
  ubrdiv: number;
  ufracval: number;
  rx: number[];
  tx: number[];
  host: number[];
  irq: boolean;
  rxTotal: number;
  txTotal: number;
}

/** Unbounded FIFO of bytes from the host, stored as chunks (huge pastes are not copied per byte). */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // read position in chunks[0]
  length = 0;

  push(b: Uint8Array): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }

  shift(): number {
    const c = this.chunks[0];
    const v = c[this.head++];
    if (this.head === c.length) {
      this.chunks.shift();
      this.head = 0;
    }
    this.length--;
    return v;
  }

  toArray(): number[] {
    const out: number[] = [];
    this.chunks.forEach((c, i) => {
      for (let j = i === 0 ? this.head : 0; j < c.length; j++) out.push(c[j]);
    });
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.length = 0;
  }
}

export class Uart implements MmioDevice {
  readonly name = 'uart0';
  readonly size = UART0_SIZE;

  /** Called with each byte the guest transmits (settable by the host). */
  onTransmit: (byte: number) => void = () => {};

  /** ULCON: line control (word length, stop bits, parity). */
  private ulcon: number = UART_RESET.ULCON;
  /** UCON: RX/TX mode, loopback, interrupt enables. */
  private ucon: number = UART_RESET.UCON;
  /** UFCON: FIFO enable and trigger levels (reset bits self-clear). */
  private ufcon: number = UART_RESET.UFCON;
  /** UMCON: modem control (RTS, auto flow control). */
  private umcon = 0;
  /** UTRSTAT latched interrupt-pending bits (RXTHRESH, TXTHRESH, RXTO). */
  private pending = 0;
  /** UERSTAT: error flags, cleared by reading (never set: the line has flow control). */
  private uerstat = 0;
  /** UBRDIV: baud divisor. */
  private ubrdiv: number = UART_RESET.UBRDIV;
  /** UFRACVAL: fractional divisor. */
  private ufracval = 0;
  /** RX FIFO ring (URXH side). */
  private rx = new Uint8Array(UART_FIFO_SIZE);
  private rxHead = 0;
  private rxCount = 0;
  /** TX FIFO (UTXH side); holds bytes only while the transmitter is off. */
  private tx: number[] = [];
  /** Host-side input waiting for room in the RX FIFO. */
  private host = new ByteQueue();
  /** Current level of the interrupt line to the AIC. */
  private irqLevel = false;
  private rxTotal = 0;
  private txTotal = 0;

  constructor(
    private readonly aic: Aic,
    readonly base = UART0_BASE,
    readonly irq = UART0_IRQ,
  ) {
    this.aic.setLine(this.irq, false);
  }

  // ---- host side ---------------------------------------------------------------------------

  /** Queue input from the host (a terminal): strings are encoded as UTF-8. */
  hostInput(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data.slice();
    this.host.push(bytes);
    this.update();
  }

  /** Bytes not yet read by the guest: in the RX FIFO plus in the host queue. */
  rxQueued(): number {
    return this.rxCount + this.host.length;
  }

  // ---- registers ---------------------------------------------------------------------------

  read32(offset: number): number {
    switch (offset) {
      case ULCON:
        return this.ulcon;
      case UCON:
        return this.ucon;
      case UFCON:
        return this.ufcon;
      case UMCON:
        return this.umcon;
      case UTRSTAT:
        return this.utrstat();
      case UERSTAT: {
        const v = this.uerstat;
        this.uerstat = 0;
        return v;
      }
      case UFSTAT:
        return this.ufstat();
      case UMSTAT:
        return UMSTAT_CTS; // the host is always ready to receive
      case UTXH:
        return 0;
      case URXH:
        return this.readRx();
      case UBRDIV:
        return this.ubrdiv;
      case UFRACVAL:
        return this.ufracval;
    }
    return 0;
  }

  write32(offset: number, value: number): void {
    const v = value >>> 0;
    switch (offset) {
      case ULCON:
        this.ulcon = v & 0x7f;
        break;
      case UCON:
        this.ucon = v & 0xffff;
        this.drainTx();
        break;
      case UFCON:
        if (v & UFCON_RESET_RX) {
          this.rxHead = 0;
          this.rxCount = 0;
        }
        if (v & UFCON_RESET_TX) this.tx = [];
        this.ufcon = v & ~(UFCON_RESET_RX | UFCON_RESET_TX) & 0xff;
        break;
      case UMCON:
        this.umcon = v & 0x11;
        break;
      case UTRSTAT:
        this.pending &= ~(v & UTRSTAT_ALL_FLAGS);
        break;
      case UTXH:
        this.writeTx(v & 0xff);
        break;
      case UBRDIV:
        this.ubrdiv = v & 0xffff;
        break;
      case UFRACVAL:
        this.ufracval = v & 0xf;
        break;
      default:
        return; // UERSTAT, UFSTAT, UMSTAT, URXH and undefined offsets are read-only
    }
    this.update();
  }

  private fifoSize(): number {
    return this.ufcon & UFCON_FIFO_EN ? UART_FIFO_SIZE : 1;
  }

  private utrstat(): number {
    const txEmpty = this.tx.length === 0;
    return (
      (this.rxCount > 0 ? UTRSTAT_RXD : 0) |
      (txEmpty ? UTRSTAT_TXBE | UTRSTAT_TXE : 0) |
      this.pending
    );
  }

  private ufstat(): number {
    const n = this.fifoSize();
    return (
      (this.rxCount & UFSTAT_RXCNT_MASK) |
      ((this.tx.length & 0xf) << UFSTAT_TXCNT_SHIFT) |
      (this.rxCount >= n ? UFSTAT_RXFULL : 0) |
      (this.tx.length >= n ? UFSTAT_TXFULL : 0)
    );
  }

  private readRx(): number {
    if (this.rxCount === 0) return 0;
    const b = this.rx[this.rxHead];
    this.rxHead = (this.rxHead + 1) % UART_FIFO_SIZE;
    this.rxCount--;
    this.update();
    return b;
  }

  private writeTx(b: number): void {
    if (this.tx.length < this.fifoSize()) this.tx.push(b);
    this.drainTx();
  }

  /** Send everything in the TX FIFO if the transmitter is on. */
  private drainTx(): void {
    if ((this.ucon & UCON_TXMODE_MASK) === 0 || this.tx.length === 0) return;
    // The FIFO crosses the threshold on its way to empty: the TX edge.
    if (this.ucon & UCON_TXTHRESH_ENA) this.pending |= UTRSTAT_TXTHRESH;
    while (this.tx.length > 0) {
      const b = this.tx.shift()!;
      this.txTotal++;
      if (this.ucon & UCON_LOOPBACK) this.host.push(Uint8Array.of(b));
      else this.onTransmit(b);
    }
  }

  /** Move host input into the RX FIFO while there is room and the receiver is on. */
  private refill(): void {
    if ((this.ucon & UCON_RXMODE_MASK) === 0) return;
    const n = this.fifoSize();
    while (this.rxCount < n && this.host.length > 0) {
      this.rx[(this.rxHead + this.rxCount) % UART_FIFO_SIZE] = this.host.shift();
      this.rxCount++;
      this.rxTotal++;
    }
  }

  /** Refill the FIFO, apply the pending-bit rule (header comment), then drive the line. */
  private update(): void {
    this.refill();
    if (this.rxCount > 0) {
      if (this.ucon & UCON_RXTHRESH_ENA) this.pending |= UTRSTAT_RXTHRESH;
      if (this.ucon & UCON_RXTO_ENA) this.pending |= UTRSTAT_RXTO;
    } else {
      this.pending &= ~(UTRSTAT_RXTHRESH | UTRSTAT_RXTO);
    }
    this.updateIrq();
  }

  /** The line to the AIC: OR of the pending bits whose UCON enable is set. */
  private updateIrq(force = false): void {
    const enabled =
      (this.ucon & UCON_RXTHRESH_ENA ? UTRSTAT_RXTHRESH : 0) |
      (this.ucon & UCON_RXTO_ENA ? UTRSTAT_RXTO : 0) |
      (this.ucon & UCON_TXTHRESH_ENA ? UTRSTAT_TXTHRESH : 0);
    const level = (this.pending & enabled) !== 0;
    if (force || level !== this.irqLevel) {
      this.irqLevel = level;
      this.aic.setLine(this.irq, level);
    }
  }

  // ---- host views --------------------------------------------------------------------------

  state(): UartState {
    return {
      ulcon: this.ulcon,
      ucon: this.ucon,
      ufcon: this.ufcon,
      utrstat: this.utrstat(),
      ufstat: this.ufstat(),
      rxFifo: this.rxCount,
      hostQueued: this.host.length,
      txFifo: this.tx.length,
      irq: this.irqLevel,
      rxTotal: this.rxTotal,
      txTotal: this.txTotal,
    };
  }

  snapshot(): UartSnapshot {
    const rx: number[] = [];
    for (let i = 0; i < this.rxCount; i++) rx.push(this.rx[(this.rxHead + i) % UART_FIFO_SIZE]);
    return {
      ulcon: this.ulcon,
      ucon: this.ucon,
      ufcon: this.ufcon,
      umcon: this.umcon,
      pending: this.pending,
      uerstat: this.uerstat,
      ubrdiv: this.ubrdiv,
      ufracval: this.ufracval,
      rx,
      tx: [...this.tx],
      host: this.host.toArray(),
      irq: this.irqLevel,
      rxTotal: this.rxTotal,
      txTotal: this.txTotal,
    };
  }

  restore(s: unknown): void {
    const v = s as UartSnapshot;
    if (!Array.isArray(v?.rx) || !Array.isArray(v.tx) || !Array.isArray(v.host) || v.rx.length > UART_FIFO_SIZE)
      throw new Error('Uart.restore: bad snapshot');
    this.ulcon = v.ulcon;
    this.ucon = v.ucon;
    this.ufcon = v.ufcon;
    this.umcon = v.umcon;
    this.pending = v.pending;
    this.uerstat = v.uerstat;
    this.ubrdiv = v.ubrdiv;
    this.ufracval = v.ufracval;
    this.rx.fill(0);
    this.rx.set(v.rx);
    this.rxHead = 0;
    this.rxCount = v.rx.length;
    this.tx = [...v.tx];
    this.host.clear();
    this.host.push(Uint8Array.from(v.host));
    this.rxTotal = v.rxTotal;
    this.txTotal = v.txTotal;
    // Drive the line to the restored level without re-evaluating the pending rule.
    this.updateIrq(true);
  }
}
