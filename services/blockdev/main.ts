// blockdev — the driver of the machine's DMA block device ("mlk,block", hw/blockdev.ts), serving
// the block protocol (abi/protocols/block.json). The device's registers are mapped at 0x4000, its
// completion interrupt (IRQ 700) arrives through the notification bound to this thread, and the
// data moves by DMA straight into the buffer page shared with the client (mapped at 0x8000). The
// device sits behind the DART: it sees IO virtual addresses only, so the driver maps a copy of the
// buffer's frame capability (SLOT_FRAME) at BUF_IOVA through its stream's IOSpace capability
// (SLOT_IOSPACE) and programs IO addresses; DMA anywhere else is refused by the DART and completes
// with an error. Requests are queued and completed asynchronously: each caller's reply capability
// is saved and answered from the interrupt.

import {
  Msg, DEFER, SLOT_SELF, SLOT_IRQ, SLOT_FRAME, SLOT_IOSPACE, SLOT_CNODE, R_READ, R_WRITE, ipcSend, irqAck, cnodeSaveCaller,
  cnodeCopy, ioSpaceMap, allocSlot, freeSlot, serve,
} from "../lib";
import * as blk from "../gen/block";
import * as E from "../gen/errors";

// registers (hw/blockdev.ts)
const DEV: usize = 0x4000;
const MAGIC: usize = 0x00, CAP_LO: usize = 0x04, CAP_HI: usize = 0x08, SECTOR_LO: usize = 0x0c, SECTOR_HI: usize = 0x10;
const COUNT: usize = 0x14, DMA_LO: usize = 0x18, DMA_HI: usize = 0x1c, CMD: usize = 0x20, STATUS: usize = 0x24, IRQ_ACK: usize = 0x28;
const CMD_READ: u32 = 1, CMD_WRITE: u32 = 2, CMD_FLUSH: u32 = 3;
const ST_BUSY: u32 = 1, ST_DONE: u32 = 2, ST_ERROR: u32 = 4;
const BUF_BYTES: u32 = 4096;
/** Where the shared buffer sits in the device's IO address space. */
const BUF_IOVA: u64 = 0x10_0000;

// @ts-ignore: decorator
@inline function rd(off: usize): u32 { return load<u32>(DEV + off); }
// @ts-ignore: decorator
@inline function wr(off: usize, v: u32): void { store<u32>(DEV + off, v); }

const present = rd(MAGIC) == 0x4d4c4b42;
const sectors: u64 = present ? (<u64>rd(CAP_HI) << 32) | <u64>rd(CAP_LO) : 0;
/** Map the buffer for DMA: a copy of its frame capability (the original maps it here at 0x8000). */
function mapDmaBuffer(): bool {
  const slot = allocSlot();
  if (slot == 0 || cnodeCopy(SLOT_CNODE, slot, SLOT_FRAME, R_READ | R_WRITE) != 0) return false;
  return ioSpaceMap(SLOT_IOSPACE, slot, BUF_IOVA, R_READ | R_WRITE) == 0;
}
const dmaReady = present && mapDmaBuffer();

class Req {
  constructor(public cmd: u32, public sector: u64, public count: u32, public offset: u32, public reply: u64) {}
}
const queue = new Array<Req>();
let active: Req | null = null;
const replyMsg = new Msg();

function startNext(): void {
  if (active != null || queue.length == 0) return;
  const r = queue.shift();
  active = r;
  wr(SECTOR_LO, <u32>r.sector);
  wr(SECTOR_HI, <u32>(r.sector >> 32));
  wr(COUNT, r.count);
  const iova = BUF_IOVA + <u64>r.offset;
  wr(DMA_LO, <u32>iova);
  wr(DMA_HI, <u32>(iova >> 32));
  wr(CMD, r.cmd);
}

function complete(): void {
  const r = active;
  if (r == null) return;
  const st = rd(STATUS);
  if ((st & ST_BUSY) != 0 || (st & (ST_DONE | ST_ERROR)) == 0) return;
  wr(IRQ_ACK, ST_DONE | ST_ERROR);
  if ((st & ST_ERROR) != 0) replyMsg.error(((st >> 8) & 0xff) == 2 ? E.RANGE : E.IO);
  else replyMsg.reset(0);
  ipcSend(r.reply, replyMsg);
  freeSlot(r.reply);
  active = null;
}

function enqueue(cmd: u32, sector: u64, count: u32, offset: u32): u32 {
  if (!present || !dmaReady) return E.IO;
  if (cmd != CMD_FLUSH) {
    if (count == 0 || offset % 512 != 0 || <u64>offset + <u64>count * 512 > <u64>BUF_BYTES) return E.INVALID;
    if (sector + <u64>count > sectors) return E.RANGE;
  }
  const slot = allocSlot();
  if (slot == 0 || cnodeSaveCaller(SLOT_CNODE, slot) != 0) return E.BUSY;
  queue.push(new Req(cmd, sector, count, offset, slot));
  startNext();
  return DEFER;
}

class Driver extends blk.Server {
  info(badge: u64, out: blk.InfoReply): u32 {
    out.sectors = sectors; out.sectorSize = 512; out.maxCount = BUF_BYTES / 512;
    return 0;
  }
  read(badge: u64, sector: u64, count: u32, offset: u32): u32 { return enqueue(CMD_READ, sector, count, offset); }
  write(badge: u64, sector: u64, count: u32, offset: u32): u32 { return enqueue(CMD_WRITE, sector, count, offset); }
  flush(badge: u64): u32 { return enqueue(CMD_FLUSH, 0, 0, 0); }
  /** The completion interrupt. */
  notified(bits: u64): void {
    complete();
    irqAck(SLOT_IRQ);
    startNext();
  }
}

// a command a previous instance left running completes unseen: clear the device first
wr(IRQ_ACK, ST_DONE | ST_ERROR);
irqAck(SLOT_IRQ);

serve(SLOT_SELF, new Driver());
