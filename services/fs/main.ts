// fs — the file-system service: mlkfs (mlkfs.ts) over a block service, serving the fs protocol
// (abi/protocols/fs.json) to the VFS. The block service is whatever this instance's manifest
// entry names "block" (blockdev for /, ramdisk for /tmp); data moves through the shared buffer
// page at 0x8000. At start it mounts (replaying the journal, then a consistency check); a blank
// device is formatted (and, with args "seed", given /etc/motd and a few files, again at the next
// start if a power cut interrupted that); a corrupt one is refused (every request then fails with
// CORRUPT). Every change is one journal transaction, durable on the device (written and flushed)
// before the reply, and block calls that a restarting driver cancelled are retried, so neither a
// power cut nor an fs or driver restart loses an acknowledged change.

import { Msg, SLOT_SELF, SLOT_PROC, lookup, serve } from "../lib";
import * as fsP from "../gen/fs";
import * as blk from "../gen/block";
import * as proc from "../gen/proc";
import * as E from "../gen/errors";
import { BlockIo, Fs, Inode, BLOCK, ROOT, T_DIR, T_FILE } from "./mlkfs";

const BUF: usize = 0x8000;
const CACHE: u32 = 256; // direct-mapped write-through block cache (128 KiB)

function log(s: string): void { proc.log(SLOT_PROC, s); }

class RemoteDisk extends BlockIo {
  ep: u64 = 0;
  n: u32 = 0;
  tags: StaticArray<u32> = new StaticArray<u32>(<i32>CACHE);
  cache: ArrayBuffer = new ArrayBuffer(<i32>CACHE * BLOCK); // owns `data` for the collector
  data: usize = changetype<usize>(this.cache);
  constructor(ep: u64, n: u32) {
    super();
    this.ep = ep; this.n = n;
    for (let i: u32 = 0; i < CACHE; i++) unchecked(this.tags[i] = 0xffff_ffff);
  }
  blocks(): u32 { return this.n; }
  /** Forgets every cached block. */
  invalidate(): void { for (let i: u32 = 0; i < CACHE; i++) unchecked(this.tags[i] = 0xffff_ffff); }
  read(b: u32, dst: usize): u32 {
    const i = b % CACHE;
    const c = this.data + <usize>i * BLOCK;
    if (unchecked(this.tags[i]) != b) {
      let e: u32 = 0;
      for (let t = 0; t < 4; t++) { e = blk.read(this.ep, <u64>b, 1, 0); if (e != E.CANCELLED) break; }
      if (e) return e;
      memory.copy(c, BUF, BLOCK);
      unchecked(this.tags[i] = b);
    }
    memory.copy(dst, c, BLOCK);
    return 0;
  }
  write(b: u32, src: usize): u32 {
    const i = b % CACHE;
    memory.copy(BUF, src, BLOCK);
    let e: u32 = 0;
    for (let t = 0; t < 4; t++) { e = blk.write(this.ep, <u64>b, 1, 0); if (e != E.CANCELLED) break; }
    if (e) { unchecked(this.tags[i] = 0xffff_ffff); return e; }
    memory.copy(this.data + <usize>i * BLOCK, src, BLOCK);
    unchecked(this.tags[i] = b);
    return 0;
  }
  flush(): u32 {
    let e: u32 = 0;
    for (let t = 0; t < 4; t++) { e = blk.flush(this.ep); if (e != E.CANCELLED) break; }
    return e;
  }
}

// ---- mount -----------------------------------------------------------------------------------------
const argsR = new proc.ArgsReply();
proc.args(SLOT_PROC, argsR);
const seed = argsR.args.indexOf("seed") >= 0;
/** The device forgets everything when its driver restarts (a RAM disk): check it before each request. */
const volatileDev = argsR.args.indexOf("volatile") >= 0;
const blockEp = lookup("block");
const infoR = new blk.InfoReply();
let bad: u32 = 0;
if (blockEp == 0) bad = E.UNAVAILABLE;
else {
  const e = blk.info(blockEp, infoR);
  if (e) bad = e;
}
const disk = new RemoteDisk(blockEp, <u32>min(infoR.sectors, <u64>0xffff_ffff));
const fs = new Fs(disk);
const tmp = new Inode();

/** Creates dir/name with text unless it exists with some content (so seeding can resume). */
function put(dir: u32, name: string, type: u32, text: string): u32 {
  if (dir == 0) return 0;
  if (fs.lookup(dir, name, tmp) == 0) {
    if (tmp.type != type || tmp.size > 0 || type == T_DIR) return type == tmp.type ? tmp.ino : 0;
  } else if (fs.create(dir, name, type, tmp) != 0) return 0;
  const ino = tmp.ino;
  if (text.length > 0) {
    const b = String.UTF8.encode(text);
    fs.write(ino, 0, changetype<usize>(b), <u32>b.byteLength);
  }
  return ino;
}

function seedFiles(): void {
  const etc = put(ROOT, "etc", T_DIR, "");
  put(etc, "motd", T_FILE,
    "Welcome to MyLittleKernel!\n" +
    "Every service here (console, vfs, fs, blockdev, this shell) is an isolated EL0\n" +
    "program that you reach only through capabilities and typed messages.\n" +
    "Try: ls /, ps, caps 8, echo hi > /tmp/a, kill 5, help\n");
  put(etc, "hostname", T_FILE, "mlk\n");
  put(etc, "services", T_FILE, "console blockdev ramdisk fs tmpfs vfs shell\n");
  const home = put(ROOT, "home", T_DIR, "");
  put(home, "notes.txt", T_FILE, "Files under / live on the block device and survive a reboot.\nFiles under /tmp live on a RAM disk.\n");
  fs.markSeeded();
}

