// mlkfs.ts — the file system core: pure AssemblyScript over a block-access interface (BlockIo),
// so the same code runs in the fs service (blocks through the block protocol) and natively in
// the unit tests (tests/services/mlkfs.test.ts, a JS RAM disk). No syscalls here.
//
// On-disk layout (version 2), 512-byte blocks (= sectors):
// ```
// ┌ 0: superblock ┬ 1: journal header ┬ journal images ┬ block bitmap ┬ inode table ┬ data … ┐
// ```
// Superblock (block 0):
//   0x00 magic u64 "MLKFS1\0\0"   0x08 version u32 (2)   0x0C nblocks   0x10 ninodes
//   0x14 bmapStart   0x18 bmapBlocks   0x1C itStart   0x20 itBlocks   0x24 dataStart
//   0x28 mounts (counts mounts)   0x2C jStart (1)   0x30 jBlocks   0x34 flags (bit 0: not yet seeded)
//   0x3C checksum (FNV-1a of bytes 0x00..0x3B)
// Inode (64 bytes; inode 0 is never used, 1 is the root directory):
//   0x00 type u16 (0 free, 1 file, 2 dir)   0x02 nlink u16   0x04 size u32
//   0x08 direct[12] u32   0x38 indirect u32 (a block of 128 pointers)   0x3C spare u32
// Directory entry (64 bytes, 8 per block; a directory's size is a multiple of 64):
//   0x00 ino u32 (0 = free slot)   0x04 type u8   0x05 nameLen u8   0x06 name[58]
//
// Crash consistency (docs/SERVICES.md "mlkfs on disk"): every operation that changes the disk is
// one transaction of whole-block images, collected in memory by `Journal`. Commit writes the
// images to the journal area, then the header (the commit record: block numbers, sequence, a
// checksum over header and images), flushes, writes the blocks home and flushes again; only then
// does the operation return. Mount replays a journal whose checksums hold (idempotent: it holds
// the newest images of its blocks) and then clears it, so a power cut at any instant leaves either
// the state before an operation or after it. Format writes the superblock last. The mount check
// (fsck) still verifies the superblock and rebuilds the bitmap and link counts from the inodes and
// directories, repairing what disagrees (see `mount`).
import * as E from "../gen/errors";

export const BLOCK: i32 = 512;
export const MAGIC: u64 = 0x0000_3153_464b_4c4d; // "MLKFS1"
export const VERSION: u32 = 2;
/** The version before the journal: recognised only to refuse it with a clear message. */
export const VERSION_NO_JOURNAL: u32 = 1;
export const JMAGIC: u32 = 0x4a4b_4c4d; // "MLKJ"
/** The journal header holds at most this many block numbers: the largest transaction. */
export const JMAX_BLOCKS: u32 = 120;
export const SB_CHECKSUM: i32 = 0x3c;
export const FLAG_UNSEEDED: u32 = 1;
export const INODE_BYTES: i32 = 64;
export const INODES_PER_BLOCK: u32 = 8;
export const DIRENT_BYTES: i32 = 64;
export const NAME_MAX: i32 = 58;
export const NDIRECT: u32 = 12;
export const NINDIRECT: u32 = 128;
export const MAX_FILE_BLOCKS: u32 = NDIRECT + NINDIRECT;
export const MAX_FILE_SIZE: u32 = MAX_FILE_BLOCKS * <u32>BLOCK;
export const ROOT: u32 = 1;

export const T_FREE: u32 = 0;
export const T_FILE: u32 = 1;
export const T_DIR: u32 = 2;

/**
 * The device under the file system: whole 512-byte blocks, 0 or an error code. A write that
 * returned 0 has reached the device; `flush` returns once every such write is durable.
 */
export abstract class BlockIo {
  abstract blocks(): u32;
  abstract read(blk: u32, dst: usize): u32;
  abstract write(blk: u32, src: usize): u32;
  abstract flush(): u32;
}

function fnv(p: usize, n: i32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < n; i++) { h ^= load<u8>(p + i); h *= 0x01000193; }
  return h;
}


/**
 * The write-ahead journal: between `begin` and `end` every block write is kept in memory (reads
 * see it); the outermost `end` commits them as one transaction (see the file header). Outside a
 * transaction, or before the journal is placed (format, the mount check), writes go straight to
 * the device.
 *
 * Journal header (block jStart): 0x00 magic "MLKJ"  0x04 sequence  0x08 count  0x0C checksum of
 * the images (FNV-1a over each image in order)  0x10 home block numbers u32[count]
 * 0x1FC checksum of bytes 0x000..0x1FB. Image i is block jStart + 1 + i.
 */
export class Journal extends BlockIo {
  dev: BlockIo;
  start: u32 = 0; // 0 = no journal (writes go through)
  capacity: u32 = 0; // images that fit: jBlocks - 1, at most JMAX_BLOCKS
  seq: u32 = 0;
  depth: i32 = 0;
  count: u32 = 0;
  /** Commits so far (for tests and the status log). */
  commits: u32 = 0;
  private homes: StaticArray<u32> = new StaticArray<u32>(<i32>JMAX_BLOCKS);
  private imgBuf: ArrayBuffer = new ArrayBuffer(<i32>JMAX_BLOCKS * BLOCK);
  private hdrBuf: ArrayBuffer = new ArrayBuffer(BLOCK);
  private imgs: usize = changetype<usize>(this.imgBuf);
  private hdr: usize = changetype<usize>(this.hdrBuf);

  constructor(dev: BlockIo) { super(); this.dev = dev; }

  blocks(): u32 { return this.dev.blocks(); }
  flush(): u32 { return this.dev.flush(); }

  place(start: u32, jBlocks: u32): void {
    this.start = start;
    this.capacity = min<u32>(jBlocks - 1, JMAX_BLOCKS);
    this.count = 0;
    this.depth = 0;
  }

  /** Room left in the open transaction, in blocks. */
  room(): u32 { return this.capacity - this.count; }

  private find(blk: u32): i32 {
    for (let i: u32 = 0; i < this.count; i++) if (unchecked(this.homes[i]) == blk) return <i32>i;
    return -1;
  }

