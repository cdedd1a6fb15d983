// The booted machine as a build product (issue 16): the page's first visit restores the state of a
// machine that booted to the shell prompt on a blank disk, instead of running the ~5 M instructions
// of that boot (most of them the file system formatting and seeding the disk).
//
// The snapshot is made by a real boot, the way the page's worker boots (slices of BOOT_SLICE ticks
// until the machine has idled for a scheduler tick), so restoring it gives the machine a real boot
// gives: tests/timetravel/bootsnapshot.test.ts compares the state hashes. What the boot sent the
// host — the UART's boot log, the mailbox messages — is kept beside it and replayed to the page;
// the trace ring is part of the state.
//
// A repeat visit boots on the disk the last visit left, which a first-visit snapshot does not fit.
// The build also snapshots the boot on the disk a first visit's boot leaves (the "repeat" variant):
// a snapshot names the disk it booted from by its content hash (`disk`), and is restored only on a
// disk with that hash — any other disk (a file written, a power cut mid-write) boots for real.

import { MemoryBlockStore, type BlockStore } from '../hw/blockdev';
import { Machine } from '../hw/machine';
import { CNTFRQ } from '../hw/memmap';
import { PAGE_SIZE, captureState, restoreState, type FreshMachine } from '../hw/snapshot';
import { decodeStateFile, encodeStateFile, stateHash } from '../hw/snapshot-format';
import { murmur128 } from '../hw/hash';

/** Ticks per slice: the page's default speed setting (web/src/worker/protocol.ts initialStatus). */
export const BOOT_SLICE = 200_000;
/** The page's disk: 4 MiB (web/src/worker/machine.worker.ts DISK_SECTORS). */
export const BOOT_DISK_SECTORS = 8192;
/** The boot is over when the core has idled this long: one scheduler tick (10 ms virtual). */
export const BOOT_IDLE_TICKS = CNTFRQ / 100;
/** A boot that has not idled after this many slices (2 s of virtual time) is broken. */
const MAX_SLICES = 240;

/** What the page needs beside the state file: which boot it is, and what the UART printed. */
export interface BootSnapshotMeta {
  /** The boot arguments the machine booted with ('' for none). */
  bootargs: string;
  /** The disk the boot started from: diskKey() of its contents ('blank' for all zeros). */
  disk: string;
  buildId: string;
  /** The state hash (hw/snapshot-format.ts) of the booted machine. */
  hash: string;
  ticks: number;
  instructions: number;
  kernelEntries: number;
  /** The UART output of the boot, base64. */
  log: string;
  /** The messages the guest sent the host through the mailbox during the boot (the agent's hello). */
  mailbox: number[][];
  /**
   * RAM pages the booted machine holds as a freshly created one does (the boot image, the device
   * tree, kernel data the boot left alone): left out of the state file, which the page fetches
   * beside the boot image it already has, and taken from the new machine on restore.
   */
  freshPages: number[];
  /**
   * Every RAM page a freshly created machine holds non-zero bytes in: the only pages a restore into
   * one must clear or check (hw/snapshot.ts FreshMachine; the rest of its 64 MiB is untouched).
   */
  freshNonZero: number[];
}

/**
 * Boots a machine as the page's worker does — slices of BOOT_SLICE ticks until it has idled for
 * BOOT_IDLE_TICKS — and returns it with the bytes its UART sent. Throws when it halts or never idles.
 */
export async function bootToIdle(kernel: Uint8Array, bootImage: Uint8Array, bootargs: string, disk: BlockStore = new MemoryBlockStore(BOOT_DISK_SECTORS)): Promise<{ machine: Machine; log: Uint8Array; mailbox: number[][] }> {
  const m = await Machine.create({ kernel, bootImage, disk, bootargs: bootargs || undefined });
  const out: Uint8Array[] = [];
  m.on('uart', (b) => void out.push(b.slice()));
  // the worker listens to the trace, and a listened ring marks its records read (TraceRing readSeq)
  m.on('trace', () => {});
  const mailbox: number[][] = [];
  m.mailbox.onMessage = (words) => void mailbox.push(Array.from(words));
  let halt = '';
  m.on('halt', (info) => { halt = info.reason; });
  for (let i = 0; ; i++) {
    if (i === MAX_SLICES) throw new Error(`the boot did not idle within ${MAX_SLICES} slices of ${BOOT_SLICE} ticks`);
    const r = m.run(BOOT_SLICE);
    if (r.reason === 'halted') throw new Error(`the machine halted during the boot: ${halt}`);
    if (m.idleFor() >= BOOT_IDLE_TICKS) break;
  }
  const log = new Uint8Array(out.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of out) { log.set(b, at); at += b.length; }
  return { machine: m, log, mailbox };
}