if (bad == 0) {
  let e = fs.mount();
  if (e == E.CORRUPT && !fs.hasMagic()) {
    const ninodes = <u32>max<u32>(64, min<u32>(disk.n / 8, 1024));
    e = fs.format(ninodes, seed);
    if (e == 0) log("formatted a blank device: " + disk.n.toString() + " blocks, " + fs.ninodes.toString() + " inodes");
  }
  if (e == 0 && seed && fs.unseeded()) seedFiles();
  if (e) { bad = e; log("mount failed: " + E.errName(e) + (fs.problem.length > 0 ? " (" + fs.problem + ")" : "")); }
  else log("mounted (mount #" + fs.mounts.toString() + "): " + fs.freeBlocks.toString() + "/" + fs.nblocks.toString() + " blocks free, journal replayed " + fs.replayed.toString() + ", check repaired " + fs.repairs.toString());
}

// ---- the fs protocol -----------------------------------------------------------------------------
const rbuf: usize = memory.data(256, 16);

class FsServer extends fsP.Server {
  /** A volatile device may have been reset under us: check it before each request. */
  handle(m: Msg): bool {
    if (volatileDev) checkMedium();
    return super.handle(m);
  }
  statfs(badge: u64, out: fsP.StatfsReply): u32 {
    if (bad) return bad;
    out.blocks = fs.nblocks; out.freeBlocks = fs.freeBlocks; out.inodes = fs.ninodes; out.freeInodes = fs.freeInodes;
    return 0;
  }
  lookup(badge: u64, dir: u32, name: string, out: fsP.LookupReply): u32 {
    if (bad) return bad;
    const e = fs.lookup(dir, name, tmp);
    if (e) return e;
    out.ino = tmp.ino; out.type = tmp.type; out.size = tmp.size;
    return 0;
  }
  getattr(badge: u64, ino: u32, out: fsP.GetattrReply): u32 {
    if (bad) return bad;
    const e = fs.getattr(ino, tmp);
    if (e) return e;
    out.type = tmp.type; out.size = tmp.size; out.nlink = tmp.nlink;
    return 0;
  }
  read(badge: u64, ino: u32, off: u32, max: u32, out: fsP.ReadReply): u32 {
    if (bad) return bad;
    const n = fs.read(ino, off, rbuf, min(max, 256));
    if (n < 0) return <u32>-n;
    out.data = rbuf; out.dataLen = n;
    return 0;
  }
  write(badge: u64, ino: u32, off: u32, data: usize, dataLen: i32, out: fsP.WriteReply): u32 {
    if (bad) return bad;
    memory.copy(rbuf, data, dataLen); // data points into the message buffer
    const n = fs.write(ino, off, rbuf, <u32>dataLen);
    if (n < 0) return <u32>-n;
    out.n = <u32>n;
    return 0;
  }
  truncate(badge: u64, ino: u32, size: u32): u32 { return bad ? bad : fs.truncate(ino, size); }
  create(badge: u64, dir: u32, name: string, type: u32, out: fsP.CreateReply): u32 {
    if (bad) return bad;
    const e = fs.create(dir, name, type, tmp);
    if (e) return e;
    out.ino = tmp.ino;
    return 0;
  }
  unlink(badge: u64, dir: u32, name: string): u32 { return bad ? bad : fs.unlink(dir, name); }
  rename(badge: u64, sdir: u32, sname: string, ddir: u32, dname: string): u32 { return bad ? bad : fs.rename(sdir, sname, ddir, dname); }
  readdir(badge: u64, dir: u32, index: u32, out: fsP.ReaddirReply): u32 {
    if (bad) return bad;
    const e = fs.readdir(dir, index, tmp);
    if (e) return e;
    out.name = fs.readdirName; out.ino = tmp.ino; out.type = tmp.type; out.size = tmp.size;
    return 0;
  }
  sync(badge: u64): u32 { return bad ? bad : blk.flush(blockEp); }
}

/**
 * A volatile device (RAM disk) whose driver restarted is blank again: the superblock is gone or is
 * another one. Then the cache is dropped and the device formatted afresh (its files are lost,
 * as RAM's are), rather than serving stale cached blocks over a blank device.
 */
function checkMedium(): void {
  if (bad != 0) return;
  let e: u32 = 0;
  for (let t = 0; t < 4; t++) { e = blk.read(blockEp, 0, 1, 0); if (e != E.CANCELLED) break; }
  if (e == 0 && load<u64>(BUF) == 0x0000_3153_464b_4c4d && load<u32>(BUF + 0x28) == fs.mounts) return;
  disk.invalidate();
  e = fs.mount();
  if (e == E.CORRUPT && !fs.hasMagic()) {
    e = fs.format(fs.ninodes);
    if (e == 0) log("the device was reset (its driver restarted): formatted it again, earlier files are gone");
  }
  if (e) { bad = e; log("mount failed: " + E.errName(e)); }
}

serve(SLOT_SELF, new FsServer());