  read(blk: u32, dst: usize): u32 {
    if (this.count > 0) {
      const i = this.find(blk);
      if (i >= 0) { memory.copy(dst, this.imgs + <usize>i * BLOCK, BLOCK); return 0; }
    }
    return this.dev.read(blk, dst);
  }

  write(blk: u32, src: usize): u32 {
    if (this.start == 0 || this.depth == 0) return this.dev.write(blk, src);
    let i = this.find(blk);
    if (i < 0) {
      // a transaction larger than the journal is committed in parts (only a long write does this)
      if (this.count == this.capacity) { const e = this.commit(); if (e) return e; }
      i = <i32>this.count;
      this.count++;
      unchecked(this.homes[i] = blk);
    }
    memory.copy(this.imgs + <usize>i * BLOCK, src, BLOCK);
    return 0;
  }

  begin(): void { this.depth++; }

  /** Closes a transaction level; the outermost commits. Returns e, or the commit's error. */
  end(e: u32): u32 {
    if (--this.depth > 0) return e;
    this.depth = 0;
    const c = this.commit();
    return e ? e : c;
  }

  /** Writes the open transaction to the journal, then home; durable when it returns 0. */
  commit(): u32 {
    const n = this.count;
    if (n == 0) return 0;
    this.count = 0; // whatever happens below, these images are no longer pending
    let e: u32 = 0;
    for (let i: u32 = 0; i < n; i++) {
      e = this.dev.write(this.start + 1 + i, this.imgs + <usize>i * BLOCK);
      if (e) return e;
    }
    this.seq++;
    memory.fill(this.hdr, 0, BLOCK);
    store<u32>(this.hdr, JMAGIC);
    store<u32>(this.hdr, this.seq, 4);
    store<u32>(this.hdr, n, 8);
    store<u32>(this.hdr, fnv(this.imgs, <i32>(n * <u32>BLOCK)), 12);
    for (let i: u32 = 0; i < n; i++) store<u32>(this.hdr + 16 + (i << 2), unchecked(this.homes[i]));
    store<u32>(this.hdr, fnv(this.hdr, BLOCK - 4), BLOCK - 4);
    e = this.dev.write(this.start, this.hdr);
    if (e) return e;
    e = this.dev.flush(); // committed: the operation survives a power cut from here on
    if (e) return e;
    for (let i: u32 = 0; i < n; i++) {
      e = this.dev.write(unchecked(this.homes[i]), this.imgs + <usize>i * BLOCK);
      if (e) return e;
    }
    e = this.dev.flush(); // home blocks durable before the next transaction reuses the journal
    if (e) return e;
    this.commits++;
    return 0;
  }

  /**
   * At mount: replays a committed transaction (block numbers checked against [lo, hi)), then
   * clears the header. Returns the number of blocks replayed, or -error.
   */
  recover(lo: u32, hi: u32): i32 {
    let e = this.dev.read(this.start, this.hdr);
    if (e) return -<i32>e;
    const n = load<u32>(this.hdr, 8);
    let replayed: i32 = 0;
    if (load<u32>(this.hdr) == JMAGIC && load<u32>(this.hdr, BLOCK - 4) == fnv(this.hdr, BLOCK - 4) && n <= this.capacity) {
      this.seq = load<u32>(this.hdr, 4);
      let ok = true;
      for (let i: u32 = 0; i < n; i++) {
        const b = load<u32>(this.hdr + 16 + (i << 2));
        if (b < lo || b >= hi) ok = false;
        unchecked(this.homes[i] = b);
      }
      for (let i: u32 = 0; ok && i < n; i++) {
        e = this.dev.read(this.start + 1 + i, this.imgs + <usize>i * BLOCK);
        if (e) return -<i32>e;
      }
      // a torn commit (header written, an image not) fails the image checksum: nothing to replay
      if (ok && load<u32>(this.hdr, 12) == fnv(this.imgs, <i32>(n * <u32>BLOCK))) {
        for (let i: u32 = 0; i < n; i++) {
          e = this.dev.write(unchecked(this.homes[i]), this.imgs + <usize>i * BLOCK);
          if (e) return -<i32>e;
        }
        replayed = <i32>n;
      }
    }
    if (load<u32>(this.hdr) != 0) {
      if (replayed > 0) { e = this.dev.flush(); if (e) return -<i32>e; }
      memory.fill(this.hdr, 0, BLOCK);
      e = this.dev.write(this.start, this.hdr);
      if (e) return -<i32>e;
      e = this.dev.flush();
      if (e) return -<i32>e;
    }
    return replayed;
  }
}

/** An inode in memory. */
export class Inode {
  ino: u32 = 0;
  type: u32 = 0;
  nlink: u32 = 0;
  size: u32 = 0;
  direct: StaticArray<u32> = new StaticArray<u32>(12);
  indirect: u32 = 0;

  load(p: usize): void {
    this.type = load<u16>(p);
    this.nlink = load<u16>(p, 2);
    this.size = load<u32>(p, 4);
    for (let i = 0; i < 12; i++) unchecked(this.direct[i] = load<u32>(p + 8 + (i << 2)));
    this.indirect = load<u32>(p, 0x38);
  }
  save(p: usize): void {
    store<u16>(p, <u16>this.type);
    store<u16>(p, <u16>this.nlink, 2);
    store<u32>(p, this.size, 4);
    for (let i = 0; i < 12; i++) store<u32>(p + 8 + (i << 2), unchecked(this.direct[i]));
    store<u32>(p, this.indirect, 0x38);
    store<u32>(p, 0, 0x3c);
  }
  clear(): void {
    this.type = 0; this.nlink = 0; this.size = 0; this.indirect = 0;
    for (let i = 0; i < 12; i++) unchecked(this.direct[i] = 0);
  }
}

