// netdrv — the driver of the machine's network device: virtio-net on the virtio-mmio transport
// (hw/virtio-net.ts, docs/NETWORK.md), serving the netdev protocol (abi/protocols/netdev.json) to
// one client, the network stack. Like Linux's virtio_mmio.c + virtio_net.c it resets the device,
// sets ACKNOWLEDGE and DRIVER, reads the device features and accepts VERSION_1, ACCESS_PLATFORM,
// MAC and STATUS, sets FEATURES_OK and checks it stuck, sets up receive queue 0 and transmit queue
// 1, reads the MAC and link state from config space, sets DRIVER_OK and fills the receive ring.
//
// Capabilities (manifest entry "netdrv"): the device's register page mapped at 0x4000 (init
// maps it), its IRQ handler (SLOT_IRQ; the interrupt arrives through the notification bound to this
// thread), its DMA stream (SLOT_IOSPACE) and six pages of DMA memory ("netdma", mapped at 0x8000;
// page 0's capability in SLOT_FRAME, pages 1–5 in SLOT_FRAME_MORE..). The device sees IO virtual
// addresses only: each page is mapped at IOVA 0x100000 + 4096·i through the IOSpace, and nothing
// else is, so a stray DMA is a DART fault. Frames to and from the client move through the shared
// page "netio" at 0xE000.
//
// DMA memory (offsets from 0x8000 / IOVA 0x100000):
//   0x0000 receive queue (8 entries): descriptors, available ring at 0x100, used ring at 0x200
//   0x0400 transmit queue (4 entries): descriptors, available ring at 0x500, used ring at 0x600
//   0x1000 8 receive buffers of 1536 bytes (12-byte header + a frame of up to 1514)
//   0x4000 4 transmit buffers of 1536 bytes
// A received frame stays in its buffer until the client takes it (recv), which reposts the buffer;
// with no client attached it is counted and dropped at once, and send and recv answer
// NOT_CONNECTED: a stack that finds the driver restarted (a new instance knows no client) attaches again. When the link comes up the driver
// announces the machine with a gratuitous ARP for 10.0.0.k (k = the MAC's last byte, the lab's
// addressing: docs/NETWORK.md) — a stand-in until the network stack does it.

import {
  Msg, DEFER, ipcSend, signal, SLOT_SELF, SLOT_IRQ, SLOT_FRAME, SLOT_IOSPACE, SLOT_CNODE, SLOT_FRAME_MORE, R_READ, R_WRITE,
  irqAck, allocSlot, freeSlot, cnodeCopy, cnodeSaveCaller, ioSpaceMap, keepCap, print, serve,
} from "../lib";
import * as netdev from "../gen/netdev";
import * as E from "../gen/errors";

// ---- virtio-mmio registers (hw/virtio-mmio.ts) ----
const DEV: usize = 0x4000;
const MAGIC: usize = 0x000, VERSION: usize = 0x004, DEVICE_ID: usize = 0x008, DEVICE_FEATURES: usize = 0x010;
const DEVICE_FEATURES_SEL: usize = 0x014, DRIVER_FEATURES: usize = 0x020, DRIVER_FEATURES_SEL: usize = 0x024;
const QUEUE_SEL: usize = 0x030, QUEUE_NUM_MAX: usize = 0x034, QUEUE_NUM: usize = 0x038, QUEUE_READY: usize = 0x044;
const QUEUE_NOTIFY: usize = 0x050, INTERRUPT_STATUS: usize = 0x060, INTERRUPT_ACK: usize = 0x064, STATUS: usize = 0x070;
const QUEUE_DESC: usize = 0x080, QUEUE_AVAIL: usize = 0x090, QUEUE_USED: usize = 0x0a0;
const CONFIG_GENERATION: usize = 0x0fc, CONFIG: usize = 0x100;
const S_ACKNOWLEDGE: u32 = 1, S_DRIVER: u32 = 2, S_DRIVER_OK: u32 = 4, S_FEATURES_OK: u32 = 8, S_NEEDS_RESET: u32 = 64, S_FAILED: u32 = 128;
const INT_VRING: u32 = 1, INT_CONFIG: u32 = 2;
// feature bits: MAC 5, STATUS 16 (low word); VERSION_1 32, ACCESS_PLATFORM 33 (high word)
const F_MAC: u32 = 1 << 5, F_STATUS: u32 = 1 << 16, F_VERSION_1_HI: u32 = 1, F_ACCESS_PLATFORM_HI: u32 = 2;
const DESC_F_NEXT: u16 = 1, DESC_F_WRITE: u16 = 2;

