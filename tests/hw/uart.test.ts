import { beforeEach, describe, expect, it } from 'vitest';
import { AIC_EVENT, AIC_MASK_CLR, Aic } from '../../hw/aic';
import { Clock } from '../../hw/clock';
import { UART0_IRQ } from '../../hw/memmap';
import {
  UCON,
  UCON_LOOPBACK,
  UCON_RXTHRESH_ENA,
  UCON_RXTO_ENA,
  UCON_TXTHRESH_ENA,
  UBRDIV,
  UFCON,
  UFCON_RESET_RX,
  UFSTAT,
  UFSTAT_RXFULL,
  ULCON,
  URXH,
  UTRSTAT,
  UTRSTAT_ALL_FLAGS,
  UTRSTAT_RXD,
  UTRSTAT_RXTHRESH,
  UTRSTAT_RXTO,
  UTRSTAT_TXBE,
  UTRSTAT_TXE,
  UTRSTAT_TXTHRESH,
  UTXH,
  Uart,
} from '../../hw/uart';

const unmask = (aic: Aic, n: number) => aic.write32(AIC_MASK_CLR + 4 * (n >> 5), 1 << (n & 31));

describe('UART (apple,s5l-uart)', () => {
  let aic: Aic;
  let uart: Uart;
  let sent: number[];
  beforeEach(() => {
    aic = new Aic(new Clock());
    uart = new Uart(aic);
    sent = [];
    uart.onTransmit = (b) => sent.push(b);
    unmask(aic, UART0_IRQ);
  });

  it('resets as iBoot leaves UART0', () => {
    expect(uart.read32(UCON) & 0xf).toBe(0b0101);
    expect(uart.read32(UFCON) & 1).toBe(1);
    expect(uart.read32(ULCON)).toBe(3);
    expect(uart.read32(UBRDIV)).toBe(12);
    expect(uart.read32(UTRSTAT)).toBe(UTRSTAT_TXBE | UTRSTAT_TXE);
    expect(uart.read32(UFSTAT)).toBe(0);
    expect(aic.irqOutput()).toBe(false);
  });

  it('TX goes straight to the host; the TX FIFO reads empty', () => {
    for (const c of 'hi\n') {
      expect(uart.read32(UTRSTAT) & UTRSTAT_TXBE).toBeTruthy();
      uart.write32(UTXH, c.charCodeAt(0));
    }
    expect(String.fromCharCode(...sent)).toBe('hi\n');
    expect(uart.read32(UFSTAT) & 0x2f0).toBe(0);
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXE).toBeTruthy();
  });

  it('TX waits in the FIFO while the transmitter is off', () => {
    uart.write32(UCON, 0x1); // RX on, TX off
    uart.write32(UTXH, 0x41);
    uart.write32(UTXH, 0x42);
    expect(sent).toEqual([]);
    expect((uart.read32(UFSTAT) >> 4) & 0xf).toBe(2);
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXBE).toBe(0);
    uart.write32(UCON, 0x5);
    expect(sent).toEqual([0x41, 0x42]);
  });

  it('RX FIFO counts and full flag; host queue refills as the FIFO drains', () => {
    const data = new Uint8Array(40).map((_, i) => i * 6); // includes bytes ≥ 0x80
    uart.hostInput(data);
    expect(uart.rxQueued()).toBe(40);
    let fs = uart.read32(UFSTAT);
    expect(fs & UFSTAT_RXFULL).toBeTruthy();
    expect(fs & 0xf).toBe(0); // count field wraps at 16; the full bit says 16
    expect(uart.read32(UTRSTAT) & UTRSTAT_RXD).toBeTruthy();
    const got: number[] = [];
    got.push(uart.read32(URXH));
    fs = uart.read32(UFSTAT);
    expect(fs & UFSTAT_RXFULL).toBeTruthy(); // refilled from the host queue
    while (uart.read32(UTRSTAT) & UTRSTAT_RXD) got.push(uart.read32(URXH));
    expect(got).toEqual(Array.from(data));
    expect(uart.rxQueued()).toBe(0);
    expect(uart.read32(UFSTAT)).toBe(0);
  });

  it('partial FIFO count and UTF-8 strings', () => {
    uart.hostInput('é!');
    expect(uart.read32(UFSTAT) & 0xf).toBe(3);
    expect([uart.read32(URXH), uart.read32(URXH), uart.read32(URXH)]).toEqual([0xc3, 0xa9, 0x21]);
  });

  it('accepts a huge paste losslessly', () => {
    const big = new Uint8Array(200_000).map((_, i) => (i * 7919) & 0xff);
    uart.hostInput(big);
    uart.hostInput(Uint8Array.of(1, 2, 3));
    const out = new Uint8Array(big.length + 3);
    let n = 0;
    while (uart.read32(UTRSTAT) & UTRSTAT_RXD) out[n++] = uart.read32(URXH);
    expect(n).toBe(big.length + 3);
    expect(out.subarray(0, big.length)).toEqual(big);
    expect(Array.from(out.subarray(big.length))).toEqual([1, 2, 3]);
  });

  it('RX interrupt through the AIC needs UCON bit 12 (and bit 9 for RXTO)', () => {
    uart.hostInput('a');
    expect(aic.irqOutput()).toBe(false);
    expect(uart.read32(UTRSTAT) & UTRSTAT_RXTHRESH).toBe(0);
    uart.write32(UCON, 0x5 | UCON_RXTHRESH_ENA | UCON_RXTO_ENA);
    expect(uart.read32(UTRSTAT) & (UTRSTAT_RXTHRESH | UTRSTAT_RXTO)).toBe(UTRSTAT_RXTHRESH | UTRSTAT_RXTO);
    expect(aic.irqOutput()).toBe(true);
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | UART0_IRQ);
    // Linux apple_serial_handle_irq: ack RX bits, drain, EOI.
    const pend = uart.read32(UTRSTAT);
    uart.write32(UTRSTAT, pend & (UTRSTAT_RXTHRESH | UTRSTAT_RXTO));
    expect(uart.read32(URXH)).toBe(0x61);
    expect(uart.read32(UTRSTAT) & UTRSTAT_ALL_FLAGS).toBe(0);
    unmask(aic, UART0_IRQ);
    expect(aic.irqOutput()).toBe(false);
    // New input raises it again.
    uart.hostInput('b');
    expect(aic.irqOutput()).toBe(true);
  });

  it('W1C with data still waiting re-asserts; draining empties the pending bits', () => {
    uart.write32(UCON, 0x5 | UCON_RXTHRESH_ENA);
    uart.hostInput('xy');
    uart.write32(UTRSTAT, UTRSTAT_RXTHRESH);
    expect(uart.read32(UTRSTAT) & UTRSTAT_RXTHRESH).toBeTruthy();
    uart.read32(URXH);
    expect(uart.read32(UTRSTAT) & UTRSTAT_RXTHRESH).toBeTruthy();
    uart.read32(URXH);
    expect(uart.read32(UTRSTAT) & UTRSTAT_RXTHRESH).toBe(0);
    expect(uart.state().irq).toBe(false);
  });

  // Linux samsung_tty.c, TYPE_APPLE_S5L: apple_s5l_serial_startup, then start_tx → enable_tx_pio
  // (TXMODE = CPU, TXTHRESH_ENA), which kicks s3c24xx_serial_tx_chars itself because "The Apple
  // version only has edge triggered TX IRQs"; apple_serial_handle_irq acks TXTHRESH (W1C) and
  // refills; stop_tx clears TXTHRESH_ENA.
  it('TX threshold interrupt is edge-triggered, replaying the Linux driver', () => {
    const UCON_TXMODE_CPU = 1 << 2;
    // startup: clear stale flags, RX interrupts on
    uart.write32(UTRSTAT, UTRSTAT_ALL_FLAGS);
    let ucon = uart.read32(UCON) & ~(UCON_TXTHRESH_ENA | UCON_RXTHRESH_ENA | UCON_RXTO_ENA);
    uart.write32(UCON, ucon | UCON_RXTHRESH_ENA | UCON_RXTO_ENA);
    // enable_tx_pio with an empty FIFO: enabling raises nothing
    ucon = (uart.read32(UCON) & ~0xc) | UCON_TXMODE_CPU;
    uart.write32(UCON, ucon);
    ucon |= UCON_TXTHRESH_ENA;
    uart.write32(UCON, ucon);
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXTHRESH).toBe(0);
    expect(aic.irqOutput()).toBe(false);
    // the driver's kick: tx_chars fills the FIFO; it drains past the threshold → the edge
    for (const c of 'ok') {
      expect(uart.read32(UFSTAT) & (1 << 9)).toBe(0); // not TXFULL
      uart.write32(UTXH, c.charCodeAt(0));
    }
    expect(String.fromCharCode(...sent)).toBe('ok');
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXTHRESH).toBeTruthy();
    expect(aic.irqOutput()).toBe(true);
    // the IRQ handler: read EVENT, ack TXTHRESH; it stays clear (FIFO still empty, still enabled)
    expect(aic.read32(AIC_EVENT) & 0xffff).toBe(UART0_IRQ);
    uart.write32(UTRSTAT, UTRSTAT_TXTHRESH);
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXTHRESH).toBe(0);
    expect(uart.state().irq).toBe(false);
    uart.write32(UCON, ucon); // an unrelated UCON write does not re-raise it either
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXTHRESH).toBe(0);
    // more data crosses the threshold again
    uart.write32(UTXH, 0x21);
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXTHRESH).toBeTruthy();
    expect(uart.state().irq).toBe(true);
    uart.write32(UTRSTAT, UTRSTAT_TXTHRESH);
    // stop_tx: nothing more to send
    uart.write32(UCON, ucon & ~UCON_TXTHRESH_ENA);
    expect(uart.state().irq).toBe(false);
  });

  it('a TXTHRESH latched while enabled stays visible after disable until W1C', () => {
    uart.write32(UCON, 0x5 | UCON_TXTHRESH_ENA);
    uart.write32(UTXH, 0x41);
    uart.write32(UCON, 0x5);
    expect(uart.state().irq).toBe(false);
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXTHRESH).toBeTruthy(); // stale flag
    uart.write32(UTRSTAT, UTRSTAT_ALL_FLAGS);
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXTHRESH).toBe(0);
  });

  it('TX FIFO held while the transmitter is off crosses the threshold when it turns on', () => {
    uart.write32(UCON, 0x1 | UCON_TXTHRESH_ENA); // TX off
    uart.write32(UTXH, 0x41);
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXTHRESH).toBe(0);
    uart.write32(UCON, 0x5 | UCON_TXTHRESH_ENA);
    expect(sent).toEqual([0x41]);
    expect(uart.read32(UTRSTAT) & UTRSTAT_TXTHRESH).toBeTruthy();
  });

  it('receiver off holds input in the host queue; FIFO reset discards only the FIFO', () => {
    uart.write32(UCON, 0x4); // RX off
    uart.hostInput('abc');
    expect(uart.read32(UFSTAT)).toBe(0);
    expect(uart.rxQueued()).toBe(3);
    uart.write32(UCON, 0x5);
    expect(uart.read32(UFSTAT) & 0xf).toBe(3);
    uart.write32(UFCON, 1 | UFCON_RESET_RX);
    expect(uart.read32(UFCON)).toBe(1);
    expect(uart.rxQueued()).toBe(0);
  });

  it('FIFO disabled: one-byte holding register', () => {
    uart.write32(UFCON, 0);
    uart.hostInput('ab');
    expect(uart.read32(UFSTAT) & UFSTAT_RXFULL).toBeTruthy();
    expect(uart.read32(URXH)).toBe(0x61);
    expect(uart.read32(URXH)).toBe(0x62);
    expect(uart.read32(UTRSTAT) & UTRSTAT_RXD).toBe(0);
  });

  it('loopback routes TX to RX', () => {
    uart.write32(UCON, 0x5 | UCON_LOOPBACK);
    uart.write32(UTXH, 0x5a);
    expect(sent).toEqual([]);
    expect(uart.read32(URXH)).toBe(0x5a);
  });

  it('snapshot/restore round-trips through JSON', () => {
    uart.write32(UCON, 0x5 | UCON_RXTHRESH_ENA);
    uart.hostInput(new Uint8Array(30).map((_, i) => 200 + i));
    uart.read32(URXH);
    const s = JSON.parse(JSON.stringify(uart.snapshot()));
    const aic2 = new Aic(new Clock());
    unmask(aic2, UART0_IRQ);
    const u2 = new Uart(aic2);
    u2.restore(s);
    expect(u2.state()).toEqual(uart.state());
    expect(aic2.irqOutput()).toBe(true);
    const rest: number[] = [];
    while (u2.read32(UTRSTAT) & UTRSTAT_RXD) rest.push(u2.read32(URXH));
    expect(rest).toEqual(Array.from({ length: 29 }, (_, i) => 201 + i));
  });
});
