// The page's boot from the build's snapshot of the booted machine (host/bootSnapshot.ts, made by
// scripts/boot-snapshot.ts): when the build holds a snapshot for these boot arguments and this
// disk — a blank one (a first visit), or the disk a first visit's boot leaves (a repeat visit
// that wrote nothing) — the worker restores it instead of running the ~5 M instructions of the
// boot, and replays what the boot sent the host: the UART's boot log, the mailbox messages.
// Anything that does not fit (another build, another disk, a refused file) falls back to a real
// boot. Reboot and Reset always boot for real, and so does `?boot=real` (to watch the boot happen).

import { Machine, type PreparedKernel } from '../../../hw/machine';
import type { BlockStore } from '../../../hw/blockdev';
import type { FreshMachine } from '../../../hw/snapshot';
import { diskKey, restoreBootState, unbase64, type BootSnapshotMeta } from '../../../host/bootSnapshot';

const metas = import.meta.glob<BootSnapshotMeta>('../../../build/boot/*.json', { eager: true, import: 'default' });
const stateUrls = import.meta.glob<string>('../../../build/boot/*.state', { query: '?url', import: 'default', eager: true });

/** The build's snapshot for these boot arguments and this disk: its meta and the URL of its state file. */
function snapshotFor(bootargs: string, disk: string): { meta: BootSnapshotMeta; url: string } | null {
  for (const [path, meta] of Object.entries(metas)) {
    const url = stateUrls[path.replace(/\.json$/, '.state')];
    if (meta.bootargs === bootargs && meta.disk === disk && url) return { meta, url };
  }
  return null;
}

const fetched = new Map<string, Promise<Uint8Array | null>>();
function fetchState(url: string): Promise<Uint8Array | null> {
  let p = fetched.get(url);
  if (!p) {
    p = fetch(url).then(async (res) => (res.ok ? new Uint8Array(await res.arrayBuffer()) : null)).catch(() => null);
    fetched.set(url, p);
  }
  return p;
}

/**
 * Starts fetching the first visit's snapshot (blank disk) while the kernel, the boot image and the
 * disk load: on a repeat visit it comes from the browser's cache (content-hashed, immutable).
 */
export function prefetchBootSnapshot(bootargs: string): void {
  const snap = snapshotFor(bootargs, 'blank');
  if (snap) void fetchState(snap.url);
}

/**
 * A machine restored to the end of its boot, with the boot's UART output; null when there is no
 * snapshot to use (the caller boots for real). Never throws.
 */
export async function restoreBootSnapshot(kernel: Uint8Array | PreparedKernel, bootImage: Uint8Array | undefined, disk: BlockStore, bootargs: string): Promise<{ machine: Machine; log: Uint8Array; mailbox: number[][]; fresh: FreshMachine } | null> {
  try {
    const snap = bootImage ? snapshotFor(bootargs, diskKey(disk)) : null;
    const file = snap && (await fetchState(snap.url));
    if (!snap || !file) return null;
    const m = await Machine.create({ kernel, bootImage, disk, bootargs: bootargs || undefined });
    const fresh = await restoreBootState(m, file, snap.meta);
    return { machine: m, log: unbase64(snap.meta.log), mailbox: snap.meta.mailbox, fresh };
  } catch (e) {
    console.warn('boot snapshot not used:', e);
    return null;
  }
}