// ---- DMA memory ----
const DMA_VA: usize = 0x8000;
const DMA_PAGES: u32 = 6;
const IOVA: u64 = 0x10_0000;
const RXQ: usize = 0x0000, TXQ: usize = 0x0400;
const AVAIL_OFF: usize = 0x100, USED_OFF: usize = 0x200;
const RX_NUM: u32 = 8, TX_NUM: u32 = 4;
const RX_BUFS: usize = 0x1000, TX_BUFS: usize = 0x4000, BUF_BYTES: u32 = 1536;
const HDR: u32 = 12;
const ETH_MIN: u32 = 14, ETH_MAX: u32 = 1514;
const IO_VA: usize = 0xe000, IO_BYTES: u32 = 4096;
const RX_QUEUE: u32 = 0, TX_QUEUE: u32 = 1;

// @ts-ignore: decorator
@inline function rd(off: usize): u32 { return load<u32>(DEV + off); }
// @ts-ignore: decorator
@inline function wr(off: usize, v: u32): void { store<u32>(DEV + off, v); }
function addStatus(bit: u32): void { wr(STATUS, rd(STATUS) | bit); }

// ---- driver state ----
const mac = new StaticArray<u8>(6);
let up = false; // DRIVER_OK and the queues live
let link = false;
let announced = false;
let rxAvail: u16 = 0, rxUsed: u16 = 0; // our copies of the receive ring's indices
let txAvail: u16 = 0, txUsed: u16 = 0;
let txInFlight: u32 = 0;
// received frames waiting for the client: descriptor ids and lengths, oldest first
const pendingId = new Array<u32>();
const pendingLen = new Array<u32>();
let client: u64 = 0; // the client's notification
let waiter: u64 = 0; // the saved reply capability of a recv waiting for a frame
let waiterOffset: u32 = 0;
const MAX_PENDING: i32 = <i32>RX_NUM - 2; // leave the device buffers to receive into
let rxFrames: u64 = 0, rxBytes: u64 = 0, rxDropped: u64 = 0, txFrames: u64 = 0, txBytes: u64 = 0, txDropped: u64 = 0;
let unclaimedShown: u32 = 0;

function hex2(b: u8): string { return (b < 16 ? "0" : "") + (<u32>b).toString(16); }
function macAt(p: usize): string {
  let s = "";
  for (let i: usize = 0; i < 6; i++) s += (i > 0 ? ":" : "") + hex2(load<u8>(p + i));
  return s;
}
function say(s: string): void { print("netdrv: " + s + "\n"); }

/** Each DMA page's capability (a copy: the original is mapped in this address space) at its IOVA. */
function mapDma(): bool {
  for (let i: u32 = 0; i < DMA_PAGES; i++) {
    const src: u64 = i == 0 ? SLOT_FRAME : SLOT_FRAME_MORE + <u64>(i - 1);
    const slot = allocSlot();
    if (slot == 0 || cnodeCopy(SLOT_CNODE, slot, src, R_READ | R_WRITE) != 0) return false;
    if (ioSpaceMap(SLOT_IOSPACE, slot, IOVA + (<u64>i << 12), R_READ | R_WRITE) != 0) return false;
  }
  return true;
}

function setQueue(index: u32, num: u32, base: usize): bool {
  wr(QUEUE_SEL, index);
  if (rd(QUEUE_READY) != 0) return false;
  const max = rd(QUEUE_NUM_MAX);
  if (max == 0 || max < num) return false;
  memory.fill(DMA_VA + base, 0, 0x400);
  wr(QUEUE_NUM, num);
  const iova = IOVA + <u64>base;
  wr(QUEUE_DESC, <u32>iova); wr(QUEUE_DESC + 4, <u32>(iova >> 32));
  wr(QUEUE_AVAIL, <u32>(iova + AVAIL_OFF)); wr(QUEUE_AVAIL + 4, <u32>((iova + AVAIL_OFF) >> 32));
  wr(QUEUE_USED, <u32>(iova + USED_OFF)); wr(QUEUE_USED + 4, <u32>((iova + USED_OFF) >> 32));
  wr(QUEUE_READY, 1);
  return rd(QUEUE_READY) == 1;
}