export class Fs {
  /** The device seen through the journal: every block access of the file system goes here. */
  dev: Journal;
  nblocks: u32 = 0;
  ninodes: u32 = 0;
  bmapStart: u32 = 1;
  bmapBlocks: u32 = 0;
  itStart: u32 = 0;
  itBlocks: u32 = 0;
  dataStart: u32 = 0;
  mounts: u32 = 0;
  jStart: u32 = 1;
  jBlocks: u32 = 0;
  flags: u32 = 0;
  mounted: bool = false;
  /** Blocks the last mount replayed from the journal. */
  replayed: u32 = 0;
  /** Why the last mount refused the device, when it did (CORRUPT covers several causes). */
  problem: string = "";
  freeBlocks: u32 = 0;
  freeInodes: u32 = 0;
  /** What the last mount's check repaired. */
  repairs: u32 = 0;

  // Raw buffers are addressed by pointer (usize) but owned by managed fields, so the garbage
  // collector keeps them alive for as long as the Fs lives.
  private blocks: StaticArray<u8> = new StaticArray<u8>(6 * BLOCK);
  private bitmapBuf: ArrayBuffer = new ArrayBuffer(0);
  private usedBuf: ArrayBuffer = new ArrayBuffer(0);
  bitmap: usize = 0; // bmapBlocks × 512 bytes, the on-disk bitmap in memory
  private sb: usize = changetype<usize>(this.blocks);
  private ib: usize = changetype<usize>(this.blocks) + BLOCK; // inode-table block
  private db: usize = changetype<usize>(this.blocks) + 2 * BLOCK; // data / directory block
  private xb: usize = changetype<usize>(this.blocks) + 3 * BLOCK; // indirect block
  private zero: usize = changetype<usize>(this.blocks) + 4 * BLOCK;
  private nameBuf: usize = changetype<usize>(this.blocks) + 5 * BLOCK;
  private nameLen: i32 = 0;
  private tmp: Inode = new Inode();
  private tmp2: Inode = new Inode();

  constructor(dev: BlockIo) { this.dev = new Journal(dev); }

  // ---- format and mount ----------------------------------------------------------------------

  /**
   * Writes an empty file system over the whole device (ninodes rounded up to a block). The
   * superblock goes last, after a flush: a format cut short leaves no superblock, so the next
   * start formats again. `unseeded` sets FLAG_UNSEEDED (cleared by markSeeded).
   */
  format(ninodes: u32, unseeded: bool = false): u32 {
    this.mounted = false;
    this.dev.place(0, 1); // no journal while formatting
    const n = this.dev.blocks();
    const inodes = ((ninodes + INODES_PER_BLOCK - 1) / INODES_PER_BLOCK) * INODES_PER_BLOCK;
    const jBlocks: u32 = journalBlocks(n);
    const bmapStart: u32 = 1 + jBlocks;
    const bmapBlocks: u32 = (n + 4095) / 4096;
    const itBlocks: u32 = inodes / INODES_PER_BLOCK;
    const dataStart: u32 = bmapStart + bmapBlocks + itBlocks;
    if (n < 8 || dataStart + 2 > n) return E.NO_SPACE;
    // an empty journal
    let e = this.dev.write(1, this.zero);
    if (e) return e;
    // bitmap: metadata blocks used
    for (let b: u32 = 0; b < bmapBlocks; b++) {
      memory.fill(this.db, 0, BLOCK);
      for (let i: u32 = 0; i < 4096; i++) {
        const blk = b * 4096 + i;
        if (blk < dataStart || blk >= n) setBit(this.db, i);
      }
      e = this.dev.write(bmapStart + b, this.db);
      if (e) return e;
    }
    // inode table: all free but the root directory (inode 1, in the first block)
    for (let b: u32 = 0; b < itBlocks; b++) {
      memory.fill(this.ib, 0, BLOCK);
      if (b == 0) {
        const root = this.tmp;
        root.clear();
        root.ino = ROOT; root.type = T_DIR; root.nlink = 1;
        root.save(this.ib + ROOT * INODE_BYTES);
      }
      e = this.dev.write(bmapStart + bmapBlocks + b, this.ib);
      if (e) return e;
    }
    e = this.dev.flush();
    if (e) return e;
    // the superblock: from here on the device holds a file system
    memory.fill(this.sb, 0, BLOCK);
    store<u64>(this.sb, MAGIC);
    store<u32>(this.sb, VERSION, 0x08);
    store<u32>(this.sb, n, 0x0c);
    store<u32>(this.sb, inodes, 0x10);
    store<u32>(this.sb, bmapStart, 0x14);
    store<u32>(this.sb, bmapBlocks, 0x18);
    store<u32>(this.sb, bmapStart + bmapBlocks, 0x1c);
    store<u32>(this.sb, itBlocks, 0x20);
    store<u32>(this.sb, dataStart, 0x24);
    store<u32>(this.sb, 0, 0x28);
    store<u32>(this.sb, 1, 0x2c);
    store<u32>(this.sb, jBlocks, 0x30);
    store<u32>(this.sb, unseeded ? FLAG_UNSEEDED : 0, 0x34);
    store<u32>(this.sb, fnv(this.sb, SB_CHECKSUM), SB_CHECKSUM);
    e = this.dev.write(0, this.sb);
    if (e) return e;
    e = this.dev.flush();
    if (e) return e;
    return this.mount();
  }

  /** Clears FLAG_UNSEEDED: the first files are all in place. */
  markSeeded(): u32 {
    if (!this.mounted || (this.flags & FLAG_UNSEEDED) == 0) return 0;
    this.flags &= ~FLAG_UNSEEDED;
    return this.writeSuper();
  }

  private writeSuper(): u32 {
    store<u32>(this.sb, this.mounts, 0x28);
    store<u32>(this.sb, this.flags, 0x34);
    store<u32>(this.sb, fnv(this.sb, SB_CHECKSUM), SB_CHECKSUM);
    const e = this.dev.write(0, this.sb);
    return e ? e : this.dev.flush();
  }

