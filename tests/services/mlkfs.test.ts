// The file-system core (services/fs/mlkfs.ts) compiled natively and run over a JS RAM disk:
// format/mount, create/write/read/delete, directories, rename, a full disk, the mount check's
// repairs, a corrupt superblock refused at mount, and crash consistency: every prefix of the
// device writes of a formatting + writing session mounts and holds every acknowledged operation.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAs } from './asc';
import { loadIdl } from '../../scripts/protocols.mjs';

const E = Object.fromEntries(loadIdl().errors.map((e) => [e.name, e.code]));
const T_FILE = 1, T_DIR = 2, ROOT = 1;
let mod: WebAssembly.Module;
beforeAll(() => { mod = compileAs('tests/services/native/fs-harness.ts'); }, 60_000);

type X = Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };

class Disk {
  data: Uint8Array;
  reads = 0; writes = 0; flushes = 0;
  /** Every write in order, when recording (block number and a copy of the block). */
  log: { blk: number; bytes: Uint8Array }[] | null = null;
  constructor(readonly blocks: number) { this.data = new Uint8Array(blocks * 512); }
}

function instance(disk: Disk) {
  let mem: WebAssembly.Memory;
  const inst = new WebAssembly.Instance(mod, {
    env: { abort: () => { throw new Error('abort'); } },
    disk: {
      blocks: () => disk.blocks,
      read: (b: number, p: number) => { if (b >= disk.blocks) return E.IO; disk.reads++; new Uint8Array(mem.buffer, p, 512).set(disk.data.subarray(b * 512, b * 512 + 512)); return 0; },
      write: (b: number, p: number) => {
        if (b >= disk.blocks) return E.IO;
        disk.writes++;
        const bytes = new Uint8Array(mem.buffer, p, 512);
        disk.data.set(bytes, b * 512);
        disk.log?.push({ blk: b, bytes: bytes.slice() });
        return 0;
      },
      flush: () => { disk.flushes++; return 0; },
    },
  });
  const x = inst.exports as unknown as X;
  mem = x.memory;
  const enc = new TextEncoder();
  const put = (s: string, off = 0) => { const b = enc.encode(s); new Uint8Array(mem.buffer, x.scratch() + off, b.length).set(b); return b.length; };
  const setData = (b: Uint8Array) => new Uint8Array(mem.buffer, x.data(), b.length).set(b);
  const getData = (n: number) => new Uint8Array(mem.buffer, x.data(), n).slice();
  const fs = {
    x,
    format: (n = 64) => x.format(n),
    mount: () => x.mount(),
    create: (dir: number, name: string, type = T_FILE) => { const e = x.create(dir, put(name), type); return { e, ino: x.lastIno() }; },
    lookup: (dir: number, name: string) => { const e = x.lookup(dir, put(name)); return { e, ino: x.lastIno(), type: x.lastType(), size: x.lastSize(), nlink: x.lastNlink() }; },
    unlink: (dir: number, name: string) => x.unlink(dir, put(name)),
    rename: (sd: number, sn: string, dd: number, dn: string) => { const l = put(sn); return x.rename(sd, l, dd, put(dn, l)); },
    write: (ino: number, off: number, b: Uint8Array | string) => { const d = typeof b === 'string' ? enc.encode(b) : b; setData(d); return x.write(ino, off, d.length); },
    read: (ino: number, off: number, max: number) => { const n = x.read(ino, off, max); return n < 0 ? n : getData(n); },
    readText: (ino: number) => { const n = x.read(ino, 0, 1 << 17); return new TextDecoder().decode(getData(n)); },
    list: (dir: number) => {
      const out: string[] = [];
      for (let i = 0; ; i++) {
        const e = x.readdir(dir, i);
        if (e) { if (e !== E.NO_ENTRY) throw new Error(`readdir ${e}`); break; }
        out.push(new TextDecoder().decode(new Uint8Array(mem.buffer, x.scratch(), x.nameLen())));
      }
      return out;
    },
  };
  return fs;
}