function putDesc(q: usize, i: u32, iova: u64, len: u32, flags: u16): void {
  const d = DMA_VA + q + (<usize>i << 4);
  store<u64>(d, iova);
  store<u32>(d + 8, len);
  store<u16>(d + 12, flags);
  store<u16>(d + 14, 0);
}

/** Offers receive buffer `id` to the device (add_recvbuf_small). */
function postRx(id: u32): void {
  putDesc(RXQ, id, IOVA + <u64>RX_BUFS + <u64>(id * BUF_BYTES), BUF_BYTES, DESC_F_WRITE);
  store<u16>(DMA_VA + RXQ + AVAIL_OFF + 4 + ((<usize>rxAvail % RX_NUM) << 1), <u16>id);
  rxAvail++;
  store<u16>(DMA_VA + RXQ + AVAIL_OFF + 2, rxAvail); // the entry first, then the index
}

function readLink(): bool {
  // virtio_cread: the MAC bytes and the status word, retried while ConfigGeneration changes
  let gen: u32, w0: u32, w1: u32;
  do {
    gen = rd(CONFIG_GENERATION);
    w0 = rd(CONFIG);
    w1 = rd(CONFIG + 4);
  } while (rd(CONFIG_GENERATION) != gen);
  store<u32>(changetype<usize>(mac), w0);
  store<u16>(changetype<usize>(mac) + 4, <u16>w1);
  return ((w1 >> 16) & 1) != 0;
}

/** The Linux probe sequence; false (and FAILED set) when the device is not one we can drive. */
function probe(): bool {
  up = false;
  if (rd(MAGIC) != 0x74726976 || rd(VERSION) != 2 || rd(DEVICE_ID) != 1) return false;
  wr(STATUS, 0); // reset
  if (rd(STATUS) != 0) return false;
  addStatus(S_ACKNOWLEDGE);
  addStatus(S_DRIVER);
  wr(DEVICE_FEATURES_SEL, 1);
  const hi = rd(DEVICE_FEATURES);
  wr(DEVICE_FEATURES_SEL, 0);
  const lo = rd(DEVICE_FEATURES);
  if ((hi & F_VERSION_1_HI) == 0) { say("the device does not offer VIRTIO_F_VERSION_1"); addStatus(S_FAILED); return false; }
  wr(DRIVER_FEATURES_SEL, 1);
  wr(DRIVER_FEATURES, hi & (F_VERSION_1_HI | F_ACCESS_PLATFORM_HI));
  wr(DRIVER_FEATURES_SEL, 0);
  wr(DRIVER_FEATURES, lo & (F_MAC | F_STATUS));
  addStatus(S_FEATURES_OK);
  if ((rd(STATUS) & S_FEATURES_OK) == 0) { say("the device refuses our features"); addStatus(S_FAILED); return false; }
  if (!setQueue(RX_QUEUE, RX_NUM, RXQ) || !setQueue(TX_QUEUE, TX_NUM, TXQ)) { say("queue setup failed"); addStatus(S_FAILED); return false; }
  rxAvail = 0; rxUsed = 0; txAvail = 0; txUsed = 0; txInFlight = 0;
  pendingId.length = 0; pendingLen.length = 0;
  // without F_STATUS the link is taken to be up, as Linux does
  link = (lo & F_STATUS) == 0 || readLink();
  if ((lo & F_MAC) == 0) { say("the device has no MAC address"); addStatus(S_FAILED); return false; }
  for (let i: u32 = 0; i < RX_NUM; i++) postRx(i);
  addStatus(S_DRIVER_OK);
  up = (rd(STATUS) & S_NEEDS_RESET) == 0;
  wr(QUEUE_NOTIFY, RX_QUEUE);
  return up;
}

// ---- transmit ----

