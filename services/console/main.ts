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

import { Msg, DEFER, SLOT_SELF, SLOT_IRQ, SLOT_CNODE, ipcSend, irqAck, cnodeSaveCaller, allocSlot, freeSlot, serve } from "../lib";
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
    if (ld.outLen > 0) { txRaw(ld.out, ld.outLen); ld.outLen = 0; }
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
    tx(data, dataLen);
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
  /** The UART interrupt. */
  notified(bits: u64): void {
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

serve(SLOT_SELF, new ConsoleServer());
