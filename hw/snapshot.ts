// A whole-machine snapshot (issue 15): everything that decides what the machine does next.
//
//   RAM          by 4 KiB page; all-zero pages are null, and a page equal to the previous
//                snapshot's is shared with it (periodic snapshots cost only what changed)
//   the kernel   its linear memory is RAM; its WebAssembly globals via Machine.saveCore()
//   the core     system registers, PSTATE, WFI (Cpu), the MMU's TLB entries (saved: a stale entry
//                must stay stale), the EL0 register file (the engine's decoded-program cache and
//                its TLB are rebuilt after a restore, never saved: both are derived from RAM)
//   devices      clock, AIC, generic timer, UART, trace ring (its slots in chunks, like RAM), DART (its IOTLB restarts empty, as
//                after an INVALIDATE: the kernel invalidates after every IO page-table edit), block
//                device registers, host mailbox, GPIO bank, the virtio-net NIC (transport registers,
//                queue positions, link, frames waiting for receive buffers), and the disk's contents
//
// A snapshot is taken and restored between run()/step() calls, never inside a kernel entry.
// hw/snapshot-format.ts turns one into bytes (a state file) and computes the state hash.

import { Aic } from './aic';
import { BLOCK_SECTOR_SIZE, BlockDevice, MemoryBlockStore } from './blockdev';
import { Clock } from './clock';
import { Cpu, type CpuSnapshot } from './cpu';
import { Dart } from './dart';
import type { Machine, MachineCoreState } from './machine';
import { HostMailbox } from './mailbox';
import { GpioPl061 } from './gpio-pl061';
import { Mmu, type MmuTlbSnapshot } from './mmu';
import { Ram } from './ram';
import { GenericTimer } from './timer';
import { TraceRing } from './trace';
import { Uart } from './uart';
import { VirtioNet } from './virtio-net';

export const PAGE_SIZE = 4096;
/** The disk is kept in chunks of this many bytes (8 sectors). */
export const DISK_CHUNK = 4096;

export interface DeviceStates {
  core: MachineCoreState;
  cpu: CpuSnapshot;
  clock: unknown;
  aic: unknown;
  timer: unknown;
  uart: unknown;
  trace: unknown;
  dart: unknown;
  block: unknown;
  mailbox: unknown;
  /** The PL061 GPIO bank (absent in states saved before it existed: it then keeps its reset state). */
  gpio?: unknown;
  /** The virtio-net NIC and its transport (absent in states saved before it was kept: reset state). */
  net?: unknown;
}

export interface MachineState {
  buildId: string;
  ramSize: number;
  /** RAM by page; null = all zeros. */
  ram: (Uint8Array | null)[];
  diskSectors: number;
  /** The disk by DISK_CHUNK; null = all zeros (the last chunk may be shorter). */
  disk: (Uint8Array | null)[];
  /** The trace ring's slots (TraceRing.snapshotRing) in 4 KiB chunks, shared like RAM pages. */
  traceRing: (Uint8Array | null)[];
  /** The EL0 register file, 32 little-endian u64 (256 bytes). */
  el0Regs: Uint8Array;
  tlb: MmuTlbSnapshot;
  devices: DeviceStates;
}

/** Clock ticks of a state (its position in virtual time). */
export function stateTicks(s: MachineState): number {
  return (s.devices.clock as { ticks: number }).ticks;
}

function isZero(w: Int32Array, from: number, n: number): boolean {
  for (let i = from, end = from + n; i < end; i++) if (w[i] !== 0) return false;
  return true;
}

function sameWords(w: Int32Array, from: number, page: Uint8Array): boolean {
  const p = new Int32Array(page.buffer, page.byteOffset, page.byteLength >> 2);
  for (let i = 0; i < p.length; i++) if (w[from + i] !== p[i]) return false;
  return true;
}

/** Splits `bytes` into chunks; zero chunks → null, chunks equal to `prev`'s → prev's array. */
function chunk(bytes: Uint8Array, size: number, prev: (Uint8Array | null)[] | undefined): (Uint8Array | null)[] {
  const out: (Uint8Array | null)[] = [];
  const aligned = (bytes.byteOffset & 3) === 0 && (size & 3) === 0;
  const w = aligned ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2) : null;
  for (let off = 0, k = 0; off < bytes.length; off += size, k++) {
    const n = Math.min(size, bytes.length - off);
    const old = prev?.[k];
    if (w && (n & 3) === 0) {
      if (old && old.length === n && sameWords(w, off >> 2, old)) { out.push(old); continue; }
      if (isZero(w, off >> 2, n >> 2)) { out.push(null); continue; }
    } else {
      const part = bytes.subarray(off, off + n);
      if (part.every((b) => b === 0)) { out.push(null); continue; }
      if (old && old.length === n && part.every((b, i) => b === old[i])) { out.push(old); continue; }
    }
    out.push(bytes.slice(off, off + n));
  }
  return out;
}

/**
 * The machine's whole state. With `prev` (an earlier snapshot of the same machine), unchanged RAM
 * pages and disk chunks are shared with it rather than copied. With `fresh`, only its RAM pages are
 * read (the machine was just created or restored and has not run: the others are zero).
 */