  private loadSuper(): u32 {
    const e = this.dev.read(0, this.sb);
    if (e) return e;
    if (load<u64>(this.sb) != MAGIC) { this.problem = "no mlkfs superblock"; return E.CORRUPT; }
    const version = load<u32>(this.sb, 0x08);
    if (version == VERSION_NO_JOURNAL) {
      this.problem = "an mlkfs version 1 disk (made before the journal): not mounted; reset the disk to format it again";
      return E.CORRUPT;
    }
    this.problem = "bad superblock";
    if (version != VERSION) return E.CORRUPT;
    if (load<u32>(this.sb, SB_CHECKSUM) != fnv(this.sb, SB_CHECKSUM)) return E.CORRUPT;
    const n = load<u32>(this.sb, 0x0c);
    const ni = load<u32>(this.sb, 0x10);
    const bs = load<u32>(this.sb, 0x14);
    const bb = load<u32>(this.sb, 0x18);
    const is = load<u32>(this.sb, 0x1c);
    const ib = load<u32>(this.sb, 0x20);
    const ds = load<u32>(this.sb, 0x24);
    const js = load<u32>(this.sb, 0x2c);
    const jb = load<u32>(this.sb, 0x30);
    if (n > this.dev.blocks() || n < 8 || js != 1 || jb < 2 || jb > n || bs != js + jb || bb != (n + 4095) / 4096 || is != bs + bb) return E.CORRUPT;
    if (ni == 0 || ni % INODES_PER_BLOCK != 0 || ib != ni / INODES_PER_BLOCK || ds != is + ib || ds >= n) return E.CORRUPT;
    this.nblocks = n; this.ninodes = ni; this.bmapStart = bs; this.bmapBlocks = bb;
    this.itStart = is; this.itBlocks = ib; this.dataStart = ds; this.jStart = js; this.jBlocks = jb;
    this.mounts = load<u32>(this.sb, 0x28);
    this.flags = load<u32>(this.sb, 0x34);
    this.problem = "";
    return 0;
  }

  /** True when the device starts with an mlkfs superblock (it may still be corrupt). */
  hasMagic(): bool {
    if (this.dev.read(0, this.sb)) return false;
    return load<u64>(this.sb) == MAGIC;
  }

  /** True when the superblock asks for the first files (format(…, true) and no markSeeded yet). */
  unseeded(): bool { return (this.flags & FLAG_UNSEEDED) != 0; }

  /**
   * Replays the journal, checks and mounts. Refuses (CORRUPT, with `problem`) a bad superblock or
   * a root that is not a directory.
   * Repairs, counting them in `repairs`: inodes of an unknown type (freed), block pointers out
   * of range or shared (dropped), directory entries naming a free or bad inode (removed),
   * unreachable inodes (freed), wrong link counts, and a bitmap that disagrees with the inodes.
   */
  mount(): u32 {
    this.mounted = false;
    this.repairs = 0;
    this.replayed = 0;
    this.dev.place(0, 1);
    let e = this.loadSuper();
    if (e) return e;
    // the journal first: a committed transaction whose blocks may not all be home yet
    this.dev.place(this.jStart, this.jBlocks);
    const r = this.dev.recover(this.bmapStart, this.nblocks);
    if (r < 0) return <u32>-r;
    this.replayed = <u32>r;
    // load the on-disk bitmap
    this.bitmapBuf = new ArrayBuffer(<i32>this.bmapBlocks * BLOCK);
    this.bitmap = changetype<usize>(this.bitmapBuf);
    for (let b: u32 = 0; b < this.bmapBlocks; b++) {
      e = this.dev.read(this.bmapStart + b, this.bitmap + b * BLOCK);
      if (e) return e;
    }
    this.usedBuf = new ArrayBuffer(<i32>this.bmapBlocks * BLOCK);
    const used = changetype<usize>(this.usedBuf);
    for (let blk: u32 = 0; blk < this.bmapBlocks * 4096; blk++) {
      if (blk < this.dataStart || blk >= this.nblocks) setBit(used, blk);
    }
    const links = new StaticArray<u16>(<i32>this.ninodes);
    const ino = this.tmp;
    // pass 1: inodes and their blocks
    for (let i: u32 = 1; i < this.ninodes; i++) {
      e = this.getInode(i, ino);
      if (e) return e;
      if (ino.type == T_FREE) continue;
      let dirty = false;
      if (ino.type != T_FILE && ino.type != T_DIR) { ino.clear(); this.repairs++; e = this.putInode(ino); if (e) return e; continue; }
      if (ino.size > MAX_FILE_SIZE) { ino.size = MAX_FILE_SIZE; dirty = true; this.repairs++; }
      for (let k = 0; k < 12; k++) {
        const b = unchecked(ino.direct[k]);
        if (b == 0) continue;
        if (b < this.dataStart || b >= this.nblocks || getBit(used, b)) { unchecked(ino.direct[k] = 0); dirty = true; this.repairs++; }
        else setBit(used, b);
      }
      if (ino.indirect != 0) {
        const x = ino.indirect;
        if (x < this.dataStart || x >= this.nblocks || getBit(used, x)) { ino.indirect = 0; dirty = true; this.repairs++; }
        else {
          setBit(used, x);
          e = this.dev.read(x, this.xb);
          if (e) return e;
          let xdirty = false;
          for (let k: u32 = 0; k < NINDIRECT; k++) {
            const b = load<u32>(this.xb + (k << 2));
            if (b == 0) continue;
            if (b < this.dataStart || b >= this.nblocks || getBit(used, b)) { store<u32>(this.xb + (k << 2), 0); xdirty = true; this.repairs++; }
            else setBit(used, b);
          }
          if (xdirty) { e = this.dev.write(x, this.xb); if (e) return e; }
        }
      }
      if (dirty) { e = this.putInode(ino); if (e) return e; }
    }
    e = this.getInode(ROOT, ino);
    if (e) return e;
    if (ino.type != T_DIR) { this.problem = "the root is not a directory"; return E.CORRUPT; }
    // pass 2: directory entries → link counts
    unchecked(links[ROOT] = 1);
    for (let i: u32 = 1; i < this.ninodes; i++) {
      e = this.getInode(i, ino);
      if (e) return e;
      if (ino.type != T_DIR) continue;
      const nslots = ino.size / <u32>DIRENT_BYTES;
      for (let s: u32 = 0; s < nslots; s++) {
        const fb = s / 8;
        const blk = this.bmap(ino, fb, false);
        if (blk == 0) continue;
        e = this.dev.read(blk, this.db);
        if (e) return e;
        const p = this.db + (s % 8) * DIRENT_BYTES;
        const t = load<u32>(p);
        if (t == 0) continue;
        let ok = t < this.ninodes && t != ROOT && load<u8>(p, 5) > 0 && <i32>load<u8>(p, 5) <= NAME_MAX;
        if (ok) {
          e = this.getInode(t, this.tmp2);
          if (e) return e;
          ok = this.tmp2.type != T_FREE && (this.tmp2.type != T_DIR || unchecked(links[t]) == 0);
          if (ok && <u32>load<u8>(p, 4) != this.tmp2.type) { store<u8>(p, <u8>this.tmp2.type, 4); this.repairs++; e = this.dev.write(blk, this.db); if (e) return e; }
        }
        if (!ok) { store<u32>(p, 0); this.repairs++; e = this.dev.write(blk, this.db); if (e) return e; continue; }
        unchecked(links[t] = links[t] + 1);
      }
    }
    // pass 3: link counts, orphans
    for (let i: u32 = 1; i < this.ninodes; i++) {
      e = this.getInode(i, ino);
      if (e) return e;
      if (ino.type == T_FREE) continue;
      const n = <u32>unchecked(links[i]);
      if (n == 0) {
        // unreachable: release its blocks from the computed bitmap and free it
        this.forEachBlock(ino, used);
        ino.clear(); this.repairs++;
        e = this.putInode(ino); if (e) return e;
      } else if (n != ino.nlink) {
        ino.nlink = n; this.repairs++;
        e = this.putInode(ino); if (e) return e;
      }
    }
    // bitmap
    for (let b: u32 = 0; b < this.bmapBlocks; b++) {
      const a = this.bitmap + b * BLOCK;
      const c = used + b * BLOCK;
      if (memory.compare(a, c, BLOCK) != 0) {
        for (let k = 0; k < BLOCK; k++) if (load<u8>(a + k) != load<u8>(c + k)) this.repairs += <u32>popcnt<u32>(load<u8>(a + k) ^ load<u8>(c + k));
        memory.copy(a, c, BLOCK);
        e = this.dev.write(this.bmapStart + b, a);
        if (e) return e;
      }
    }
    // counts
    this.freeBlocks = 0;
    for (let blk: u32 = this.dataStart; blk < this.nblocks; blk++) if (!getBit(this.bitmap, blk)) this.freeBlocks++;
    this.freeInodes = 0;
    for (let i: u32 = 1; i < this.ninodes; i++) {
      e = this.getInode(i, ino);
      if (e) return e;
      if (ino.type == T_FREE) this.freeInodes++;
    }
    // count the mount (one sector: written whole or not at all)
    this.mounts++;
    e = this.writeSuper();
    if (e) return e;
    this.mounted = true;
    return 0;
  }

