// The first visit's boot from the build's snapshot of the booted machine (host/bootSnapshot.ts,
// made by scripts/boot-snapshot.ts): when the disk is blank and the build holds a snapshot for
// these boot arguments, the worker restores it instead of running the ~5 M instructions of the
// boot, and replays what the boot sent the host: the UART's boot log, the mailbox messages. Anything that does not fit (another build, a
// used disk, a refused file) falls back to a real boot. Reboot and Reset always boot for real, and
// so does `?boot=real` (to watch the boot happen).

import { Machine, type PreparedKernel } from '../../../hw/machine';
import type { BlockStore } from '../../../hw/blockdev';
import { blankDisk, restoreBootState, unbase64, type BootSnapshotMeta } from '../../../host/bootSnapshot';

const metas = import.meta.glob<BootSnapshotMeta>('../../../build/boot/*.json', { eager: true, import: 'default' });
const stateUrls = import.meta.glob<string>('../../../build/boot/*.state', { query: '?url', import: 'default', eager: true });

/** The build's snapshot for these boot arguments: its meta and the URL of its state file. */
function snapshotFor(bootargs: string): { meta: BootSnapshotMeta; url: string } | null {
  for (const [path, meta] of Object.entries(metas)) {
    const url = stateUrls[path.replace(/\.json$/, '.state')];
    if (meta.bootargs === bootargs && url) return { meta, url };
  }
  return null;
}

/**
 * A machine restored to the end of its boot, with the boot's UART output; null when there is no
 * snapshot to use (the caller boots for real). Never throws.
 */
export async function restoreBootSnapshot(kernel: Uint8Array | PreparedKernel, bootImage: Uint8Array | undefined, disk: BlockStore, bootargs: string): Promise<{ machine: Machine; log: Uint8Array; mailbox: number[][] } | null> {
  try {
    const snap = snapshotFor(bootargs);
    if (!snap || !bootImage || !blankDisk(disk)) return null;
    const res = await fetch(snap.url);
    if (!res.ok) return null;
    const file = new Uint8Array(await res.arrayBuffer());
    const m = await Machine.create({ kernel, bootImage, disk, bootargs: bootargs || undefined });
    await restoreBootState(m, file, snap.meta);
    return { machine: m, log: unbase64(snap.meta.log), mailbox: snap.meta.mailbox };
  } catch (e) {
    console.warn('boot snapshot not used:', e);
    return null;
  }
}
