// A BlockStore (hw/blockdev.ts) whose contents survive a reload: the image is held in memory
// (the block device reads and writes synchronously) and every written chunk is saved to IndexedDB
// shortly after (debounced), and at once on flush() — the guest's FLUSH command, or the page
// going hidden. Browser-only, so it lives in web/ (DESIGN D11). IndexedDB through `idb`
// (promises for requests and transactions).
//
// Power cuts (a reload or a closed tab at any instant): what IndexedDB holds is always the
// in-memory image as it was at one instant. Each save copies every chunk changed since the last
// successful save at once and stores them in one transaction (atomic), and saves run one at a
// time (a failed one is retried by the next), so the stored disk is a prefix of the guest's
// write sequence, which the file system's journal recovers from. flush() returns the promise of
// that save, and the block device completes the guest's FLUSH only when it resolves: a write
// the file system acknowledged after a flush is in IndexedDB.
//
// One writer: a worker saves only while it holds the Web Lock "mlk-disk", which it keeps until it
// ends. After a reload the old page's worker may still be saving for a moment; the new one waits
// for the lock (so it reads the disk only after the last save of the old one), and a second tab
// that cannot get it within LOCK_WAIT_MS runs on a copy in memory instead of mixing its writes in.
//
// IndexedDB layout: database "mlk-disk", object store "chunks" keyed by chunk number, each value a
// CHUNK-byte Uint8Array; key "meta" holds { sectors, version }. A disk of another size or version
// is discarded and replaced by a blank one (the fs service formats it).

import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { BLOCK_SECTOR_SIZE, type BlockStore } from '../../../hw/blockdev';

const DB = 'mlk-disk';
const STORE = 'chunks';
const VERSION = 1;
const CHUNK = 64 * 1024;
const SECTORS_PER_CHUNK = CHUNK / BLOCK_SECTOR_SIZE;
const FLUSH_DELAY_MS = 250;
const LOCK = 'mlk-disk';
const LOCK_WAIT_MS = 5000;

let lockHeld: Promise<boolean> | null = null;

/** Takes the disk's lock for the rest of this worker's life; false when another holder keeps it. */
function holdDiskLock(): Promise<boolean> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return Promise.resolve(true); // no Web Locks: nothing to coordinate with
  lockHeld ??= new Promise<boolean>((resolve) => {
    locks
      .request(LOCK, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => {
        resolve(true);
        return new Promise<never>(() => {}); // held until the worker ends
      })
      .catch(() => {
        lockHeld = null; // try again at the next open (Reset)
        resolve(false);
      });
  });
  return lockHeld;
}

type Meta = { sectors: number; version: number };
interface DiskDB extends DBSchema {
  chunks: { key: number | 'meta'; value: Uint8Array | Meta };
}
type Db = IDBPDatabase<DiskDB>;

export class IdbBlockStore implements BlockStore {
  readonly sectors: number;
  /** Sectors written since this store was created (for the status bar). */
  written = 0;
  private dirty = new Set<number>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The latest save; the next one starts after it settles. */
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly db: Db | null, readonly data: Uint8Array) {
    this.sectors = data.length / BLOCK_SECTOR_SIZE;
  }

  get backing(): 'indexeddb' | 'memory' {
    return this.db ? 'indexeddb' : 'memory';
  }

  get dirtySectors(): number {
    return this.dirty.size * SECTORS_PER_CHUNK;
  }

  /** A blank disk in memory only (a shared recording replays on one; the saved disk stays untouched). */
  static memory(sectors: number): IdbBlockStore {
    return new IdbBlockStore(null, new Uint8Array(sectors * BLOCK_SECTOR_SIZE));
  }

  /**
   * The saved disk when there is one of `sectors` sectors (and not `blank`), else a blank disk,
   * saved. Without IndexedDB (private mode, tests in Node), or while another tab holds the disk,
   * it lives in memory only.
   */
  static async open(sectors: number, blank = false): Promise<IdbBlockStore> {
    const data = new Uint8Array(Math.ceil((sectors * BLOCK_SECTOR_SIZE) / CHUNK) * CHUNK);
    let db: Db | null = null;
    try {
      db = await openDB<DiskDB>(DB, 1, { upgrade: (d) => void d.createObjectStore(STORE) });
    } catch {
      db = null;
    }
    const owner = db !== null && (await holdDiskLock());
    if (db && !blank) {
      try {
        const store = db.transaction(STORE).store;
        const meta = (await store.get('meta')) as Meta | undefined;
        if (meta && meta.sectors === sectors && meta.version === VERSION) {
          const keys = await store.getAllKeys();
          const values = await store.getAll();
          keys.forEach((k, i) => {
            if (typeof k === 'number' && values[i] instanceof Uint8Array) data.set(values[i], k * CHUNK);
          });
          return new IdbBlockStore(owner ? db : null, data.subarray(0, sectors * BLOCK_SECTOR_SIZE));
        }
      } catch {
        // unreadable: start again from the initial image
      }
    }
    const store = new IdbBlockStore(owner ? db : null, data.subarray(0, sectors * BLOCK_SECTOR_SIZE));
    if (db && owner) {
      // a missing chunk reads as zeros: a blank disk is its meta record alone
      const tx = db.transaction(STORE, 'readwrite');
      await Promise.all([tx.store.clear(), tx.store.put({ sectors, version: VERSION }, 'meta'), tx.done]).catch(() => undefined);
    }
    return store;
  }

  read(sector: number, count: number): Uint8Array {
    this.check(sector, count);
    return this.data.slice(sector * BLOCK_SECTOR_SIZE, (sector + count) * BLOCK_SECTOR_SIZE);
  }

  write(sector: number, bytes: Uint8Array): void {
    if (bytes.length % BLOCK_SECTOR_SIZE !== 0) throw new RangeError('IdbBlockStore.write: partial sector');
    const count = bytes.length / BLOCK_SECTOR_SIZE;
    this.check(sector, count);
    this.data.set(bytes, sector * BLOCK_SECTOR_SIZE);
    this.written += count;
    for (let c = Math.floor(sector / SECTORS_PER_CHUNK); c <= Math.floor((sector + count - 1) / SECTORS_PER_CHUNK); c++) this.dirty.add(c);
    if (this.db && !this.timer) this.timer = setTimeout(() => void this.save().catch(() => undefined), FLUSH_DELAY_MS);
  }

  /** The guest's FLUSH: resolves once every earlier write is in IndexedDB (the device waits). */
  flush(): Promise<void> {
    return this.save();
  }

  /**
   * Saves every dirty chunk in one transaction, after the save in flight; resolves when IndexedDB
   * has committed it, rejects when that failed (the chunks stay dirty for the next save).
   */
  save(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.db) return Promise.resolve();
    this.saving = this.saving.catch(() => undefined).then(() => this.saveNow());
    return this.saving;
  }

  private async saveNow(): Promise<void> {
    if (!this.db || this.dirty.size === 0) return;
    // every chunk copied at the same instant: the transaction stores one consistent image
    const chunks = [...this.dirty];
    this.dirty.clear();
    const tx = this.db.transaction(STORE, 'readwrite');
    const puts = chunks.map((c) => tx.store.put(this.data.slice(c * CHUNK, (c + 1) * CHUNK), c));
    try {
      await Promise.all([...puts, tx.done]);
    } catch (e) {
      chunks.forEach((c) => this.dirty.add(c));
      throw e;
    }
  }

  private check(sector: number, count: number): void {
    if (sector < 0 || count < 0 || sector + count > this.sectors) throw new RangeError('IdbBlockStore: out of range');
  }
}