  private forEachBlock(ino: Inode, bitmap: usize): void {
    for (let k = 0; k < 12; k++) { const b = unchecked(ino.direct[k]); if (b) clearBit(bitmap, b); }
    if (ino.indirect) {
      if (this.dev.read(ino.indirect, this.xb) == 0) {
        for (let k: u32 = 0; k < NINDIRECT; k++) { const b = load<u32>(this.xb + (k << 2)); if (b) clearBit(bitmap, b); }
      }
      clearBit(bitmap, ino.indirect);
    }
  }

  // ---- inodes and blocks ---------------------------------------------------------------------

  getInode(i: u32, out: Inode): u32 {
    if (i == 0 || i >= this.ninodes) return E.NO_ENTRY;
    const e = this.dev.read(this.itStart + i / INODES_PER_BLOCK, this.ib);
    if (e) return e;
    out.load(this.ib + (i % INODES_PER_BLOCK) * INODE_BYTES);
    out.ino = i;
    return 0;
  }

  putInode(n: Inode): u32 {
    const blk = this.itStart + n.ino / INODES_PER_BLOCK;
    let e = this.dev.read(blk, this.ib);
    if (e) return e;
    n.save(this.ib + (n.ino % INODES_PER_BLOCK) * INODE_BYTES);
    return this.dev.write(blk, this.ib);
  }

  private allocBlock(): u32 {
    for (let blk = this.dataStart; blk < this.nblocks; blk++) {
      if (!getBit(this.bitmap, blk)) {
        if (this.dev.write(blk, this.zero)) return 0;
        setBit(this.bitmap, blk);
        const bb = blk / 4096;
        if (this.dev.write(this.bmapStart + bb, this.bitmap + bb * BLOCK)) { clearBit(this.bitmap, blk); return 0; }
        this.freeBlocks--;
        return blk;
      }
    }
    return 0;
  }

  private freeBlock(blk: u32): u32 {
    if (blk < this.dataStart || blk >= this.nblocks) return 0;
    clearBit(this.bitmap, blk);
    this.freeBlocks++;
    const bb = blk / 4096;
    return this.dev.write(this.bmapStart + bb, this.bitmap + bb * BLOCK);
  }

  /** Disk block of file block fb; allocates (and saves the inode) when alloc. 0 = none / full. */
  private bmap(n: Inode, fb: u32, alloc: bool): u32 {
    if (fb < NDIRECT) {
      let b = unchecked(n.direct[fb]);
      if (b == 0 && alloc) {
        b = this.allocBlock();
        if (b == 0) return 0;
        unchecked(n.direct[fb] = b);
        if (this.putInode(n)) return 0;
      }
      return b;
    }
    fb -= NDIRECT;
    if (fb >= NINDIRECT) return 0;
    if (n.indirect == 0) {
      if (!alloc) return 0;
      const x = this.allocBlock();
      if (x == 0) return 0;
      n.indirect = x;
      if (this.putInode(n)) return 0;
    }
    if (this.dev.read(n.indirect, this.xb)) return 0;
    let b = load<u32>(this.xb + (fb << 2));
    if (b == 0 && alloc) {
      b = this.allocBlock();
      if (b == 0) return 0;
      // allocBlock does not touch xb
      store<u32>(this.xb + (fb << 2), b);
      if (this.dev.write(n.indirect, this.xb)) return 0;
    }
    return b;
  }

