// @ts-nocheck -- AssemblyScript source (compiled by asc, not tsc)
// The file system's block cache (services/fs/main.ts RemoteDisk): a direct-mapped, write-through
// cache of 512-byte blocks in front of a disk, serving the access pattern of file reads and writes:
// the superblock and inode blocks again and again, file data sequentially, a directory now and then.
// The "disk" is a memory array here (the device's DMA buffer copy is memory.copy, as in the service).
const BLOCK: u32 = 512;
const CACHE: u32 = 256;
const DISK_BLOCKS: u32 = 4096;

const disk = new ArrayBuffer(<i32>(DISK_BLOCKS * BLOCK));
const cache = new ArrayBuffer(<i32>(CACHE * BLOCK));
const tags = new StaticArray<u32>(<i32>CACHE);
const buf = new ArrayBuffer(<i32>BLOCK);
let misses: u32 = 0;

function readBlock(b: u32, dst: usize): void {
  const i = b % CACHE;
  const c = changetype<usize>(cache) + <usize>(i * BLOCK);
  if (unchecked(tags[i]) != b) {
    misses++;
    memory.copy(c, changetype<usize>(disk) + <usize>(b * BLOCK), BLOCK);
    unchecked(tags[i] = b);
  }
  memory.copy(dst, c, BLOCK);
}

function writeBlock(b: u32, src: usize): void {
  const i = b % CACHE;
  memory.copy(changetype<usize>(disk) + <usize>(b * BLOCK), src, BLOCK);
  memory.copy(changetype<usize>(cache) + <usize>(i * BLOCK), src, BLOCK);
  unchecked(tags[i] = b);
}

/** Sums a block's words, as a reader scanning an inode table or a directory would. */
function scan(p: usize): u32 {
  let h: u32 = 0;
  for (let o: usize = 0; o < BLOCK; o += 4) h = (h ^ load<u32>(p + o)) * 16777619;
  return h;
}

export function run(n: i32): i32 {
  for (let i: u32 = 0; i < CACHE; i++) unchecked(tags[i] = 0xffffffff);
  for (let o: u32 = 0; o < DISK_BLOCKS * BLOCK; o += 4) store<u32>(changetype<usize>(disk) + o, o * 2654435761);
  misses = 0;
  const p = changetype<usize>(buf);
  let h: u32 = 0, seed: u32 = 12345, file: u32 = 64;
  for (let k = 0; k < n; k++) {
    seed = seed * 1664525 + 1013904223;
    const r = seed >> 24;
    readBlock(1, p); h += scan(p); // superblock
    readBlock(2 + (r & 7), p); h += scan(p); // inode table
    if (r < 200) { readBlock(file, p); h += load<u32>(p + (r << 1)); file = file + 1 < DISK_BLOCKS ? file + 1 : 64; } // file data, sequential
    else if (r < 240) { store<u32>(p + (r << 1), h); writeBlock(file, p); } // a write
    else { readBlock(16 + (seed % 48), p); h += scan(p); } // a directory
  }
  return <i32>(h + misses);
}
