// console — the UART driver at EL0 and the line discipline, serving the console protocol
// (abi/protocols/console.json) to several clients.
//
// Capabilities (services/manifest.json): the UART's device page mapped at 0x4000, its IRQ handler
// in SLOT_IRQ with a notification bound to this thread (an interrupt arrives as a label-0
// message), and its endpoint in SLOT_SELF. Registers: hw/uart.ts (Samsung s5l UART).
//
// Input: the interrupt handler drains the RX FIFO into a queue; bytes are fed to the line
// discipline of the client waiting in read (the foreground), so echo appears where that client
// reads. A read with no complete line is deferred: the reply capability is saved (CNode.SaveCaller)
// and the reply sent when the line is complete. Output: LF becomes CR LF.
//
// The terminal's rows (docs/SERVICES.md "One terminal, whole lines"): the console is the only
// writer of the UART after boot, and it keeps every line whole. It knows which client owns the
// row the cursor is on (the open row: a prompt, a partial line, the echo of what is being typed).
// Another client's line is put above it: the open row is erased, the line printed, and the open
// row drawn again. init's log lines come the same way, from the log ring (services/lib/logring.ts)
// the console drains when init signals LOG_SIGNAL.

import { Msg, DEFER, SLOT_SELF, SLOT_IRQ, SLOT_CNODE, PING, LOG_SIGNAL, ipcSend, irqAck, cnodeSaveCaller, allocSlot, freeSlot, serve, logRingTake, logRingDropped } from "../lib";
import * as con from "../gen/console";
import * as E from "../gen/errors";
import { LineDisc, LD_LINE, LD_INTR, LD_EOF } from "./ldisc";

// ---- the UART (hw/uart.ts) ---------------------------------------------------------------------
const UART: usize = 0x4000;
const UCON: usize = 0x04, UTRSTAT: usize = 0x10, UFSTAT: usize = 0x18, UTXH: usize = 0x20, URXH: usize = 0x24;
const UCON_RXTO_ENA: u32 = 1 << 9, UCON_RXTHRESH_ENA: u32 = 1 << 12;
const UTRSTAT_ALL_FLAGS: u32 = 0x3f8, UTRSTAT_TXBE: u32 = 1 << 1;
const UFSTAT_RXCNT: u32 = 0xf, UFSTAT_RXFULL: u32 = 1 << 8;

// @ts-ignore: decorator
@inline function rd(off: usize): u32 { return load<u32>(UART + off); }
// @ts-ignore: decorator
@inline function wr(off: usize, v: u32): void { store<u32>(UART + off, v); }

let rxCount: u32 = 0, txCount: u32 = 0, irqCount: u32 = 0;

function txByte(c: u8): void {
  // the modelled transmitter never fills while it is on; a real one would wait for TXBE
  for (let i = 0; i < 1000 && (rd(UTRSTAT) & UTRSTAT_TXBE) == 0; i++) {}
  wr(UTXH, c);
  txCount++;
}
function tx(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c == 0x0a) txByte(0x0d);
    txByte(c);
  }
}
/** Bytes already cooked (echo): no LF translation. */
function txRaw(p: usize, n: i32): void { for (let i = 0; i < n; i++) txByte(load<u8>(p + i)); }

// ---- input queue -------------------------------------------------------------------------------
const QSIZE: i32 = 8192; // a whole long line typed (or pasted) at once
const q: usize = memory.data(QSIZE, 16);
let qHead: i32 = 0, qLen: i32 = 0;

function drainRx(): void {
  const st = rd(UTRSTAT) & UTRSTAT_ALL_FLAGS;
  if (st != 0) wr(UTRSTAT, st);
  for (let guard = 0; guard < 64; guard++) {
    const fs = rd(UFSTAT);
    if ((fs & (UFSTAT_RXCNT | UFSTAT_RXFULL)) == 0) break;
    const c = <u8>(rd(URXH) & 0xff);
    rxCount++;
    if (qLen < QSIZE) { store<u8>(q + ((qHead + qLen) % QSIZE), c); qLen++; }
  }
}