  // ---- file data -----------------------------------------------------------------------------

  /** Reads up to max bytes at off into dst; returns the count, or -error. */
  read(i: u32, off: u32, dst: usize, max: u32): i32 {
    const n = this.tmp;
    const e = this.getInode(i, n);
    if (e) return -<i32>e;
    if (n.type == T_FREE) return -<i32>E.NO_ENTRY;
    if (n.type == T_DIR) return -<i32>E.IS_DIR;
    return this.readData(n, off, dst, max);
  }

  private readData(n: Inode, off: u32, dst: usize, max: u32): i32 {
    if (off >= n.size) return 0;
    if (max > n.size - off) max = n.size - off;
    let done: u32 = 0;
    while (done < max) {
      const pos = off + done;
      const bo = pos % <u32>BLOCK;
      let chunk = <u32>BLOCK - bo;
      if (chunk > max - done) chunk = max - done;
      const blk = this.bmap(n, pos / <u32>BLOCK, false);
      if (blk == 0) memory.fill(dst + done, 0, chunk);
      else {
        const e = this.dev.read(blk, this.db);
        if (e) return -<i32>e;
        memory.copy(dst + done, this.db + bo, chunk);
      }
      done += chunk;
    }
    return <i32>done;
  }

  /** Writes len bytes at off; returns the count written (short on a full disk), or -error. */
  write(i: u32, off: u32, src: usize, len: u32): i32 {
    const n = this.tmp;
    const e = this.getInode(i, n);
    if (e) return -<i32>e;
    if (n.type == T_FREE) return -<i32>E.NO_ENTRY;
    if (n.type == T_DIR) return -<i32>E.IS_DIR;
    this.dev.begin();
    const r = this.writeData(n, off, src, len);
    const c = this.dev.end(0);
    return r >= 0 && c != 0 ? -<i32>c : r;
  }

  private writeData(n: Inode, off: u32, src: usize, len: u32): i32 {
    if (off >= MAX_FILE_SIZE) return len == 0 ? 0 : -<i32>E.NO_SPACE;
    if (len > MAX_FILE_SIZE - off) len = MAX_FILE_SIZE - off;
    let done: u32 = 0;
    while (done < len) {
      // a long write commits in parts, each a whole number of blocks (data, bitmap, inode, indirect)
      if (this.dev.room() < 6) { const c = this.dev.commit(); if (c) return -<i32>c; }
      const pos = off + done;
      const bo = pos % <u32>BLOCK;
      let chunk = <u32>BLOCK - bo;
      if (chunk > len - done) chunk = len - done;
      const blk = this.bmap(n, pos / <u32>BLOCK, true);
      if (blk == 0) break;
      let e: u32 = 0;
      if (chunk != <u32>BLOCK) e = this.dev.read(blk, this.db);
      if (e) return -<i32>e;
      memory.copy(this.db + bo, src + done, chunk);
      e = this.dev.write(blk, this.db);
      if (e) return -<i32>e;
      done += chunk;
      if (pos + chunk > n.size) {
        n.size = pos + chunk;
        e = this.putInode(n);
        if (e) return -<i32>e;
      }
    }
    if (done == 0 && len > 0) return -<i32>E.NO_SPACE;
    return <i32>done;
  }

  /** Sets a file's size, freeing blocks past it. */
  truncate(i: u32, size: u32): u32 {
    const n = this.tmp;
    let e = this.getInode(i, n);
    if (e) return e;
    if (n.type == T_FREE) return E.NO_ENTRY;
    if (n.type == T_DIR) return E.IS_DIR;
    if (size > MAX_FILE_SIZE) return E.NO_SPACE;
    this.dev.begin();
    return this.dev.end(this.truncateInode(n, size));
  }

  private truncateInode(n: Inode, size: u32): u32 {
    const keep = (size + <u32>BLOCK - 1) / <u32>BLOCK;
    let e: u32 = 0;
    for (let k: u32 = keep; k < NDIRECT; k++) {
      const b = unchecked(n.direct[k]);
      if (b) { e = this.freeBlock(b); if (e) return e; unchecked(n.direct[k] = 0); }
    }
    if (n.indirect) {
      e = this.dev.read(n.indirect, this.xb);
      if (e) return e;
      const from = keep > NDIRECT ? keep - NDIRECT : 0;
      let any = false;
      for (let k: u32 = 0; k < NINDIRECT; k++) {
        const b = load<u32>(this.xb + (k << 2));
        if (b == 0) continue;
        if (k >= from) { store<u32>(this.xb + (k << 2), 0); e = this.freeBlock(b); if (e) return e; }
        else any = true;
      }
      if (!any) { e = this.freeBlock(n.indirect); if (e) return e; n.indirect = 0; }
      else { e = this.dev.write(n.indirect, this.xb); if (e) return e; }
    }
    // zero the tail of the last kept block so a later extension reads zeros
    if (size % <u32>BLOCK != 0 && size < n.size) {
      const blk = this.bmap(n, size / <u32>BLOCK, false);
      if (blk) {
        e = this.dev.read(blk, this.db);
        if (e) return e;
        memory.fill(this.db + size % <u32>BLOCK, 0, BLOCK - <i32>(size % <u32>BLOCK));
        e = this.dev.write(blk, this.db);
        if (e) return e;
      }
    }
    n.size = size;
    return this.putInode(n);
  }

  // ---- directories ---------------------------------------------------------------------------

  private setName(name: string): u32 {
    const len = String.UTF8.byteLength(name);
    if (len == 0) return E.INVALID;
    if (len > NAME_MAX) return E.NAME_TOO_LONG;
    String.UTF8.encodeUnsafe(changetype<usize>(name), name.length, this.nameBuf);
    for (let k = 0; k < len; k++) if (load<u8>(this.nameBuf + k) == 0x2f) return E.INVALID; // '/'
    this.nameLen = len;
    if (len == 1 && load<u8>(this.nameBuf) == 0x2e) return E.INVALID; // "."
    if (len == 2 && load<u16>(this.nameBuf) == 0x2e2e) return E.INVALID; // ".."
    return 0;
  }

