// DMA test driver, run as init: drives the block device behind the DART the way services/blockdev
// does, then aims DMA where it holds no IO mapping (another page's physical address, an unmapped
// IOVA, a buffer it unmapped or whose capability it deleted). Each stray transfer must complete with
// the device's DMA error and leave the other page untouched. Prints one line per step.
import {
  biDeviceCount, biDeviceKind, biDeviceSlot, frameMap, frameGetAddress, ioSpaceMap, ioSpaceUnmap, irqControlGet,
  cnodeCopy, cnodeDelete, reg, print, println, printNum, exit,
  SLOT_VSPACE, SLOT_CNODE, SLOT_IRQ_CONTROL, T_FRAME, R_READ, R_WRITE, R_ALL, BI_DEV_KIND_BLOCK, BI_DEV_KIND_IOSPACE,
  E_INVALID_CAPABILITY, E_DELETE_FIRST, E_ALIGNMENT, E_RANGE, E_INVALID_ARGUMENT, E_ILLEGAL_OPERATION,
} from "../../../services/lib";
import { alloc, make, check } from "../../kernel/programs/common";

const REGS: usize = 0x4000, BUF: usize = 0x8000, OTHER: usize = 0xa000;
const BUF_IOVA: u64 = 0x10000;

function findRecord(kind: u32): u64 {
  for (let i: u32 = 0; i < biDeviceCount(); i++) if (biDeviceKind(i) == kind) return <u64>biDeviceSlot(i);
  println("FAIL no boot-info record"); exit(1);
  return 0;
}
function expectErr(e: i64, want: i64, what: string): void {
  if (e != want) { print("FAIL "); print(what); print(": got "); printNum(e); print(" want "); printNum(want); println(""); exit(1); }
}

/** One block command by polling (sector, count 1, DMA address); returns STATUS. */
function blk(cmd: u32, sector: u32, dma: u64): u32 {
  store<u32>(REGS + 0x28, 6); // IRQ_ACK: DONE | ERROR
  store<u32>(REGS + 0x0c, sector);
  store<u32>(REGS + 0x10, 0);
  store<u32>(REGS + 0x14, 1);
  store<u32>(REGS + 0x18, <u32>dma);
  store<u32>(REGS + 0x1c, <u32>(dma >> 32));
  store<u32>(REGS + 0x20, cmd);
  let st = load<u32>(REGS + 0x24);
  while ((st & 1) != 0) st = load<u32>(REGS + 0x24);
  return st;
}
function report(what: string, st: u32): void {
  print("dma: "); print(what); print(" status "); printNum(st & 7); print(" error "); printNum((st >> 8) & 0xff); println("");
}
function intact(): bool {
  for (let i: usize = 0; i < 4096; i++) if (load<u8>(OTHER + i) != 0x5a) return false;
  return true;
}

const regs = findRecord(BI_DEV_KIND_BLOCK);
const io = findRecord(BI_DEV_KIND_IOSPACE);
check(frameMap(regs, SLOT_VSPACE, REGS, R_READ | R_WRITE), "map block registers");
const buf = make(T_FRAME);
check(frameMap(buf, SLOT_VSPACE, BUF, R_READ | R_WRITE), "map buffer");
const bufIo = alloc();
check(cnodeCopy(SLOT_CNODE, bufIo, buf, R_ALL), "copy buffer cap");
// the other page: mapped here only to fill and check it; it has no IO mapping
const other = make(T_FRAME);
check(frameMap(other, SLOT_VSPACE, OTHER, R_READ | R_WRITE), "map other page");
memory.fill(OTHER, 0x5a, 4096);
check(frameGetAddress(other), "other page address");
const otherPa = <u64>reg(2);

// what IOSpace.Map refuses
expectErr(ioSpaceMap(io, regs, BUF_IOVA, R_READ | R_WRITE), E_INVALID_CAPABILITY, "map device registers for DMA");
expectErr(ioSpaceMap(io, buf, BUF_IOVA, R_READ | R_WRITE), E_DELETE_FIRST, "map a frame cap already mapped");
expectErr(ioSpaceMap(io, bufIo, BUF_IOVA + 0x800, R_READ | R_WRITE), E_ALIGNMENT, "unaligned iova");
expectErr(ioSpaceMap(io, bufIo, <u64>1 << 30, R_READ | R_WRITE), E_RANGE, "iova beyond the window");
expectErr(ioSpaceMap(io, bufIo, BUF_IOVA, 0), E_INVALID_ARGUMENT, "no rights");
expectErr(ioSpaceUnmap(io, bufIo), E_ILLEGAL_OPERATION, "unmap of a frame not mapped");
expectErr(irqControlGet(SLOT_IRQ_CONTROL, 702, alloc()), E_ILLEGAL_OPERATION, "the DART's IRQ is the kernel's");
println("dma: refusals ok");

// the real path: map the buffer, read sector 1 into it
check(ioSpaceMap(io, bufIo, BUF_IOVA, R_READ | R_WRITE), "iospace map");
expectErr(frameMap(bufIo, SLOT_VSPACE, 0xc000, R_READ), E_DELETE_FIRST, "a cap maps one place at a time");
memory.fill(BUF, 0xee, 512);
report("mapped read", blk(1, 1, BUF_IOVA));
print("dma: buffer starts "); printNum(load<u8>(BUF)); print(" "); printNum(load<u8>(BUF + 511)); println("");

// stray DMA: at the other page's physical address, at an unmapped IOVA
report("read at another page's PA", blk(1, 0, otherPa));
report("read at an unmapped iova", blk(1, 0, BUF_IOVA + 0x10000));
report("write from an unmapped iova", blk(2, 2, BUF_IOVA + 0x10000));
println(intact() ? "dma: other page intact" : "FAIL other page written");

// unmapping, and deleting the IO-mapped cap, take the DART's access away (the kernel flushes its TLB)
check(ioSpaceUnmap(io, bufIo), "iospace unmap");
report("read after unmap", blk(1, 1, BUF_IOVA));
check(ioSpaceMap(io, bufIo, BUF_IOVA, R_READ), "iospace map read-only");
report("device write into a read-only mapping", blk(1, 1, BUF_IOVA));
report("device read from a read-only mapping", blk(2, 3, BUF_IOVA));
check(cnodeDelete(SLOT_CNODE, bufIo), "delete the mapped cap");
report("read after delete", blk(2, 3, BUF_IOVA));
println("dma: done");