// ---- clients -------------------------------------------------------------------------------------
class Client {
  badge: u64 = 0;
  mode: u32 = con.MODE_COOKED;
  ld: LineDisc = new LineDisc();
  /** A deferred read: the saved reply capability (0 = none) and its maximum. */
  replySlot: u64 = 0;
  max: u32 = 0;
}
const clients = new Array<Client>();
function client(badge: u64): Client {
  for (let i = 0; i < clients.length; i++) if (clients[i].badge == badge) return clients[i];
  const c = new Client();
  c.badge = badge;
  clients.push(c);
  return c;
}
/** The log ring's lines come as this client's (it is no endpoint client and never reads). */
const logClient = new Client();

// ---- the open row: whose text is on the cursor's row, to draw it again under another's line ----
const OPEN_MAX: i32 = 1024;
const openBuf: usize = memory.data(OPEN_MAX);
let openLen: i32 = 0;
let owner: Client | null = null;
const ESC_CLEAR_ROW: usize = memory.data<u8>([0x0d, 0x1b, 0x5b, 0x4b]); // CR, ESC [ K: erase the row

/** The owner's output on the open row (what it wrote after its last newline). */
function keepOpen(p: usize, n: i32): void {
  const k = min(n, OPEN_MAX - openLen);
  memory.copy(openBuf + openLen, p, k);
  openLen += k;
}
/** The cursor is at the start of an empty row. */
function closeRow(): void { owner = null; openLen = 0; }
/** Makes c the owner of the open row, starting a new row if another client's text is on it. */
function takeRow(c: Client): void {
  if (owner === c) return;
  if (owner != null) { txByte(0x0d); txByte(0x0a); } // its row stays as it is
  owner = c;
  openLen = 0;
}
/** Draws the open row again after another client's line: the owner's text, then what it is typing. */
function redrawRow(): void {
  const o = owner;
  if (o == null) return;
  txRaw(openBuf, openLen);
  const ld = o.ld;
  if (o.mode != con.MODE_COOKED || ld.len == 0) return;
  txRaw(ld.buf, ld.len);
  for (let i = ld.cur; i < ld.len; i++) txByte(0x08); // back to the cursor
}

/** Another client's text goes above the open row: erase the row, print, draw the row again. */
function above(p: usize, n: i32, newline: bool): void {
  txRaw(ESC_CLEAR_ROW, 4);
  tx(p, n);
  if (newline) { txByte(0x0d); txByte(0x0a); }
  redrawRow();
}
/**
 * What client c writes. Its complete lines go out whole; its partial last line continues its own
 * open row, or, while another client owns the open row, goes above it as a row of its own.
 */
function output(c: Client, p: usize, n: i32): void {
  const mine = owner == null || owner === c;
  let start = 0;
  for (let i = 0; i < n; i++) {
    if (load<u8>(p + i) != 0x0a) continue;
    if (mine) { tx(p + start, i + 1 - start); closeRow(); } else above(p + start, i + 1 - start, false);
    start = i + 1;
  }
  if (start == n) return;
  if (!mine) { above(p + start, n - start, true); return; }
  takeRow(c);
  tx(p + start, n - start);
  keepOpen(p + start, n - start);
}
/** Echo of what the reader c types: on its row. A finished line (Enter, Ctrl-C) closes the row. */
function echo(c: Client, p: usize, n: i32, r: i32): void {
  takeRow(c);
  txRaw(p, n);
  if (r == LD_LINE || r == LD_INTR) closeRow();
}

// ---- the log ring (init's log lines) ----------------------------------------------------------------
const LOG_RING: usize = 0x8000; // manifest: the shared frame "logring"
const logLine: usize = memory.data(256);
let droppedSeen: u32 = 0;
/** Prints every whole line waiting in the log ring, and how many did not fit. */
function drainLog(): void {
  for (let n = logRingTake(LOG_RING, logLine, 256); n > 0; n = logRingTake(LOG_RING, logLine, 256)) output(logClient, logLine, <i32>n);
  const dropped = logRingDropped(LOG_RING);
  if (dropped == droppedSeen) return;
  const b = String.UTF8.encode("console: " + (dropped - droppedSeen).toString() + " log lines dropped (the log ring was full)\n");
  droppedSeen = dropped;
  output(logClient, changetype<usize>(b), b.byteLength);
}

/** The client whose deferred read gets the input (the latest reader). */
let fg: Client | null = null;

const replyMsg = new Msg();
const readOut = new con.ReadReply();
const rawBuf: usize = memory.data(256, 16);

