// Native harness for services/fs/mlkfs.ts: the FS core over a JS RAM disk (imports `disk.*`),
// driven by tests/services/mlkfs.test.ts. Strings come in through `scratch` as UTF-8.
import { BlockIo, Fs, Inode } from "../../../services/fs/mlkfs";

@external("disk", "blocks") declare function diskBlocks(): u32;
@external("disk", "read") declare function diskRead(blk: u32, dst: usize): u32;
@external("disk", "write") declare function diskWrite(blk: u32, src: usize): u32;
@external("disk", "flush") declare function diskFlush(): u32;

class JsDisk extends BlockIo {
  blocks(): u32 { return diskBlocks(); }
  read(blk: u32, dst: usize): u32 { return diskRead(blk, dst); }
  write(blk: u32, src: usize): u32 { return diskWrite(blk, src); }
  flush(): u32 { return diskFlush(); }
}

const fs = new Fs(new JsDisk());
const ino = new Inode();
const buf = changetype<usize>(new ArrayBuffer(1 << 17));
const scratchBuf = changetype<usize>(new ArrayBuffer(512));

export function scratch(): usize { return scratchBuf; }
export function data(): usize { return buf; }
function str(off: i32, len: i32): string { return String.UTF8.decodeUnsafe(scratchBuf + off, len); }

export function format(ninodes: u32): u32 { return fs.format(ninodes); }
export function replayed(): u32 { return fs.replayed; }
export function commits(): u32 { return fs.dev.commits; }
export function bmapStart(): u32 { return fs.bmapStart; }
/** Why the last mount refused the device: the text goes to scratch; returns its length. */
export function problem(): i32 { return <i32>String.UTF8.encodeUnsafe(changetype<usize>(fs.problem), fs.problem.length, scratchBuf); }
export function mount(): u32 { return fs.mount(); }
export function repairs(): u32 { return fs.repairs; }
export function freeBlocks(): u32 { return fs.freeBlocks; }
export function freeInodes(): u32 { return fs.freeInodes; }
export function mounts(): u32 { return fs.mounts; }
export function dataStart(): u32 { return fs.dataStart; }
export function lastIno(): u32 { return ino.ino; }
export function lastType(): u32 { return ino.type; }
export function lastSize(): u32 { return ino.size; }
export function lastNlink(): u32 { return ino.nlink; }
export function lookup(dir: u32, len: i32): u32 { return fs.lookup(dir, str(0, len), ino); }
export function create(dir: u32, len: i32, type: u32): u32 { return fs.create(dir, str(0, len), type, ino); }
export function unlink(dir: u32, len: i32): u32 { return fs.unlink(dir, str(0, len)); }
export function rename(sdir: u32, slen: i32, ddir: u32, dlen: i32): u32 { return fs.rename(sdir, str(0, slen), ddir, str(slen, dlen)); }
export function write(i: u32, off: u32, len: u32): i32 { return fs.write(i, off, buf, len); }
export function read(i: u32, off: u32, max: u32): i32 { return fs.read(i, off, buf, max); }
export function truncate(i: u32, size: u32): u32 { return fs.truncate(i, size); }
export function getattr(i: u32): u32 { return fs.getattr(i, ino); }
/** readdir: the name goes to scratch; returns the error, name length in nameLen(). */
let nlen: i32 = 0;
export function readdir(dir: u32, index: u32): u32 {
  const e = fs.readdir(dir, index, ino);
  if (e == 0) { nlen = <i32>String.UTF8.encodeUnsafe(changetype<usize>(fs.readdirName), fs.readdirName.length, scratchBuf); }
  return e;
}
export function nameLen(): i32 { return nlen; }