describe('mlkfs core', () => {
  it('formats, mounts, creates, writes, reads and deletes', () => {
    const disk = new Disk(512);
    const fs = instance(disk);
    expect(fs.mount()).toBe(E.CORRUPT); // blank disk: no superblock
    expect(fs.format(64)).toBe(0);
    expect(fs.x.repairs()).toBe(0);
    const free0 = fs.x.freeBlocks();
    const { e, ino } = fs.create(ROOT, 'motd');
    expect(e).toBe(0);
    expect(ino).toBeGreaterThan(1);
    expect(fs.create(ROOT, 'motd').e).toBe(E.EXISTS);
    expect(fs.write(ino, 0, 'Hello, world\n')).toBe(13);
    expect(fs.readText(ino)).toBe('Hello, world\n');
    expect(fs.lookup(ROOT, 'motd')).toMatchObject({ e: 0, ino, type: T_FILE, size: 13, nlink: 1 });
    // a big file through the indirect block
    const big = new Uint8Array(40_000).map((_, i) => (i * 7) & 0xff);
    const b = fs.create(ROOT, 'big').ino;
    expect(fs.write(b, 0, big)).toBe(40_000);
    expect(fs.read(b, 0, 40_000)).toEqual(big);
    expect(fs.read(b, 39_990, 100)).toEqual(big.slice(39_990));
    expect(fs.list(ROOT)).toEqual(['motd', 'big']);
    // remount from the disk alone: same data, nothing to repair
    const fs2 = instance(disk);
    expect(fs2.mount()).toBe(0);
    expect(fs2.x.repairs()).toBe(0);
    expect(fs2.x.mounts()).toBe(2);
    expect(fs2.read(b, 0, 40_000)).toEqual(big);
    // delete frees every block
    expect(fs2.unlink(ROOT, 'big')).toBe(0);
    expect(fs2.unlink(ROOT, 'motd')).toBe(0);
    expect(fs2.unlink(ROOT, 'motd')).toBe(E.NO_ENTRY);
    expect(fs2.list(ROOT)).toEqual([]);
    expect(fs2.x.freeBlocks()).toBe(free0 - 1); // the root directory keeps its one block
    const fs3 = instance(disk);
    expect(fs3.mount()).toBe(0);
    expect(fs3.x.repairs()).toBe(0);
    expect(fs3.x.freeBlocks()).toBe(free0 - 1);
  });

  it('keeps directories: mkdir, nested files, rmdir only when empty, rename', () => {
    const fs = instance(new Disk(256));
    expect(fs.format(32)).toBe(0);
    const etc = fs.create(ROOT, 'etc', T_DIR).ino;
    const f = fs.create(etc, 'hosts').ino;
    fs.write(f, 0, 'localhost\n');
    expect(fs.lookup(etc, 'hosts').e).toBe(0);
    expect(fs.lookup(f, 'x').e).toBe(E.NOT_DIR);
    expect(fs.unlink(ROOT, 'etc')).toBe(E.NOT_EMPTY);
    expect(fs.rename(etc, 'hosts', ROOT, 'hosts2')).toBe(0);
    expect(fs.list(etc)).toEqual([]);
    expect(fs.list(ROOT)).toEqual(['etc', 'hosts2']);
    expect(fs.readText(fs.lookup(ROOT, 'hosts2').ino)).toBe('localhost\n');
    // rename over an existing file replaces it
    const g = fs.create(ROOT, 'g').ino;
    fs.write(g, 0, 'old');
    expect(fs.rename(ROOT, 'hosts2', ROOT, 'g')).toBe(0);
    expect(fs.readText(fs.lookup(ROOT, 'g').ino)).toBe('localhost\n');
    expect(fs.rename(ROOT, 'g', ROOT, 'etc')).toBe(E.IS_DIR);
    expect(fs.unlink(ROOT, 'etc')).toBe(0);
    expect(fs.create(ROOT, 'a/b').e).toBe(E.INVALID);
    expect(fs.create(ROOT, 'x'.repeat(59)).e).toBe(E.NAME_TOO_LONG);
    expect(fs.create(ROOT, '..').e).toBe(E.INVALID);
  });

  it('reports a full disk and recovers the space', () => {
    const disk = new Disk(64); // 64 blocks: 1 sb + 16 journal + 1 bitmap + 2 inode blocks + 44 data
    const fs = instance(disk);
    expect(fs.format(16)).toBe(0);
    const free = fs.x.freeBlocks();
    const a = fs.create(ROOT, 'a').ino;
    const chunk = new Uint8Array(512).fill(0x41);
    let total = 0;
    for (;;) {
      const n = fs.write(a, total, chunk);
      if (n < 0) { expect(n).toBe(-E.NO_SPACE); break; }
      total += n;
      if (n < 512) break;
    }
    expect(fs.x.freeBlocks()).toBe(0);
    expect(total).toBe((free - 2) * 512); // one block each for the root directory and the indirect block
    expect(fs.create(ROOT, 'b').e).toBe(0); // an empty file needs no block
    expect(fs.unlink(ROOT, 'a')).toBe(0);
    expect(fs.x.freeBlocks()).toBe(free - 1);
    // inodes run out too
    for (let i = 0; ; i++) {
      const r = fs.create(ROOT, `f${i}`);
      if (r.e) { expect(r.e).toBe(E.NO_SPACE); break; }
    }
  });

  it('refuses a corrupt superblock at mount', () => {
    const disk = new Disk(128);
    const fs = instance(disk);
    expect(fs.format(16)).toBe(0);
    disk.data[0x0c] ^= 0xff; // nblocks, checksum now wrong
    expect(instance(disk).mount()).toBe(E.CORRUPT);
    disk.data[0x0c] ^= 0xff;
    expect(instance(disk).mount()).toBe(0);
    disk.data[0] = 0; // magic
    expect(instance(disk).mount()).toBe(E.CORRUPT);
  });

  it('repairs a stale bitmap and orphaned inodes at mount', () => {
    const disk = new Disk(128);
    const fs = instance(disk);
    expect(fs.format(16)).toBe(0);
    const a = fs.create(ROOT, 'a').ino;
    fs.write(a, 0, 'x'.repeat(2000));
    const free = fs.x.freeBlocks();
    // mount once so the journal is empty (else replay would restore the bitmap block)
    expect(instance(disk).mount()).toBe(0);
    // clear the bitmap block: mount must mark the used blocks again
    const ds = fs.x.dataStart();
    const bm = fs.x.bmapStart() * 512;
    disk.data.fill(0, bm, bm + 512);
    const fs2 = instance(disk);
    expect(fs2.mount()).toBe(0);
    expect(fs2.x.repairs()).toBeGreaterThan(0);
    expect(fs2.x.freeBlocks()).toBe(free);
    expect(fs2.readText(a)).toBe('x'.repeat(2000));
    // remove the directory entry behind the fs's back: the inode is an orphan and is freed
    const rootDirBlock = disk.data.subarray(ds * 512, ds * 512 + 512);
    expect(new DataView(rootDirBlock.buffer, rootDirBlock.byteOffset).getUint32(0, true)).toBe(a);
    rootDirBlock.fill(0, 0, 4);
    const fs3 = instance(disk);
    expect(fs3.mount()).toBe(0);
    expect(fs3.x.repairs()).toBeGreaterThan(0);
    expect(fs3.list(ROOT)).toEqual([]);
    expect(fs3.x.freeBlocks()).toBe(free + 4);
    const fs4 = instance(disk);
    expect(fs4.mount()).toBe(0);
    expect(fs4.x.repairs()).toBe(0);
  });

  it('refuses a disk of the version before the journal, saying why', () => {
    const disk = new Disk(128);
    const sb = new DataView(disk.data.buffer);
    sb.setBigUint64(0, 0x3153464b4c4dn, true); // "MLKFS1"
    sb.setUint32(8, 1, true);
    const fs = instance(disk);
    expect(fs.mount()).toBe(E.CORRUPT);
    const n = fs.x.problem();
    expect(new TextDecoder().decode(new Uint8Array(fs.x.memory.buffer, fs.x.scratch(), n))).toMatch(/version 1 .*reset the disk/);
  });

  it('replays a committed transaction whose blocks were not all written home', () => {
    const disk = new Disk(256);
    const fs = instance(disk);
    expect(fs.format(32)).toBe(0);
    const before = disk.data.slice();
    disk.log = [];
    const a = fs.create(ROOT, 'a').ino;
    expect(fs.write(a, 0, 'journaled')).toBe(9);
    // cut the last write's home writes: keep the log up to its commit record (the journal header)
    const lastHeader = disk.log.map((w) => w.blk).lastIndexOf(1);
    const cut = new Disk(256);
    cut.data.set(before);
    for (const w of disk.log.slice(0, lastHeader + 1)) cut.data.set(w.bytes, w.blk * 512);
    const fs2 = instance(cut);
    expect(fs2.mount()).toBe(0);
    expect(fs2.x.replayed()).toBeGreaterThan(0);
    expect(fs2.readText(fs2.lookup(ROOT, 'a').ino)).toBe('journaled');
  });

  it('mounts after a power cut at every write of a format and a session, with every acknowledged change', () => {
    const disk = new Disk(256);
    disk.log = [];
    const fs = instance(disk);
    expect(fs.mount()).toBe(E.CORRUPT);
    expect(fs.format(32)).toBe(0);
    // the session, and after each operation the expected tree (name → text)
    type Tree = Map<string, string>;
    const states: { end: number; tree: Tree }[] = [{ end: disk.log.length, tree: new Map() }];
    const tree: Tree = new Map();
    const step = (f: () => void) => { f(); states.push({ end: disk.log!.length, tree: new Map(tree) }); };
    const file = (name: string) => fs.lookup(ROOT, name).ino;
    for (let i = 0; i < 6; i++) {
      step(() => { expect(fs.create(ROOT, `f${i}`).e).toBe(0); tree.set(`f${i}`, ''); });
      const text = `file ${i} `.repeat(20 + 30 * i); // up to ~2 KiB: several blocks, one transaction
      step(() => { expect(fs.write(file(`f${i}`), 0, text)).toBe(text.length); tree.set(`f${i}`, text); });
    }
    step(() => { expect(fs.rename(ROOT, 'f1', ROOT, 'g1')).toBe(0); tree.set('g1', tree.get('f1')!); tree.delete('f1'); });
    step(() => { expect(fs.unlink(ROOT, 'f2')).toBe(0); tree.delete('f2'); });
    step(() => { expect(fs.rename(ROOT, 'f3', ROOT, 'f4')).toBe(0); tree.set('f4', tree.get('f3')!); tree.delete('f3'); });
    step(() => { expect(fs.x.truncate(file('f5'), 100)).toBe(0); tree.set('f5', tree.get('f5')!.slice(0, 100)); });
    step(() => { expect(fs.write(file('f0'), 5, 'XYZ')).toBe(3); const t = tree.get('f0')!; tree.set('f0', t.slice(0, 5) + 'XYZ' + t.slice(8)); });
    const log = disk.log;
    expect(disk.flushes).toBeGreaterThan(states.length);
    const snapshot = (fs2: ReturnType<typeof instance>) => {
      const out: Tree = new Map();
      for (const name of fs2.list(ROOT)) out.set(name, fs2.readText(fs2.lookup(ROOT, name).ino));
      return out;
    };
    const same = (a: Tree, b: Tree) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
    let formatted = 0;
    for (let k = 0; k <= log.length; k++) {
      const cut = new Disk(256);
      for (const w of log.slice(0, k)) cut.data.set(w.bytes, w.blk * 512);
      const fs2 = instance(cut);
      const e = fs2.mount();
      if (k < states[0].end) {
        // during the format: either no file system yet (the fs formats again) or a whole one
        if (e !== 0) { expect(e).toBe(E.CORRUPT); expect(cut.data.subarray(0, 8).every((b) => b === 0)).toBe(true); continue; }
      }
      expect(e, `mount after ${k} of ${log.length} writes`).toBe(0);
      if (k >= states[0].end) formatted++;
      // every operation acknowledged before the cut is there; the one in flight is all or nothing
      const done = states.filter((s) => s.end <= k).length - 1;
      const got = snapshot(fs2);
      const ok = same(got, states[Math.max(done, 0)].tree) || (done + 1 < states.length && same(got, states[done + 1].tree));
      expect(ok, `after ${k} writes: ${JSON.stringify([...got.keys()])}`).toBe(true);
      expect(fs2.x.repairs(), `repairs after ${k} writes`).toBe(0);
      // and it mounts again cleanly
      expect(instance(cut).mount()).toBe(0);
    }
    expect(formatted).toBe(log.length - states[0].end + 1);
  });
});
