// console.ts — early console on the Samsung-style UART ("apple,s5l-uart") and print helpers.
//
// Register facts: shared reference apple-m1.md §3 (Linux include/linux/serial_s3c.h,
// drivers/tty/serial/samsung_tty.c; m1n1 src/uart.c). The port is left configured by the
// boot loader (UCON[3:0] = 0b0101, FIFO on), so like Linux's earlycon we only poll and write.
//
// Until the FDT has told us where the UART is, output goes to a small pre-console buffer
// (like printk's log_buf before a console registers) and is replayed by consoleInit().
// Every line printed through the helpers gets a "[    s.micros] " stamp from CNTPCT, as in a
// Linux boot log; raw echo (consoleEcho) bypasses the stamp.
//
// No helper allocates: strings are static data, numbers are written digit by digit.

import { mmioRead32, mmioWrite32, mrs, SYSREG_CNTPCT_EL0, SYSREG_CNTFRQ_EL0 } from "./arch";

// UART register offsets (S3C2410_* in serial_s3c.h)
const UCON: u64 = 0x04;
const UFCON: u64 = 0x08;
const UTRSTAT: u64 = 0x10;
const UFSTAT: u64 = 0x18;
const UTXH: u64 = 0x20;
const URXH: u64 = 0x24;

const UCON_RXTO_ENA: u32 = 1 << 9; // Apple: RX-timeout interrupt enable
const UCON_RXTHRESH_ENA: u32 = 1 << 12; // Apple: RX-threshold interrupt enable
const UFCON_FIFO_EN: u32 = 1 << 0;
const UTRSTAT_RXD: u32 = 1 << 0; // RX data ready
const UTRSTAT_TXBE: u32 = 1 << 1; // TX buffer empty
const UTRSTAT_RXTHRESH: u32 = 1 << 4; // W1C
const UTRSTAT_RXTO: u32 = 1 << 9; // W1C
const UTRSTAT_ALL_FLAGS: u32 = 0x3f8; // bits 9..3, cleared at startup (APPLE_S5L_UTRSTAT_ALL_FLAGS)
const UFSTAT_TXFULL: u32 = 1 << 9;
const UFSTAT_RXCOUNT: u32 = 0xf;
const UFSTAT_RXFULL: u32 = 1 << 8;

/** Upper bound on status polls per byte: a wedged UART must not hang a kernel entry forever. */
const TX_POLL_LIMIT: i32 = 100000;

let uartBase: u64 = 0;
let fifoMode = false;
let atLineStart = true;
let stamping = true;

// Pre-console buffer: bytes printed before consoleInit().
const EARLY_BYTES: i32 = 8192;
const earlyBuf: usize = memory.data(EARLY_BYTES);
let earlyLen: i32 = 0;

/** Registers the UART at `base` as the console and replays the pre-console buffer. */
export function consoleInit(base: u64): void {
  uartBase = base;
  fifoMode = (mmioRead32(base + UFCON) & UFCON_FIFO_EN) != 0;
  for (let i = 0; i < earlyLen; i++) uartTx(load<u8>(earlyBuf + i));
  earlyLen = 0;
}

/** Enables the UART's RX interrupts (threshold + timeout), after clearing stale flags. */
export function consoleEnableRxIrq(): void {
  if (uartBase == 0) return;
  mmioWrite32(uartBase + UTRSTAT, UTRSTAT_ALL_FLAGS);
  let ucon = mmioRead32(uartBase + UCON);
  mmioWrite32(uartBase + UCON, ucon | UCON_RXTHRESH_ENA | UCON_RXTO_ENA);
}

/**
 * UART interrupt: acknowledge RX flags, drain the RX FIFO and echo every byte (CR → CR LF).
 * Returns the number of bytes received. Called from the IRQ path with the AIC source masked.
 */
export function consoleRxIrq(): u32 {
  if (uartBase == 0) return 0;
  let st = mmioRead32(uartBase + UTRSTAT);
  let pending = st & (UTRSTAT_RXTHRESH | UTRSTAT_RXTO);
  if (pending != 0) mmioWrite32(uartBase + UTRSTAT, pending);
  let n: u32 = 0;
  while (rxReady()) {
    let c = mmioRead32(uartBase + URXH) & 0xff;
    n++;
    consoleEcho(c);
    if (n >= 4096) break; // a stuck RXD bit must not spin forever
  }
  return n;
}

function rxReady(): bool {
  if (fifoMode) {
    let fs = mmioRead32(uartBase + UFSTAT);
    return (fs & (UFSTAT_RXCOUNT | UFSTAT_RXFULL)) != 0;
  }
  return (mmioRead32(uartBase + UTRSTAT) & UTRSTAT_RXD) != 0;
}