  /** The device's error when nextSlot returned -2. */
  private scanErr: u32 = 0;

  /**
   * The first slot of dir d at or after `from` that is in use (`used`) or free, scanning in order
   * (from a block's first slot, or on from a slot this returned, whose block is still in `buf`):
   * its index with its block in `buf` (a free slot in a hole has no block), the number of slots
   * when there is none, or -2 when a read failed (the error in scanErr).
   */
  private nextSlot(d: Inode, from: u32, used: bool, buf: usize): i32 {
    this.scanErr = 0;
    const nslots = d.size / <u32>DIRENT_BYTES;
    for (let s = from; s < nslots; s++) {
      if (s % 8 == 0) {
        const blk = this.bmap(d, s / 8, false);
        if (blk == 0) { if (!used) return <i32>s; s += 7; continue; }
        this.scanErr = this.dev.read(blk, buf);
        if (this.scanErr) return -2;
      }
      if ((load<u32>(buf + (s % 8) * DIRENT_BYTES) != 0) == used) return <i32>s;
    }
    return <i32>nslots;
  }

  /** Finds nameBuf in dir d: the slot index, -1 when absent, -2 on a read error. Leaves the block in db. */
  private findSlot(d: Inode): i32 {
    const nslots = <i32>(d.size / <u32>DIRENT_BYTES);
    for (let s = this.nextSlot(d, 0, true, this.db); s >= 0 && s < nslots; s = this.nextSlot(d, <u32>s + 1, true, this.db)) {
      const p = this.db + (<u32>s % 8) * DIRENT_BYTES;
      if (<i32>load<u8>(p, 5) == this.nameLen && memory.compare(p + 6, this.nameBuf, this.nameLen) == 0) return s;
    }
    return this.scanErr ? -2 : -1;
  }

  private getDir(dir: u32, d: Inode): u32 {
    const e = this.getInode(dir, d);
    if (e) return e;
    if (d.type == T_FREE) return E.NO_ENTRY;
    if (d.type != T_DIR) return E.NOT_DIR;
    return 0;
  }

  /** The slot findEntry found. */
  private found: u32 = 0;

  /** Finds entry `name` of directory `dir` (the directory's inode in tmp2): 0 with its slot in `found` and its block in db, or an error. */
  private findEntry(dir: u32, name: string): u32 {
    const d = this.tmp2;
    let e = this.getDir(dir, d);
    if (e) return e;
    e = this.setName(name);
    if (e) return e == E.INVALID ? E.NO_ENTRY : e;
    const s = this.findSlot(d);
    if (s == -2) return E.IO;
    if (s < 0) return E.NO_ENTRY;
    this.found = <u32>s;
    return 0;
  }

  /** Looks name up in dir; out receives the inode. */
  lookup(dir: u32, name: string, out: Inode): u32 {
    const e = this.findEntry(dir, name);
    if (e) return e;
    return this.getInode(load<u32>(this.db + (this.found % 8) * DIRENT_BYTES), out);
  }

  /** Writes entry (ino, type, nameBuf) into slot s of directory d (growing it if s is new). */
  private putEntry(d: Inode, s: u32, ino: u32, type: u32): u32 {
    const blk = this.bmap(d, s / 8, true);
    if (blk == 0) return E.NO_SPACE;
    let e = this.dev.read(blk, this.db);
    if (e) return e;
    const p = this.db + (s % 8) * DIRENT_BYTES;
    memory.fill(p, 0, DIRENT_BYTES);
    store<u32>(p, ino);
    store<u8>(p, <u8>type, 4);
    store<u8>(p, <u8>this.nameLen, 5);
    memory.copy(p + 6, this.nameBuf, this.nameLen);
    e = this.dev.write(blk, this.db);
    if (e) return e;
    if ((s + 1) * <u32>DIRENT_BYTES > d.size) { d.size = (s + 1) * <u32>DIRENT_BYTES; e = this.putInode(d); }
    return e;
  }

  /** A free slot of dir d (past its end when none is free): its index, -1 when the directory is full, -2 on a read error. */
  private freeSlot(d: Inode): i32 {
    const s = this.nextSlot(d, 0, false, this.db);
    if (s < 0 || <u32>s < d.size / <u32>DIRENT_BYTES) return s;
    return <u32>s >= MAX_FILE_BLOCKS * 8 ? -1 : s;
  }

  /** Creates a file or directory; returns the new inode number in out.ino. */
  create(dir: u32, name: string, type: u32, out: Inode): u32 {
    this.dev.begin();
    return this.dev.end(this.createIn(dir, name, type, out));
  }

  private createIn(dir: u32, name: string, type: u32, out: Inode): u32 {
    if (type != T_FILE && type != T_DIR) return E.INVALID;
    const d = this.tmp2;
    let e = this.getDir(dir, d);
    if (e) return e;
    e = this.setName(name);
    if (e) return e;
    const s = this.findSlot(d);
    if (s == -2) return E.IO;
    if (s >= 0) return E.EXISTS;
    // a free inode
    let ino: u32 = 0;
    for (let i: u32 = 2; i < this.ninodes; i++) {
      e = this.getInode(i, out);
      if (e) return e;
      if (out.type == T_FREE) { ino = i; break; }
    }
    if (ino == 0) return E.NO_SPACE;
    const slot = this.freeSlot(d);
    if (slot == -2) return E.IO;
    if (slot < 0) return E.NO_SPACE;
    // the inode first, so a crash between the writes leaves an orphan (freed by fsck), not a dangling entry
    out.clear(); out.ino = ino; out.type = type; out.nlink = 1;
    e = this.putInode(out);
    if (e) return e;
    e = this.putEntry(d, <u32>slot, ino, type);
    if (e) { out.clear(); out.ino = ino; this.putInode(out); return e; }
    this.freeInodes--;
    return 0;
  }

