// ramdisk — a block device in this service's own memory, serving the block protocol
// (abi/protocols/block.json) through the buffer page shared with its client (mapped at 0x8000).
// Its size comes from the manifest's args ("sectors=N"). The contents live only as long as the
// service: a restarted ramdisk is blank (and tmpfs formats it again).

import { SLOT_SELF, SLOT_PROC, serve } from "../lib";
import * as blk from "../gen/block";
import * as proc from "../gen/proc";
import * as E from "../gen/errors";

const BUF: usize = 0x8000;
const BUF_BYTES: u32 = 4096;

function argNum(args: string, key: string, dflt: u32): u32 {
  const i = args.indexOf(key + "=");
  if (i < 0) return dflt;
  let v: u32 = 0;
  for (let k = i + key.length + 1; k < args.length; k++) {
    const c = args.charCodeAt(k);
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + <u32>(c - 0x30);
  }
  return v > 0 ? v : dflt;
}

const argsR = new proc.ArgsReply();
const sectors: u32 = proc.args(SLOT_PROC, argsR) == 0 ? argNum(argsR.args, "sectors", 1024) : 1024;
const diskBuf = new ArrayBuffer(<i32>(sectors * 512)); // a global: the collector keeps it
const disk: usize = changetype<usize>(diskBuf);

function check(sector: u64, count: u32, offset: u32): u32 {
  if (count == 0 || offset % 512 != 0 || <u64>offset + <u64>count * 512 > <u64>BUF_BYTES) return E.INVALID;
  if (sector + <u64>count > <u64>sectors) return E.RANGE;
  return 0;
}

class RamDisk extends blk.Server {
  info(badge: u64, out: blk.InfoReply): u32 {
    out.sectors = sectors; out.sectorSize = 512; out.maxCount = BUF_BYTES / 512;
    return 0;
  }
  read(badge: u64, sector: u64, count: u32, offset: u32): u32 {
    const e = check(sector, count, offset);
    if (e) return e;
    memory.copy(BUF + offset, disk + <usize>sector * 512, count * 512);
    return 0;
  }
  write(badge: u64, sector: u64, count: u32, offset: u32): u32 {
    const e = check(sector, count, offset);
    if (e) return e;
    memory.copy(disk + <usize>sector * 512, BUF + offset, count * 512);
    return 0;
  }
  flush(badge: u64): u32 { return 0; }
}

serve(SLOT_SELF, new RamDisk());