/** Echoes one received byte without a timestamp. */
function consoleEcho(c: u32): void {
  if (c == 13) { putRaw(13); putRaw(10); atLineStart = true; return; }
  if (c == 127 || c == 8) { putRaw(8); putRaw(32); putRaw(8); return; }
  putRaw(c);
  atLineStart = c == 10;
}

// Poll until the transmitter can take a byte, then write UTXH (Linux: UFSTAT.TXFULL in FIFO
// mode; m1n1: UTRSTAT.TXBE).
function uartTx(c: u32): void {
  let base = uartBase;
  for (let i = 0; i < TX_POLL_LIMIT; i++) {
    if (fifoMode) {
      if ((mmioRead32(base + UFSTAT) & UFSTAT_TXFULL) == 0) break;
    } else {
      if ((mmioRead32(base + UTRSTAT) & UTRSTAT_TXBE) != 0) break;
    }
  }
  mmioWrite32(base + UTXH, c & 0xff);
}

function putRaw(c: u32): void {
  if (uartBase != 0) { uartTx(c); return; }
  if (earlyLen < EARLY_BYTES) { store<u8>(earlyBuf + earlyLen, <u8>c); earlyLen++; }
}

/** Prints one character; '\n' becomes CR LF; a new line starts with a timestamp. */
export function putc(c: u32): void {
  if (atLineStart && stamping && c != 10) { atLineStart = false; stamp(); }
  if (c == 10) { putRaw(13); putRaw(10); atLineStart = true; return; }
  putRaw(c);
  atLineStart = false;
}

/** Turns the "[    s.micros] " line prefix on or off (panic keeps it on). */
export function setStamping(on: bool): void { stamping = on; }

function stamp(): void {
  let cnt = mrs(SYSREG_CNTPCT_EL0);
  let frq = mrs(SYSREG_CNTFRQ_EL0);
  if (frq == 0) frq = 24000000;
  let sec = cnt / frq;
  let us = (cnt % frq) * 1000000 / frq;
  putRaw(91); // '['
  decRaw(sec, 5, 32);
  putRaw(46); // '.'
  decRaw(us, 6, 48);
  putRaw(93); // ']'
  putRaw(32);
}

// Writes v in decimal, left-padded with `pad` to at least `width` digits.
function decRaw(v: u64, width: i32, pad: u32): void {
  let buf = memory.data(24);
  let n = 0;
  do { store<u8>(buf + n, <u8>(48 + <u32>(v % 10))); v /= 10; n++; } while (v != 0);
  for (let i = n; i < width; i++) putRaw(pad);
  while (n > 0) { n--; putRaw(load<u8>(buf + n)); }
}

/** Prints a static string. */
export function str(s: string): void {
  for (let i = 0, n = s.length; i < n; i++) putc(<u32>s.charCodeAt(i));
}

/** Prints a NUL-terminated byte string at linear address p (e.g. a name inside the FDT), at most max bytes. */
export function cstr(p: usize, max: i32 = 256): i32 {
  let i = 0;
  while (i < max) {
    let c = load<u8>(p + i);
    if (c == 0) break;
    putc(c);
    i++;
  }
  return i;
}

export function newline(): void { putc(10); }

/** Prints `s` and a newline. */
export function line(s: string): void { str(s); putc(10); }

/** Prints spaces until `written` reaches `col` (for aligned columns). */
export function pad(written: i32, col: i32): void {
  for (let i = written; i < col; i++) putc(32);
  if (written >= col) putc(32);
}

/** Prints v as 0x + `digits` hex digits (16 by default). */
export function hex(v: u64, digits: i32 = 16): void {
  putc(48); putc(120);
  for (let i = digits - 1; i >= 0; i--) {
    let d = <u32>(v >> (<u64>i * 4)) & 0xf;
    putc(d < 10 ? 48 + d : 87 + d);
  }
}

/** Prints v as 0x + the minimal number of hex digits. */
export function hexs(v: u64): void {
  let digits = 1;
  while (digits < 16 && (v >> (<u64>digits * 4)) != 0) digits++;
  hex(v, digits);
}

/** Prints v in decimal. */
export function dec(v: u64): void {
  let buf = memory.data(24);
  let n = 0;
  do { store<u8>(buf + n, <u8>(48 + <u32>(v % 10))); v /= 10; n++; } while (v != 0);
  while (n > 0) { n--; putc(load<u8>(buf + n)); }
}

/** Prints a byte count the way Linux does: "64 MiB", "1216 KiB", "512 B". */
export function size(bytes: u64): void {
  if (bytes >= (1 << 20) && (bytes & ((1 << 20) - 1)) == 0) { dec(bytes >> 20); str(" MiB"); return; }
  if (bytes >= (1 << 10) && (bytes & ((1 << 10) - 1)) == 0) { dec(bytes >> 10); str(" KiB"); return; }
  dec(bytes); str(" B");
}