/**
 * Feeds queued input to the foreground reader. Returns true and fills readOut (or sets readErr)
 * when its read can complete.
 */
let readErr: u32 = 0;
function pump(c: Client): bool {
  readErr = 0;
  if (c.mode == con.MODE_RAW) {
    if (qLen == 0) return false;
    let n: i32 = 0;
    const max = <i32>min(c.max, 256);
    while (qLen > 0 && n < max) { store<u8>(rawBuf + n++, load<u8>(q + qHead)); qHead = (qHead + 1) % QSIZE; qLen--; }
    readOut.data = rawBuf; readOut.dataLen = n;
    return true;
  }
  const ld = c.ld;
  const piece = <i32>min(c.max, 256); // a long line goes out in pieces, one per read
  if (ld.pending()) {
    readOut.dataLen = ld.take(piece);
    readOut.data = ld.tookAt;
    return true;
  }
  while (qLen > 0) {
    const b = load<u8>(q + qHead);
    qHead = (qHead + 1) % QSIZE; qLen--;
    const r = ld.feed(b);
    if (ld.outLen > 0) { echo(c, ld.out, ld.outLen, r); ld.outLen = 0; }
    if (r == LD_LINE) {
      readOut.dataLen = ld.take(piece);
      readOut.data = ld.tookAt;
      return true;
    }
    if (r == LD_INTR) { readErr = E.INTERRUPTED; return true; }
    if (r == LD_EOF) { readOut.data = ld.done; readOut.dataLen = 0; return true; }
  }
  return false;
}

/** Completes the foreground's deferred read if input allows. */
function serviceInput(): void {
  const c = fg;
  if (c == null || c.replySlot == 0) return;
  if (!pump(c)) return;
  if (readErr != 0) replyMsg.error(readErr);
  else con.replyRead(replyMsg, readOut);
  ipcSend(c.replySlot, replyMsg); // a reply capability: never blocks
  freeSlot(c.replySlot);
  c.replySlot = 0;
  fg = null;
}

class ConsoleServer extends con.Server {
  write(badge: u64, data: usize, dataLen: i32, out: con.WriteReply): u32 {
    output(client(badge), data, dataLen);
    out.n = <u32>dataLen;
    return 0;
  }
  read(badge: u64, max: u32, out: con.ReadReply): u32 {
    const c = client(badge);
    // a client thread blocked in an earlier read cannot send again: that caller is gone
    if (c.replySlot != 0) { freeSlot(c.replySlot); c.replySlot = 0; }
    if (max == 0) { out.dataLen = 0; return 0; }
    c.max = max;
    if (pump(c)) {
      if (readErr != 0) return readErr;
      out.data = readOut.data; out.dataLen = readOut.dataLen;
      return 0;
    }
    // wait for input: keep the reply capability
    const slot = allocSlot();
    if (slot == 0 || cnodeSaveCaller(SLOT_CNODE, slot) != 0) return E.BUSY;
    c.replySlot = slot;
    fg = c;
    return DEFER;
  }
  setMode(badge: u64, mode: u32): u32 {
    if (mode != con.MODE_COOKED && mode != con.MODE_RAW) return E.INVALID;
    client(badge).mode = mode;
    return 0;
  }
  stats(badge: u64, out: con.StatsReply): u32 {
    out.rx = rxCount; out.tx = txCount; out.irqs = irqCount;
    return 0;
  }
  /** The UART interrupt (bit 0), and init's signal that log lines wait in the ring. */
  notified(bits: u64): void {
    if ((bits & LOG_SIGNAL) != 0) drainLog();
    if ((bits & ~(LOG_SIGNAL | PING)) == 0) return;
    irqCount++;
    drainRx();
    irqAck(SLOT_IRQ);
    serviceInput();
  }
}

// ---- start ---------------------------------------------------------------------------------------
wr(UTRSTAT, UTRSTAT_ALL_FLAGS);
wr(UCON, rd(UCON) | UCON_RXTHRESH_ENA | UCON_RXTO_ENA);
drainRx();
irqAck(SLOT_IRQ); // a line left masked by a previous instance is opened again
drainLog(); // what init logged before this instance started (the boot, a restart)

serve(SLOT_SELF, new ConsoleServer());