  /** 1 when dir n has no entries, 0 when it has, -1 on a read error (uses xb). */
  private dirEmpty(n: Inode): i32 {
    const s = this.nextSlot(n, 0, true, this.xb);
    return s < 0 ? -1 : <u32>s >= n.size / <u32>DIRENT_BYTES ? 1 : 0;
  }

  /** Removes an entry; frees the inode when it was the last link (directories must be empty). */
  unlink(dir: u32, name: string): u32 {
    this.dev.begin();
    return this.dev.end(this.unlinkIn(dir, name));
  }

  private unlinkIn(dir: u32, name: string): u32 {
    let e = this.findEntry(dir, name);
    if (e) return e;
    const d = this.tmp2;
    const s = this.found;
    const p = this.db + (s % 8) * DIRENT_BYTES;
    const target = load<u32>(p);
    const n = this.tmp;
    e = this.getInode(target, n);
    if (e) return e;
    if (n.type == T_DIR) {
      const empty = this.dirEmpty(n);
      if (empty < 0) return E.IO;
      if (empty == 0) return E.NOT_EMPTY;
      // reload the directory block (dirEmpty used xb, findSlot's db is intact)
    }
    // the entry first: a crash then leaves an orphan, never an entry to a freed inode
    store<u32>(p, 0);
    const blk = this.bmap(d, s / 8, false);
    e = this.dev.write(blk, this.db);
    if (e) return e;
    if (n.nlink > 1) { n.nlink--; return this.putInode(n); }
    e = this.truncateInode(n, 0);
    if (e) return e;
    n.clear();
    e = this.putInode(n);
    if (e) return e;
    this.freeInodes++;
    return 0;
  }

  /** Moves sdir/sname to ddir/dname, replacing a file (not a directory) of that name. */
  rename(sdir: u32, sname: string, ddir: u32, dname: string): u32 {
    this.dev.begin();
    return this.dev.end(this.renameIn(sdir, sname, ddir, dname));
  }

  private renameIn(sdir: u32, sname: string, ddir: u32, dname: string): u32 {
    const d = this.tmp2;
    // the destination name must be valid before anything changes
    let e = this.setName(dname);
    if (e) return e;
    e = this.setName(sname);
    if (e) return e == E.INVALID ? E.NO_ENTRY : e;
    e = this.getDir(sdir, d);
    if (e) return e;
    let s = this.findSlot(d);
    if (s == -2) return E.IO;
    if (s < 0) return E.NO_ENTRY;
    const p = this.db + (<u32>s % 8) * DIRENT_BYTES;
    const ino = load<u32>(p);
    const type = <u32>load<u8>(p, 4);
    if (sdir == ddir && sname == dname) return 0;
    if (ino == ddir) return E.INVALID;
    // replace an existing destination file
    e = this.getDir(ddir, d);
    if (e) return e;
    this.setName(dname);
    const t = this.findSlot(d);
    if (t == -2) return E.IO;
    if (t >= 0) {
      const other = load<u32>(this.db + (<u32>t % 8) * DIRENT_BYTES);
      e = this.getInode(other, this.tmp);
      if (e) return e;
      if (this.tmp.type == T_DIR) return E.IS_DIR;
      if (type == T_DIR) return E.NOT_DIR;
      e = this.unlinkIn(ddir, dname);
      if (e) return e;
    }
    // add the new entry, then remove the old one
    e = this.getDir(ddir, d);
    if (e) return e;
    this.setName(dname);
    const slot = this.freeSlot(d);
    if (slot == -2) return E.IO;
    if (slot < 0) return E.NO_SPACE;
    e = this.putEntry(d, <u32>slot, ino, type);
    if (e) return e;
    e = this.getDir(sdir, d);
    if (e) return e;
    this.setName(sname);
    s = this.findSlot(d);
    if (s < 0) return E.IO;
    store<u32>(this.db + (<u32>s % 8) * DIRENT_BYTES, 0);
    return this.dev.write(this.bmap(d, <u32>s / 8, false), this.db);
  }

  /** The index-th live entry of dir: name (returned), inode in out. */
  readdirName: string = "";
  readdir(dir: u32, index: u32, out: Inode): u32 {
    const d = this.tmp2;
    let e = this.getDir(dir, d);
    if (e) return e;
    const nslots = <i32>(d.size / <u32>DIRENT_BYTES);
    let seen: u32 = 0;
    for (let s = this.nextSlot(d, 0, true, this.db); s >= 0 && s < nslots; s = this.nextSlot(d, <u32>s + 1, true, this.db)) {
      if (seen++ != index) continue;
      const p = this.db + (<u32>s % 8) * DIRENT_BYTES;
      this.readdirName = String.UTF8.decodeUnsafe(p + 6, <usize>load<u8>(p, 5));
      return this.getInode(load<u32>(p), out);
    }
    if (this.scanErr) return this.scanErr;
    return E.NO_ENTRY;
  }

  getattr(i: u32, out: Inode): u32 {
    const e = this.getInode(i, out);
    if (e) return e;
    return out.type == T_FREE ? E.NO_ENTRY : 0;
  }
}

/** Journal size for a device of n blocks: 1/32 of it, between 16 and 1 + JMAX_BLOCKS. */
function journalBlocks(n: u32): u32 {
  return max<u32>(16, min<u32>(n / 32, JMAX_BLOCKS + 1));
}

// @ts-ignore: decorator
@inline function getBit(bm: usize, b: u32): bool { return ((<u32>load<u8>(bm + (b >> 3)) >> (b & 7)) & 1) != 0; }
// @ts-ignore: decorator
@inline function setBit(bm: usize, b: u32): void { store<u8>(bm + (b >> 3), <u8>(<u32>load<u8>(bm + (b >> 3)) | (1 << (b & 7)))); }
// @ts-ignore: decorator
@inline function clearBit(bm: usize, b: u32): void { store<u8>(bm + (b >> 3), <u8>(<u32>load<u8>(bm + (b >> 3)) & ~(1 << (b & 7)))); }