export function captureState(m: Machine, prev?: MachineState, fresh?: FreshMachine): MachineState {
  const store = m.block.store;
  const ring = m.trace.snapshotRing();
  return {
    buildId: m.buildId,
    ramSize: m.ram.size,
    ram: fresh ? freshRam(m, fresh, prev?.ram) : chunk(m.ram.u8, PAGE_SIZE, prev?.ram),
    diskSectors: store.sectors,
    disk: chunk(store.read(0, store.sectors), DISK_CHUNK, prev?.disk),
    traceRing: chunk(ring.ring, PAGE_SIZE, prev?.traceRing),
    el0Regs: new Uint8Array(m.el0.regs.buffer.slice(0)),
    tlb: m.mmu.snapshotTlb(),
    devices: {
      core: m.saveCore(),
      cpu: m.cpu.snapshot(),
      clock: m.clock.snapshot(),
      aic: m.aic.snapshot(),
      timer: m.timer.snapshot(),
      uart: m.uart.snapshot(),
      trace: ring.regs,
      dart: m.dart.snapshot(),
      block: m.block.snapshot(),
      mailbox: m.mailbox.snapshot(),
      gpio: m.gpio.snapshot(),
      net: m.net.snapshot(),
    },
  };
}

/** Why a state cannot be loaded into a machine ('' when it can). Touches nothing. */
export function incompatibility(m: Machine, s: MachineState): string {
  if (!m.buildId) return 'this machine cannot load a state: its kernel was given as a compiled module';
  if (s.buildId !== m.buildId) return `the state comes from another build (build id ${s.buildId.slice(0, 12)}…, this build is ${m.buildId.slice(0, 12)}…)`;
  if (s.ramSize !== m.ram.size) return `the state has ${s.ramSize / 2 ** 20} MiB of RAM, this machine ${m.ram.size / 2 ** 20} MiB`;
  if (s.diskSectors !== m.block.store.sectors) return `the state's disk has ${s.diskSectors} sectors, this machine's ${m.block.store.sectors}`;
  if (s.ram.length !== m.ram.size / PAGE_SIZE || s.ram.some((p) => p !== null && p.length !== PAGE_SIZE)) return 'the state\'s RAM pages are malformed';
  const diskBytes = s.diskSectors * BLOCK_SECTOR_SIZE;
  if (s.disk.length !== Math.ceil(diskBytes / DISK_CHUNK) || s.disk.some((c, k) => c !== null && c.length !== Math.min(DISK_CHUNK, diskBytes - k * DISK_CHUNK)))
    return 'the state\'s disk chunks are malformed';
  const ringBytes = traceRingBytes(m);
  if (!Array.isArray(s.traceRing) || s.traceRing.length !== Math.ceil(ringBytes / PAGE_SIZE) ||
    s.traceRing.some((c, k) => c !== null && c.length !== Math.min(PAGE_SIZE, ringBytes - k * PAGE_SIZE)))
    return 'the state\'s trace ring is malformed';
  if (s.el0Regs.length !== 256) return 'the state\'s EL0 register file is malformed';
  const core = s.devices?.core;
  if (!core || core.kernelGlobals?.length !== m.kernelGlobalCount || !core.kernelGlobals.every((g) => /^(i:-?\d+|n:.+)$/.test(g)) ||
    typeof core.booted !== 'boolean' || !Number.isInteger(core.instructions) || !Number.isInteger(core.kernelEntries) ||
    !Number.isFinite(core.lastActivity) || !Number.isInteger(core.entryOffset))
    return 'the state\'s kernel bookkeeping is malformed';
  for (const k of ['cpu', 'clock', 'aic', 'timer', 'uart', 'trace', 'dart', 'block', 'mailbox'] as const)
    if (typeof s.devices[k] !== 'object' || s.devices[k] === null) return `the state has no ${k} state`;
  return '';
}

/**
 * What the caller knows of a freshly created (or just restored) machine, so a restore into it or a
 * capture of it need not read what it knows: `ramNonZero`, the only RAM pages that may hold non-zero
 * bytes. The other pages are untouched memory, and the first read of untouched memory is what cost
 * most: 0.7–1.3 s for 64 MiB on the shared host of docs/PERFORMANCE.md, 70–90 ms once touched.
 */
export interface FreshMachine {
  ramNonZero: readonly number[];
}

/** The RAM pages of a machine whose only possibly non-zero pages are `fresh.ramNonZero`. */
function freshRam(m: Machine, fresh: FreshMachine, prev: (Uint8Array | null)[] | undefined): (Uint8Array | null)[] {
  const ram: (Uint8Array | null)[] = new Array(m.ram.size / PAGE_SIZE).fill(null);
  for (const k of fresh.ramNonZero) ram[k] = chunk(m.ram.u8.subarray(k * PAGE_SIZE, (k + 1) * PAGE_SIZE), PAGE_SIZE, prev && [prev[k]])[0];
  return ram;
}