/** Returns transmitted buffers (the used ring) to the free pool. */
function reapTx(): void {
  const used = load<u16>(DMA_VA + TXQ + USED_OFF + 2);
  while (txUsed != used) { txUsed++; txInFlight--; }
}

/** Queues `len` bytes at `src` (a full Ethernet frame) on the transmit ring. */
function transmit(src: usize, len: u32): u32 {
  if (!up) return E.UNAVAILABLE;
  if (!link) { txDropped++; return E.UNAVAILABLE; }
  reapTx();
  if (txInFlight >= TX_NUM) return E.BUSY;
  const id = <u32>(txAvail % <u16>TX_NUM); // buffers go round in ring order, as they come back
  const buf = DMA_VA + TX_BUFS + <usize>(id * BUF_BYTES);
  memory.fill(buf, 0, HDR); // virtio_net_hdr_v1: no offload
  memory.copy(buf + HDR, src, len);
  putDesc(TXQ, id, IOVA + <u64>TX_BUFS + <u64>(id * BUF_BYTES), HDR + len, 0);
  store<u16>(DMA_VA + TXQ + AVAIL_OFF + 4 + ((<usize>txAvail % TX_NUM) << 1), <u16>id);
  txAvail++;
  store<u16>(DMA_VA + TXQ + AVAIL_OFF + 2, txAvail);
  txInFlight++;
  wr(QUEUE_NOTIFY, TX_QUEUE);
  txFrames++;
  txBytes += len;
  return 0;
}

/** A gratuitous ARP (RFC 5227 §3 announcement) for 10.0.0.k, from a scratch area of the netio page's end. */
function announce(): void {
  const f = IO_VA + IO_BYTES - 64;
  memory.fill(f, 0, 60);
  for (let i: usize = 0; i < 6; i++) { store<u8>(f + i, 0xff); store<u8>(f + 6 + i, mac[<i32>i]); store<u8>(f + 22 + i, mac[<i32>i]); }
  store<u8>(f + 12, 0x08); store<u8>(f + 13, 0x06); // ARP
  store<u8>(f + 15, 1); // htype Ethernet
  store<u8>(f + 16, 0x08); // ptype IPv4
  store<u8>(f + 18, 6); store<u8>(f + 19, 4); // hlen, plen
  store<u8>(f + 21, 1); // request
  const k = mac[5];
  store<u8>(f + 28, 10); store<u8>(f + 31, k); // sender 10.0.0.k
  store<u8>(f + 38, 10); store<u8>(f + 41, k); // target 10.0.0.k
  if (transmit(f, 60) == 0) announced = true;
}

// ---- receive ----

function takeRx(): void {
  const used = load<u16>(DMA_VA + RXQ + USED_OFF + 2);
  let fresh = false;
  while (rxUsed != used) {
    const e = DMA_VA + RXQ + USED_OFF + 4 + ((<usize>rxUsed % RX_NUM) << 3);
    const id = load<u32>(e);
    const len = load<u32>(e + 4);
    rxUsed++;
    if (id >= RX_NUM) continue; // not a buffer we posted: the device is broken; leave it
    if (len < HDR + ETH_MIN || len > HDR + ETH_MAX) { rxDropped++; postRx(id); continue; } // Linux: "rx packet too short"
    const frame = len - HDR;
    rxFrames++;
    rxBytes += frame;
    if (client == 0) {
      if (unclaimedShown < 8) {
        const f = DMA_VA + RX_BUFS + <usize>(id * BUF_BYTES) + HDR;
        const type = (<u32>load<u8>(f + 12) << 8) | load<u8>(f + 13);
        say("rx " + frame.toString() + " bytes from " + macAt(f + 6) + " to " + macAt(f) + " type 0x" + type.toString(16).padStart(4, "0") + ", no client: dropped");
        unclaimedShown++;
      }
      rxDropped++;
      postRx(id);
      continue;
    }
    if (pendingId.length >= MAX_PENDING) { rxDropped++; postRx(pendingId.shift()); pendingLen.shift(); }
    pendingId.push(id);
    pendingLen.push(frame);
    fresh = true;
  }
  if (waiter != 0 && pendingId.length > 0) {
    replyMsg.reset(0);
    replyMsg.putU32(deliver(waiterOffset));
    ipcSend(waiter, replyMsg);
    freeSlot(waiter);
    waiter = 0;
  }
  wr(QUEUE_NOTIFY, RX_QUEUE);
  if (fresh && client != 0 && pendingId.length > 0) signal(client);
}

