// The page's disk under time travel. The IndexedDB store (worker/idbDisk.ts) completes the guest's
// FLUSH when IndexedDB has committed, which is wall-clock time: a re-execution (going back) would
// not see it complete at the same virtual time, and inside one synchronous re-execution it would
// never complete. This store completes FLUSH in virtual time (at the device's deadline, as a
// memory disk does) and keeps the durability promise another way: it asks the worker to stop the
// run right after (Machine.stopRequested) and the worker starts the next slice only once
// IndexedDB has committed (`saved`), so the guest runs on past a FLUSH only when its writes are
// stored. Virtual time never depends on IndexedDB; a failed save leaves the chunks dirty for the
// next one (the guest's FLUSH no longer reports the error).

import type { BlockStore } from '../../../hw/blockdev';
import type { IdbBlockStore } from '../worker/idbDisk';

export class VirtualTimeDisk implements BlockStore {
  /** The save of the last FLUSH, until IndexedDB has committed it. */
  private saving: Promise<void> | null = null;

  constructor(readonly store: IdbBlockStore, private readonly onFlush: () => void) {}

  get sectors(): number {
    return this.store.sectors;
  }

  read(sector: number, count: number): Uint8Array {
    return this.store.read(sector, count);
  }

  write(sector: number, data: Uint8Array): void {
    this.store.write(sector, data);
  }

  flush(): void {
    if (this.store.backing !== 'indexeddb') return;
    const p = this.store.flush().catch(() => undefined);
    this.saving = p;
    void p.then(() => { if (this.saving === p) this.saving = null; });
    this.onFlush();
  }

  /** Resolves when the last FLUSH's writes are in IndexedDB (at once when none is pending). */
  saved(): Promise<void> | null {
    return this.saving;
  }
}