/**
 * Loads a state into the machine. `trusted` states (captured from this machine, e.g. the reverse
 * engine's) are applied directly. Others are checked first: the sizes and shapes here, and every
 * device's part by restoring it into a scratch device of the same kind (the same code the real
 * restore runs, so what passes cannot fail half-way): a state never half-loads.
 */
export function restoreState(m: Machine, s: MachineState, trusted = false, fresh?: FreshMachine): void {
  if (!trusted) {
    const why = incompatibility(m, s);
    if (why) throw new Error(why);
    try {
      dryRun(m, s);
    } catch (e) {
      throw new Error(`the state was refused and the machine left as it was: ${(e as Error).message}`);
    }
  }
  apply(m, s, fresh);
}

/** Restores each device's part into scratch devices (throws what the device's restore throws). */
function dryRun(m: Machine, s: MachineState): void {
  const d = s.devices;
  const clock = new Clock();
  clock.restore(d.clock);
  const aic = new Aic(clock);
  aic.restore(d.aic);
  const timer = new GenericTimer(clock);
  timer.restore(d.timer);
  new Uart(aic).restore(d.uart);
  new TraceRing(clock, undefined, m.trace.capacity).restoreRing(d.trace, unchunk(s.traceRing, traceRingBytes(m)));
  const dart = new Dart(new Ram(65536), aic);
  dart.restore(d.dart);
  new BlockDevice(dart.port(0), aic, new MemoryBlockStore(1)).restore(d.block);
  new HostMailbox(aic).restore(d.mailbox);
  if (d.gpio !== undefined) new GpioPl061(aic).restore(d.gpio);
  if (d.net !== undefined) new VirtioNet(m.net.mac, dart.port(1), aic, m.net.transport.base, m.net.transport.size, m.net.transport.irq).restore(d.net);
  const mmu = new Mmu(new Ram(65536));
  new Cpu(mmu, timer).restore(d.cpu);
  mmu.restoreTlb(s.tlb);
}

/** Bytes of the trace ring's slot arrays (TraceRing.snapshotRing). */
export function traceRingBytes(m: Machine): number {
  return m.trace.capacity * (8 + 8 + 4 + 24);
}

function unchunk(chunks: (Uint8Array | null)[], bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  chunks.forEach((c, k) => { if (c) out.set(c.subarray(0, Math.max(0, Math.min(c.length, bytes - k * PAGE_SIZE))), k * PAGE_SIZE); });
  return out;
}

function apply(m: Machine, s: MachineState, fresh?: FreshMachine): void {
  const d = s.devices;
  // devices first (each validates its part), then RAM and the disk, then the core
  m.clock.restore(d.clock);
  m.aic.restore(d.aic);
  m.timer.restore(d.timer);
  m.uart.restore(d.uart);
  m.trace.restoreRing(d.trace, unchunk(s.traceRing, traceRingBytes(m)));
  m.dart.restore(d.dart);
  m.block.restore(d.block);
  m.mailbox.restore(d.mailbox);
  if (d.gpio !== undefined) m.gpio.restore(d.gpio);
  if (d.net !== undefined) m.net.restore(d.net);
  // the AIC's line levels as saved (a device's restore re-drives its own line to the same level)
  m.aic.restore(d.aic);
  m.cpu.restore(d.cpu);
  m.mmu.restoreTlb(s.tlb);
  const u8 = m.ram.u8;
  const words = new Int32Array(u8.buffer, u8.byteOffset, u8.byteLength >> 2);
  if (fresh) {
    // only the pages the fresh machine wrote can be non-zero: the others are neither read nor written
    for (const k of fresh.ramNonZero) if (!s.ram[k]) u8.fill(0, k * PAGE_SIZE, (k + 1) * PAGE_SIZE);
    s.ram.forEach((p, k) => { if (p) u8.set(p, k * PAGE_SIZE); });
  } else {
    s.ram.forEach((p, k) => {
      if (p) u8.set(p, k * PAGE_SIZE);
      // a zero page is written only if it is not zero already: writing commits host memory that a
      // fresh machine has not touched yet (64 MiB of it, most of a restore's time otherwise)
      else if (!isZero(words, k * (PAGE_SIZE >> 2), PAGE_SIZE >> 2)) u8.fill(0, k * PAGE_SIZE, (k + 1) * PAGE_SIZE);
    });
  }
  restoreDisk(m, s);
  new Uint8Array(m.el0.regs.buffer).set(s.el0Regs);
  m.el0.exception = null;
  m.el0.invalidateCode(); // decoded programs and translations are rebuilt from the restored RAM
  m.loadCore(d.core);
}

/** Writes the chunks that differ from what the disk holds now (a file-backed disk is written in place). */
function restoreDisk(m: Machine, s: MachineState): void {
  const store = m.block.store;
  const now = store.read(0, store.sectors);
  s.disk.forEach((c, k) => {
    const off = k * DISK_CHUNK;
    const n = Math.min(DISK_CHUNK, now.length - off);
    const cur = now.subarray(off, off + n);
    const want = c ?? new Uint8Array(n);
    let same = true;
    for (let i = 0; i < n; i++) if (cur[i] !== want[i]) { same = false; break; }
    if (!same) store.write(off / BLOCK_SECTOR_SIZE, want);
  });
}