/**
 * The state file and meta of a booted machine, booted on a copy of `disk` (default: blank, of the
 * page's size), and the disk as the boot left it (what a repeat visit boots on).
 */
export async function makeBootSnapshot(kernel: Uint8Array, bootImage: Uint8Array, bootargs: string, disk?: Uint8Array): Promise<{ state: Uint8Array; meta: BootSnapshotMeta; diskAfter: Uint8Array }> {
  const store = new MemoryBlockStore(disk ?? BOOT_DISK_SECTORS);
  const startKey = diskKey(store);
  const { machine: m, log, mailbox } = await bootToIdle(kernel, bootImage, bootargs, store);
  const freshMachine = await Machine.create({ kernel, bootImage, disk: new MemoryBlockStore(BOOT_DISK_SECTORS), bootargs: bootargs || undefined });
  const fresh = freshMachine.ram.u8;
  const freshNonZero = captureState(freshMachine).ram.flatMap((page, k) => (page ? [k] : []));
  const captured = captureState(m);
  const freshPages: number[] = [];
  captured.ram.forEach((page, k) => {
    if (page && Buffer.compare(page, fresh.subarray(k * PAGE_SIZE, (k + 1) * PAGE_SIZE)) === 0) {
      captured.ram[k] = null;
      freshPages.push(k);
    }
  });
  const state = await encodeStateFile(captured);
  const meta: BootSnapshotMeta = {
    bootargs,
    disk: startKey,
    buildId: m.buildId,
    hash: stateHash(m),
    ticks: m.clock.ticks,
    instructions: m.instructions,
    kernelEntries: m.kernelEntries,
    log: base64(log),
    mailbox,
    freshPages,
    freshNonZero,
  };
  return { state, meta, diskAfter: store.read(0, store.sectors) };
}

/**
 * Loads a boot snapshot into `m`, a machine just created with the snapshot's kernel, boot image and
 * boot arguments, on the disk the snapshot booted from. The file is checked (its build id against
 * the machine's, its payload against its hash, the disk's contents against `meta.disk`) and then
 * applied as trusted: it is the build's own. Throws when it does not fit. Returns the RAM pages
 * the restored machine may hold non-zero bytes in (its first time-travel checkpoint reads only those).
 */
export async function restoreBootState(m: Machine, file: Uint8Array, meta: BootSnapshotMeta): Promise<FreshMachine> {
  if (m.buildId !== meta.buildId) throw new Error('the boot snapshot comes from another kernel or boot image');
  if (diskKey(m.block.store) !== meta.disk) throw new Error('the boot snapshot booted from another disk');
  const { state } = await decodeStateFile(file, m.buildId);
  if (state.ramSize !== m.ram.size || state.diskSectors !== m.block.store.sectors) throw new Error('the boot snapshot is of another machine size');
  const u8 = m.ram.u8;
  const kept = meta.freshPages.map((k) => u8.slice(k * PAGE_SIZE, (k + 1) * PAGE_SIZE));
  restoreState(m, state, true, { ramNonZero: meta.freshNonZero });
  meta.freshPages.forEach((k, i) => u8.set(kept[i], k * PAGE_SIZE));
  return { ramNonZero: [...new Set([...state.ram.flatMap((p, k) => (p ? [k] : [])), ...meta.freshPages])].sort((a, b) => a - b) };
}

/** Names a disk by its contents: 'blank' when every byte is zero (a first visit, or after Reset), else their hash. */
export function diskKey(store: BlockStore): string {
  const bytes = store.read(0, store.sectors);
  const w = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return murmur128(bytes);
  return 'blank';
}

export function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function unbase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
