// A machine's disk made on the host: the file-system core (services/fs/mlkfs.ts) compiled
// natively (tests/services/native/fs-harness.ts) formats a RAM disk and writes files into it,
// which the booted machine's fs service then mounts — how a test gives a machine a big file.
import { MemoryBlockStore } from '../../hw/blockdev';
import { compileAs } from '../services/asc';

const SECTORS = 8192; // the machine's default disk, 4 MiB
const ROOT = 1;

export function diskWith(files: Record<string, Uint8Array>): MemoryBlockStore {
  const data = new Uint8Array(SECTORS * 512);
  let mem: WebAssembly.Memory;
  const inst = new WebAssembly.Instance(compileAs('tests/services/native/fs-harness.ts'), {
    env: { abort: () => { throw new Error('mlkfs abort'); } },
    disk: {
      blocks: () => SECTORS,
      read: (b: number, p: number) => { new Uint8Array(mem.buffer, p, 512).set(data.subarray(b * 512, b * 512 + 512)); return 0; },
      write: (b: number, p: number) => { data.set(new Uint8Array(mem.buffer, p, 512), b * 512); return 0; },
      flush: () => 0,
    },
  });
  const x = inst.exports as unknown as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
  mem = x.memory;
  if (x.format(1024) !== 0) throw new Error('format failed');
  for (const [name, bytes] of Object.entries(files)) {
    const b = new TextEncoder().encode(name);
    new Uint8Array(mem.buffer, x.scratch(), b.length).set(b);
    if (x.create(ROOT, b.length, 1) !== 0) throw new Error(`create ${name} failed`);
    const ino = x.lastIno();
    new Uint8Array(mem.buffer, x.data(), bytes.length).set(bytes);
    if (x.write(ino, 0, bytes.length) !== bytes.length) throw new Error(`write ${name} failed`);
  }
  return new MemoryBlockStore(data);
}

/** POSIX cksum (CRC-32, polynomial 0x04C11DB7, the length appended, complemented), as `cksum` prints it. */
export function posixCksum(b: Uint8Array): number {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  let crc = 0;
  const add = (v: number) => { crc = ((crc << 8) ^ table[((crc >>> 24) ^ v) & 0xff]) >>> 0; };
  for (const v of b) add(v);
  for (let n = b.length; n !== 0; n = Math.floor(n / 256)) add(n & 0xff);
  return ~crc >>> 0;
}

/** Deterministic bytes (xorshift32) for a file to move. */
export function pseudoRandom(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; out[i] = x & 0xff; }
  return out;
}