function onInterrupt(): void {
  const st = rd(INTERRUPT_STATUS);
  wr(INTERRUPT_ACK, st); // vm_interrupt: acknowledge first, then look
  if ((st & INT_CONFIG) != 0) {
    if ((rd(STATUS) & S_NEEDS_RESET) != 0) {
      say("device needs reset: resetting");
      if (!probe()) say("the device did not come back");
      announced = false;
    }
    const was = link;
    link = readLink();
    if (link != was) say("link " + (link ? "up" : "down"));
  }
  if ((st & INT_VRING) != 0 && up) {
    takeRx();
    reapTx();
  }
  if (up && link && !announced) announce();
}

/** Copies the oldest pending frame to the shared page at `offset` and reposts its buffer; its length. */
function deliver(offset: u32): u32 {
  const id = pendingId.shift();
  const len = pendingLen.shift();
  memory.copy(IO_VA + <usize>offset, DMA_VA + RX_BUFS + <usize>(id * BUF_BYTES) + HDR, len);
  postRx(id);
  wr(QUEUE_NOTIFY, RX_QUEUE);
  return len;
}
const replyMsg = new Msg();

// ---- the protocol ----

class Driver extends netdev.Server {
  constructor() { super(); this.acceptsCaps = true; }
  /** The device's interrupt (the IRQ handler's notification is bound to this thread). */
  notified(bits: u64): void {
    if (dmaReady) onInterrupt();
    irqAck(SLOT_IRQ);
  }
  info(badge: u64, out: netdev.InfoReply): u32 {
    let m: u64 = 0;
    for (let i = 0; i < 6; i++) m = (m << 8) | <u64>mac[i];
    out.mac = m; out.link = up && link; out.mtu = ETH_MAX - ETH_MIN;
    return 0;
  }
  stats(badge: u64, out: netdev.StatsReply): u32 {
    out.rxFrames = rxFrames; out.rxBytes = rxBytes; out.rxDropped = rxDropped;
    out.txFrames = txFrames; out.txBytes = txBytes; out.txDropped = txDropped;
    return 0;
  }
  attach(badge: u64, ntfn: u64): u32 {
    if (ntfn == 0) return E.INVALID;
    if (client != 0) freeSlot(client);
    client = keepCap();
    if (pendingId.length > 0) signal(client);
    return 0;
  }
  send(badge: u64, offset: u32, len: u32): u32 {
    if (client == 0) return E.NOT_CONNECTED; // attach first: a restarted driver tells its stack so
    if (len < ETH_MIN || len > ETH_MAX || offset >= IO_BYTES || len > IO_BYTES - offset) return E.INVALID;
    return transmit(IO_VA + <usize>offset, len);
  }
  recv(badge: u64, offset: u32, wait: bool, out: netdev.RecvReply): u32 {
    if (client == 0) return E.NOT_CONNECTED;
    if (offset > IO_BYTES - ETH_MAX) return E.INVALID;
    if (pendingId.length > 0) { out.len = deliver(offset); return 0; }
    if (!wait) return E.WOULD_BLOCK;
    if (waiter != 0) return E.BUSY;
    const slot = allocSlot();
    if (slot == 0 || cnodeSaveCaller(SLOT_CNODE, slot) != 0) return E.BUSY;
    waiter = slot;
    waiterOffset = offset;
    return DEFER;
  }
}

// an interrupt a previous instance left pending is dropped with the reset in probe()
const dmaReady = mapDma();
if (!dmaReady) say("cannot map the DMA pages through the IOSpace");
else if (probe()) {
  if (link) say("virtio-net " + macAt(changetype<usize>(mac)) + ", link up (rx ring " + RX_NUM.toString() + ", tx ring " + TX_NUM.toString() + ")");
  if (link) announce();
} else say("no usable virtio-net device");
irqAck(SLOT_IRQ);

serve(SLOT_SELF, new Driver());
