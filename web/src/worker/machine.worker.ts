/// <reference lib="webworker" />
// The machine's Web Worker: owns one hw/ Machine and drives it in slices of run(budget).
//
// Loop: while running, run one slice, flush the UART bytes and trace records it produced, then
// yield to the event loop so page messages (pause, input, speed…) are handled between slices.
// Slices are paced to about one per frame (SLICE_MS), so the speed control — instructions per
// slice — is a real speed: 200 k per slice ≈ 12 M instructions per wall-clock second. A slice that
// takes longer than a frame is followed at once (MessageChannel, no setTimeout clamp). The boot is
// not paced: until the machine idles for good (every service waiting, the prompt on screen) slices
// follow each other at once — the speed is for watching a running machine, not for waiting for
// the prompt (paced, the ~5 M instructions of a first boot took 27 frames, 450 ms, whatever the CPU).
// Status goes out at most once per SLICE_MS, and at once after every command. Introspection views
// (ki_json) are refreshed with the status, at most every INTRO_MS while running.
//
// The Network view adds machines 2..N on one switch (web/src/net/workerNetwork.ts, loaded on
// demand): the slices then advance all of them in lockstep, as `mlk boot --machines N` does, and
// time travel — which runs one machine — refuses until a reboot returns to one.

import { Machine, prepareKernel, type HostInput, type PreparedKernel } from '../../../hw/machine';
import { CNTFRQ } from '../../../hw/memmap';
import { SYSREG } from '../../../hw/sysregs';
import { entryCause, syscallName, type EntryNote } from './entryCause';
import type { TraceRecord } from '../../../hw/trace';
import kernelUrl from '../../../build/kernel.wasm?url';
import { FAULT_KINDS, IPC_KINDS, SWITCH_KINDS, kindOf } from '../../../host/traceKinds';
import { readCpio } from '../../../host/cpio.mjs';
import { readKiText, type KiExports } from '../../../host/introspection';
import { ServiceCode } from './serviceCode';
import { IdbBlockStore } from './idbDisk';
import { prefetchBootSnapshot, restoreBootSnapshot } from './bootSnapshot';
import { TimeTravelSession } from '../timetravel/session';
import { VirtualTimeDisk } from '../timetravel/disk';
import { describeMoment, historyRecords, lastSwitchTid, loadStateFile, saveStateFile } from '../timetravel/workerState';
import { decodeRecording, encodeRecording } from '../timetravel/recording';
import type { Breakpoint, Connect, Event, IntroView, MachineStatus, Request, ReverseTarget, StepTarget, StopReason } from './protocol';
import type { WorkerNetwork } from '../net/workerNetwork';
import { TRACE_STRIDE, initialStatus, introKey } from './protocol';

const SLICE_MS = 16;
const INTRO_MS = 100;
/**
 * The disk: 4 MiB, as hw/machine.ts's default. The site never ships a disk image: a first visit
 * (or Reset) starts blank and the fs service formats and seeds it, so nothing a developer wrote
 * with the CLI (build/disk.img) can reach the published page.
 */
const DISK_SECTORS = 8192;

// Optional build product: the boot image (cpio of services).
const bootImageUrl = Object.values(
  import.meta.glob<string>('../../../build/bootimage.cpio', { query: '?url', import: 'default', eager: true }),
)[0];

let port: MessagePort | null = null;
/** The kernel, compiled once with its globals exported (a machine from it can be snapshotted). */
let kernel: PreparedKernel | null = null;
/** The first boot may start from the build's snapshot of a booted machine; `?boot=real` says no. */
let snapshotBoot = true;
let bootImage: Uint8Array | undefined;
let disk: IdbBlockStore | null = null;
let machine: Machine | null = null;
/** Time travel over `machine` (web/src/timetravel/session.ts): every run goes through it. */
let session: TimeTravelSession | null = null;
let vdisk: VirtualTimeDisk | null = null;
/** The page holds the trace records before this sequence number (re-executed ones are not sent again). */
let pageSeq = 1;
let origin: 'boot' | 'state' | 'recording' = 'boot';
let notice: string | undefined;
let lastTravelMs: number | undefined;
let generation = 0; // bumps on reset, so events of a dropped machine are ignored
/** Machine 1 on a switch with machines 2..N (the Network view, web/src/net); null while it runs alone. */
let net: WorkerNetwork | null = null;
/** How many machines this boot puts on the switch (`?machines=N`, the Network view); a reboot returns to one. */
let wantMachines = 1;

let uartOut: Uint8Array[] = [];
let uartLen = 0;
let traceOut: number[] = [];
let lastStatusAt = -Infinity;
let lastIntroAt = -Infinity;
let loopScheduled = false;
let views: IntroView[] = [];
/** Set by the trace listener while stepUntil waits for one family of records. */
let watchKinds: Set<number> | null = null;
let watchHit = false;
const rateWindow: { t: number; n: number }[] = [];
const SWITCH = kindOf('SWITCH');
const K_SYSCALL = kindOf('SYSCALL');
const K_IRQ = kindOf('IRQ');
/** What the kernel traced in the current entry, for the status bar's "cause of the last entry". */
let entryNote: EntryNote = { entry: -1 };

function noteEntryCause(r: TraceRecord): void {
  if (r.kind !== K_SYSCALL && r.kind !== K_IRQ) return;
  const entry = machine?.kernelEntries ?? 0;
  if (entryNote.entry !== entry) entryNote = { entry };
  if (r.kind === K_SYSCALL) entryNote.syscall = r.args[1];
  else entryNote.irq = r.args[0];
}

const status: MachineStatus = initialStatus(0, true); // the page boots straight into run

function post(ev: Event, transfer: Transferable[] = []): void {
  port?.postMessage(ev, transfer);
}

function flushUart(): void {
  if (uartLen === 0) return;
  const bytes = new Uint8Array(uartLen);
  let at = 0;
  for (const chunk of uartOut) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  uartOut = [];
  uartLen = 0;
  post({ type: 'uart', epoch: generation, bytes }, [bytes.buffer]);
}

/** Machines 2..N's UART bytes since the last flush, per machine. */
const netUart = new Map<number, Uint8Array[]>();

function flushNetUart(): void {
  for (const [k, chunks] of netUart) {
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) { bytes.set(c, at); at += c.length; }
    post({ type: 'netUart', epoch: generation, machine: k, bytes }, [bytes.buffer]);
  }
  netUart.clear();
}

/** The frames the switch captured since the last flush, packed for the page's frame list. */
function flushFrames(): void {
  const frames = net?.takeFrames() ?? [];
  if (frames.length === 0) return;
  const bytes = new Uint8Array(frames.reduce((n, f) => n + f.bytes.length, 0));
  let at = 0;
  for (const f of frames) { bytes.set(f.bytes, at); at += f.bytes.length; }
  post({ type: 'frames', epoch: generation, n: frames.map((f) => f.n), ticks: frames.map((f) => f.ticks), lengths: frames.map((f) => f.bytes.length), bytes }, [bytes.buffer]);
}

function flushTrace(): void {
  if (traceOut.length === 0) return;
  const data = Float64Array.from(traceOut);
  traceOut = [];
  post({ type: 'trace', epoch: generation, data }, [data.buffer]);
}

let breakpoints: Breakpoint[] = [];
let breaking = false;
/** The boot image's service binaries: function and instruction breakpoints, the CPU view's disassembly. */
let serviceCode: ServiceCode | null = null;
const K_FAULT = kindOf('FAULT');
const K_IPC_ENDPOINT = new Set([kindOf('IPC_SEND'), kindOf('IPC_RECV')].filter((k): k is number => k !== undefined));

/** The breakpoint a trace record matches, in words, or null. */
function breakAt(r: TraceRecord): string | null {
  for (const b of breakpoints) {
    if (b.kind === 'syscall' && r.kind === K_SYSCALL && r.args[1] === b.nr) return `syscall ${syscallName(b.nr)} by tid ${r.args[0]}`;
    if (b.kind === 'ipc' && K_IPC_ENDPOINT.has(r.kind) && r.args[2] === b.endpoint) return `IPC through endpoint 0x${b.endpoint.toString(16)}`;
    if (b.kind === 'switch' && r.kind === SWITCH && r.args[1] === b.tid) return `switch to tid ${b.tid}`;
    if (b.kind === 'fault' && r.kind === K_FAULT) {
      const va = r.args[3] * 2 ** 32 + r.args[2];
      if (va >= b.from && va < b.to) return `fault at 0x${va.toString(16)} by tid ${r.args[0]}`;
    }
  }
  return null;
}

function onTrace(r: TraceRecord): void {
  if (r.seq >= pageSeq) {
    pageSeq = r.seq + 1;
    traceOut.push(r.seq, r.ticks, r.kind, r.args[0] ?? 0, r.args[1] ?? 0, r.args[2] ?? 0, r.args[3] ?? 0, r.args[4] ?? 0, r.args[5] ?? 0);
  }
  if (r.kind === SWITCH) status.tid = r.args[1];
  let hit = watchKinds?.has(r.kind) ?? false;
  if (!hit && breaking && !watchHit) {
    const at = breakAt(r);
    if (at) {
      status.breakHit = at;
      hit = true;
    }
  }
  if (hit && machine) {
    watchHit = true;
    machine.stopRequested = true;
  }
  noteEntryCause(r);
}

// ---- introspection (ki_json, D10) ----

/** Reads the kernel's answer for one view (the page parses and checks it against its schema). */
function readView(v: IntroView): MachineStatus['intro'][string] {
  if (!machine) return { ok: false, error: 'no machine' };
  return readKiText(machine.kernelExports as unknown as KiExports, new Uint8Array(machine.ram.memory.buffer), v.what, v.arg);
}

function refreshIntro(force: boolean): void {
  const now = performance.now();
  if (!force && now - lastIntroAt < INTRO_MS) return;
  lastIntroAt = now;
  status.introspection = typeof machine?.kernelExports.ki_json === 'function';
  const intro: MachineStatus['intro'] = {};
  for (const v of views) intro[introKey(v)] = readView(v);
  status.intro = intro;
}

/** Copy the model's own state into the snapshot: counters, EL, and the devices' state(). */
function readMachine(): void {
  if (!machine) return;
  const { lastActivity: _, ...core } = machine.status();
  Object.assign(status, core);
  const note = entryNote.entry === machine.kernelEntries ? entryNote : null;
  if (machine.kernelEntries > 0) status.entry = entryCause(machine.lastVector, Number(machine.cpu.reg(SYSREG.ESR_EL1) & 0xffffffffn), machine.cpu.reg(SYSREG.FAR_EL1), note);
  const hex = (v: bigint) => `0x${v.toString(16)}`;
  const r = machine.el0.regs;
  status.cpu = {
    el: machine.cpu.el,
    pcFunc: machine.el0.pcHi,
    pcInstr: machine.el0.pcLo,
    sp: hex(r[9]),
    elr: hex(machine.cpu.reg(SYSREG.ELR_EL1)),
    esr: hex(machine.cpu.reg(SYSREG.ESR_EL1)),
    far: hex(machine.cpu.reg(SYSREG.FAR_EL1)),
    spsr: hex(machine.cpu.reg(SYSREG.SPSR_EL1)),
    x: Array.from(r.subarray(0, 8), hex),
    // the disassembly only while paused: it changes with every instruction while running
    code: status.running ? undefined : serviceCode?.view(machine.el0.location()),
  };
  status.hw = { aic: machine.aic.state(), timer: machine.timer.state(), mailbox: machine.mailbox.state(), trace: machine.trace.state(), gpio: machine.gpio.state() };
  if (disk) status.disk = { sectors: disk.sectors, backing: disk.backing, written: disk.written, dirty: disk.dirtySectors };
  status.network = net?.status();
  if (session) {
    const st = session.tt.stats();
    status.timeTravel = { seq: machine.trace.nextSequence, startSeq: session.historyStartSeq, endSeq: session.historySeq, inPast: session.inPast, checkpoints: st.checkpoints, bytes: st.bytes, memoryBudget: st.memoryBudget, origin, lastMs: lastTravelMs, notice };
  }
}

function sendStatus(force: boolean): void {
  const now = performance.now();
  if (!force && now - lastStatusAt < SLICE_MS) return;
  lastStatusAt = now;
  readMachine();
  refreshIntro(force);
  flushTrace();
  flushFrames();
  // the boot image's listing (~15 KB: every service function's name) goes out once, not with every
  // status (the page keeps the last one it got)
  const { bootImage, ...rest } = status;
  post({ type: 'status', status: bootImage === bootImageSent ? (rest as MachineStatus) : status });
  bootImageSent = bootImage;
}
let bootImageSent: MachineStatus['bootImage'] | null = null;

function measureRate(): void {
  const now = performance.now();
  rateWindow.push({ t: now, n: status.instructions });
  while (rateWindow.length > 2 && now - rateWindow[0].t > 1000) rateWindow.shift();
  const first = rateWindow[0];
  status.rate = now > first.t ? ((status.instructions - first.n) * 1000) / (now - first.t) : 0;
}

function fail(e: unknown): void {
  status.phase = 'error';
  status.running = false;
  status.error = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
  flushUart();
  sendStatus(true);
}

// ---- the slice loop ----

const tick = new MessageChannel();
tick.port1.onmessage = slice;

function schedule(delay: number): void {
  if (loopScheduled) return;
  loopScheduled = true;
  if (delay <= 0) tick.port2.postMessage(null);
  else setTimeout(slice, delay);
}

/** True from a boot until the machine has nothing left to do: slices are not paced meanwhile. */
let booting = false;

function slice(): void {
  loopScheduled = false;
  if (!machine || !status.running || status.phase !== 'ready') return;
  const started = performance.now();
  try {
    session!.checkpointing = !booting;
    advance(status.budget);
  } catch (e) {
    fail(e);
    return;
  }
  readMachine();
  measureRate();
  flushUart();
  flushNetUart();
  // over when the machine has idled for a scheduler tick (10 ms virtual): the boot's own waits for
  // devices are far shorter (under 1,000 ticks)
  const booted = booting && machine.idleFor() >= CNTFRQ / 100;
  if (booted) {
    booting = false;
    mark('booted');
    status.loadMarks ??= { ...loadMarks };
  }
  sendStatus(booted); // the first idle status at once: the page learns the boot is over
  // after a FLUSH the guest runs on once IndexedDB holds its writes (timetravel/disk.ts)
  const saving = vdisk?.saved();
  if (saving) void saving.then(() => { if (status.running) schedule(0); });
  else if (status.running) schedule(booting || net?.catchingUp ? 0 : SLICE_MS - (performance.now() - started));
}

/**
 * Runs machine 1 for `ticks` of virtual time: through time travel when it runs alone, in lockstep
 * with the others when networked (time travel runs one machine: it is off meanwhile).
 */
function advance(ticks: number): { reason: StopReason } {
  if (!net) return session!.run(ticks);
  net.advance(ticks);
  return { reason: machine!.halted ? 'halted' : 'budget' };
}

function setRunning(on: boolean): void {
  status.running = on && status.phase === 'ready';
  rateWindow.length = 0;
  status.rate = 0;
  if (status.running) schedule(0);
}

// ---- stepping ----

function recordStep(retired: number, reason: StopReason, what?: string): void {
  status.step = { seq: (status.step?.seq ?? 0) + 1, retired, reason, what };
}

const TARGET_KINDS: Record<Exclude<StepTarget, 'entry' | 'break'>, { kinds: Set<number>; what: string }> = {
  ipc: { kinds: IPC_KINDS, what: 'IPC' },
  fault: { kinds: FAULT_KINDS, what: 'fault' },
  switch: { kinds: SWITCH_KINDS, what: 'context switch' },
};

/** stepUntil's bounds, in virtual time and machine steps (deterministic: never wall-clock time). */
const STEP_UNTIL_MAX_TICKS = CNTFRQ / 4; // 250 ms of virtual time ≈ 6 M EL0 instructions at most
// Single steps to the next kernel entry: more than two timer-tick periods (240,000 instructions at
// 100 Hz), so a busy thread always reaches the tick's FIQ within the bound.
const STEP_UNTIL_MAX_STEPS = 600_000;
/** Run chunk while waiting for a trace record: run() returns after the entry that wrote it. */
const STEP_UNTIL_CHUNK = 100_000;
/** "Idle — waiting for input": the core has sat in WFI, no EL0 instruction and no UART byte, this long. */
const IDLE_TICKS = CNTFRQ / 100; // one scheduler tick (100 Hz)

/**
 * Runs until the next kernel entry, or until the kernel writes a trace record of the target family
 * (the run loop stops right after the entry that wrote it: Machine.stopRequested). Stops early when
 * the machine goes idle waiting for input, halts, or after STEP_UNTIL_MAX_TICKS of virtual time —
 * so pressing it on an idle machine neither skips hours of virtual time nor floods the trace.
 */
function stepUntil(until: StepTarget): void {
  const m = machine!;
  const startInstr = m.instructions;
  const startEntries = m.kernelEntries;
  const startTicks = m.clock.ticks;
  const target = until === 'entry' ? null : until === 'break' ? { kinds: new Set<number>(), what: 'breakpoint' } : TARGET_KINDS[until];
  if (until === 'break' && breakpoints.length === 0) {
    recordStep(0, 'budget', 'no breakpoints set');
    return;
  }
  if (until !== 'break' && target && target.kinds.size === 0) {
    recordStep(0, 'budget', `the kernel defines no ${target.what} trace records yet`);
    return;
  }
  const name = until === 'entry' ? 'kernel entry' : target!.what;
  let reason: StopReason = 'budget';
  let found = false;
  let idle = false;
  watchKinds = target?.kinds ?? null;
  watchHit = false;
  breaking = until === 'break';
  status.breakHit = undefined;
  // code breakpoints are armed only while running to a breakpoint (hw/el0/debug.ts)
  const codeBps = breaking ? breakpoints.filter((b) => serviceCode?.resolve(b)) : [];
  m.el0.setBreakpoints(codeBps.map((b) => serviceCode!.resolve(b)!));
  try {
    if (!target) {
      for (let n = 0; n < STEP_UNTIL_MAX_STEPS; n++) {
        // networked, machine 1 steps alone (and runs ahead of the others by those instructions)
        const r = net ? m.step() : session!.step();
        if (r.reason !== 'budget') { reason = r.reason; break; }
        if (m.kernelEntries > startEntries) { found = true; break; }
      }
    } else {
      while (m.clock.ticks - startTicks < STEP_UNTIL_MAX_TICKS) {
        const r = advance(Math.min(STEP_UNTIL_CHUNK, startTicks + STEP_UNTIL_MAX_TICKS - m.clock.ticks));
        if (watchHit) { found = true; break; }
        if (m.el0.atBreakpoint) { found = true; status.breakHit = codeBreakAt(m, codeBps); break; }
        if (r.reason !== 'budget') { reason = r.reason; break; }
        if (m.idleFor() >= IDLE_TICKS) { idle = true; break; }
      }
    }
  } finally {
    watchKinds = null;
    breaking = false;
    m.stopRequested = false;
    m.el0.setBreakpoints([]);
  }
  const ms = (((m.clock.ticks - startTicks) / CNTFRQ) * 1e3).toFixed(3);
  const what = found
    ? `to the next ${name}${status.breakHit ? `: ${status.breakHit}` : ''} (+${ms} ms virtual)`
    : idle || reason === 'idle'
      ? `idle — waiting for input (no ${name})`
      : reason === 'halted'
        ? `halted before the next ${name}`
        : `no ${name} within ${ms} ms of virtual time`;
  recordStep(m.instructions - startInstr, idle ? 'idle' : reason, what);
}

/** The code breakpoint the core stopped at, in words (the one whose function and offset it is at). */
function codeBreakAt(m: Machine, bps: Breakpoint[]): string {
  const at = m.el0.location();
  const hit = bps.find((b) => b.kind === 'insn' ? at?.func === b.func && at.offset === b.offset : b.kind === 'func' && at?.func === b.func && at.pc === 0);
  return hit ? serviceCode!.describe(hit) : `code breakpoint at 0x${(at?.offset ?? 0).toString(16)}`;
}

// ---- boot and reset ----

/** The page's `?check=` (Connect.check): undefined = as the build says. */
let checkOverride: boolean | undefined;

async function fetchBytes(url: string | undefined): Promise<Uint8Array | undefined> {
  if (!url) return undefined;
  const res = await fetch(url);
  return res.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
}

async function loadKernel(): Promise<PreparedKernel> {
  const res = await fetch(kernelUrl);
  if (!res.ok) throw new Error(`kernel.wasm: HTTP ${res.status} (run: node scripts/build.mjs kernel)`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  mark('kernelFetched');
  return prepareKernel(bytes).then((k) => (mark('kernelCompiled'), k));
}

/** The first boot's downloads and the disk, all started when the page connects (none waits for another). */
let loading: { kernel: Promise<PreparedKernel>; image: Promise<Uint8Array | undefined>; disk: Promise<IdbBlockStore> | null } | null = null;

function startLoading(bootargs: string | undefined, withDisk: boolean): void {
  loading = {
    kernel: loadKernel(),
    image: fetchBytes(bootImageUrl).then((b) => (mark('bootImageFetched'), b)),
    disk: withDisk ? IdbBlockStore.open(DISK_SECTORS).then((d) => (mark('diskOpened'), d)) : null,
  };
  if (snapshotBoot) prefetchBootSnapshot(bootargs ?? '');
}

/** When each step of the first boot ended (MachineStatus.loadMarks), in the wall clock the page shares. */
const loadMarks: Record<string, number> = { workerStart: performance.timeOrigin + performance.now() };
function mark(what: string): void {
  if (!status.loadMarks) loadMarks[what] ??= performance.timeOrigin + performance.now();
}

/** The boot arguments of a boot: the kernel's invariant checker as the build or the page's ?check= says. */
function checkBootargs(): string | undefined {
  // A build with VITE_MLK_CHECK=1 (the Playwright run) boots with the checker on; ?check=0|1 overrides it
  return (checkOverride ?? import.meta.env.VITE_MLK_CHECK === '1') ? 'mlk.check=1' : undefined;
}

async function boot(diskMode: 'keep' | 'blank'): Promise<void> {
  const gen = ++generation;
  status.epoch = gen;
  status.phase = 'loading';
  status.tid = undefined;
  status.entry = undefined;
  entryNote = { entry: -1 };
  sendStatus(true);
  try {
    const [k, image] = await Promise.all([loading?.kernel ?? loadKernel(), loading?.image ?? fetchBytes(bootImageUrl)]);
    kernel ??= k;
    if (bootImage === undefined) {
      bootImage = image;
      if (bootImage) {
        const files = readCpio(bootImage);
        const manifest = files.find((f) => f.name === 'manifest.json');
        serviceCode = new ServiceCode(files);
        status.bootImage = { files: files.map((f) => f.name), functions: serviceCode.functions() };
        if (manifest) {
          try {
            status.bootImage.manifest = JSON.parse(new TextDecoder().decode(manifest.data));
          } catch {
            // a manifest that is not JSON is listed but not parsed
          }
        }
        mark('bootImageIndexed');
      }
    }
    // A shared recording replays on a blank disk in memory, with the recorded boot arguments
    const rec = replayText ? await decodeRecording(replayText).catch((e: Error) => { notice = e.message; return null; }) : null;
    replayText = undefined;
    const opening = loading?.disk;
    loading = null; // a Reset or Reboot loads afresh what it needs
    if (rec) disk = IdbBlockStore.memory(DISK_SECTORS);
    else if (opening && diskMode === 'keep') disk = await opening;
    else if (!disk || diskMode === 'blank' || disk.backing === 'memory') disk = await IdbBlockStore.open(DISK_SECTORS, diskMode === 'blank');
    const bootargs = rec ? rec.bootargs || undefined : checkBootargs();
    vdisk = new VirtualTimeDisk(disk, () => { if (machine && !session?.quiet) machine.stopRequested = true; });
    // a shared recording replays from a real boot, the way it was recorded
    const restored = snapshotBoot && !rec ? await restoreBootSnapshot(kernel, bootImage, vdisk, bootargs ?? '') : null;
    snapshotBoot = false; // Reboot and Reset boot for real
    if (restored) mark('snapshotRestored');
    const m = restored?.machine ?? await Machine.create({ kernel, bootImage, disk: vdisk, bootargs });
    if (gen !== generation) return;
    bootargsUsed = bootargs ?? '';
    // a restored boot's log is the transcript's start: the boot's UART bytes came before this machine
    session = new TimeTravelSession(m, { exact: false, fresh: restored?.fresh }, restored?.log);
    pageSeq = 1;
    origin = 'boot';
    lastTravelMs = undefined;
    if (rec) {
      if (!m.buildId.startsWith(rec.build)) notice = 'the shared recording comes from another build of the page: it is not replayed';
      else {
        session.preload(rec.inputs);
        origin = 'recording';
      }
    }
    const s = session;
    m.on('uart', (bytes) => {
      if (gen !== generation || s.quiet) return;
      s.output(bytes);
      uartOut.push(bytes.slice());
      uartLen += bytes.length;
    });
    m.on('halt', (info) => {
      if (gen !== generation) return;
      status.phase = 'halted';
      status.running = false;
      status.halt = { reason: info.reason, report: info.report };
    });
    m.on('trace', (r) => {
      if (gen === generation && !s.quiet) onTrace(r);
    });
    m.mailbox.onMessage = (words) => {
      if (gen === generation && !s.quiet) post({ type: 'mailbox', epoch: gen, words: Array.from(words) });
    };
    machine = m;
    booting = !restored;
    status.bootedFrom = restored ? 'snapshot' : 'boot';
    if (restored) {
      // the boot as it happened: its log on the console, its trace records in the panels, its mailbox messages
      uartOut.push(restored.log);
      uartLen += restored.log.length;
      for (const r of m.trace.records()) onTrace(r);
      for (const words of restored.mailbox) post({ type: 'mailbox', epoch: gen, words });
    }
    status.phase = 'ready';
    delete status.halt;
    delete status.error;
    status.step = null;
    mark('ready');
    if (restored) status.loadMarks ??= { ...loadMarks };
    setRunning(status.running);
    sendStatus(true);
    // ?machines=N: machine 2.. join once machine 1 runs (its boot log is not held up meanwhile)
    if (wantMachines > 1) void startNetwork(wantMachines).then(() => sendStatus(true), fail);
  } catch (e) {
    fail(e);
  }
}

/** Puts machine 1 on a switch with machines 2..count (web/src/net/workerNetwork.ts). */
async function startNetwork(count: number): Promise<void> {
  wantMachines = Math.max(wantMachines, count);
  const m = machine;
  if (net || netStarting === m || !m || !kernel || count < 2) return;
  netStarting = m;
  const gen = generation;
  let started: WorkerNetwork;
  try {
    const { WorkerNetwork } = await import('../net/workerNetwork');
    started = await WorkerNetwork.create(m, count, kernel, bootImage, bootargsUsed || undefined, {
      uart: (k, bytes) => {
        if (gen !== generation) return;
        const list = netUart.get(k) ?? [];
        list.push(bytes);
        netUart.set(k, list);
      },
    });
  } finally {
    netStarting = null;
  }
  if (gen !== generation || m !== machine) return;
  net = started;
}
/** The machine a network is being started for (the import and machine 2's creation are async). */
let netStarting: Machine | null = null;

function reset(diskMode: 'keep' | 'blank'): void {
  if (disk) void disk.save().catch(() => undefined);
  machine = null;
  net = null;
  netUart.clear();
  // a reboot runs one machine again; the Network view, if open, asks for its machines anew
  wantMachines = 1;
  session = null;
  notice = undefined;
  uartOut = [];
  uartLen = 0;
  traceOut = [];
  status.running = true;
  void boot(diskMode);
}

// ---- commands ----

/**
 * Walks `va` through another address space's tables: points the MMU model at that TTBR0 for the
 * walk and back (walk() never touches the TLB, so the running thread sees no difference).
 */
function walkIn(m: Machine, va: number, ttbr0?: string) {
  if (ttbr0 === undefined) return m.mmu.walk(va);
  const saved = m.cpu.reg(SYSREG.TTBR0_EL1);
  m.mmu.setTtbr0(BigInt(ttbr0));
  try {
    return m.mmu.walk(va);
  } finally {
    m.mmu.setTtbr0(saved);
  }
}

// ---- time travel (web/src/timetravel) ----

let replayText: string | undefined;
let bootargsUsed = '';

/** An input from the page: delivered now; in the past it starts a new branch (the page drops the later records). */
function hostInput(input: HostInput): boolean {
  if (!session || !machine) return false;
  const { branch, accepted } = session.input(input);
  if (branch) {
    pageSeq = branch.seq;
    post({ type: 'branch', epoch: generation, seq: branch.seq });
  }
  return accepted;
}

const REVERSE_NAMES: Record<ReverseTarget, string> = { instruction: 'EL0 instruction', entry: 'kernel entry', ipc: 'IPC', fault: 'fault', switch: 'context switch', break: 'breakpoint' };

/** A reverse command or a jump to a trace record; the page then gets the terminal of that moment. */
function travel(req: Extract<Request, { type: 'reverse' | 'seek' }>): void {
  setRunning(false);
  if (!machine || !session || status.phase !== 'ready') return;
  if (net) return recordStep(0, 'budget', NETWORKED);
  const from = { ticks: machine.clock.ticks, instructions: machine.instructions };
  const t0 = performance.now();
  let to;
  try {
    if (req.type === 'seek') to = session.seek(req.seq, req.ticks);
    else if (req.target === 'break') to = breakpoints.length ? session.reverse({ breakpoint: (r) => breakAt(r) !== null }) : null;
    else to = session.reverse(req.target);
  } catch (e) {
    fail(e);
    return;
  }
  lastTravelMs = performance.now() - t0;
  const what = req.type === 'seek' ? 'the chosen event' : REVERSE_NAMES[req.target];
  const tail = req.type === 'reverse' && req.target === 'break' && breakpoints.length === 0 ? ' (no breakpoints set)' : '';
  recordStep(machine.instructions - from.instructions, 'budget', describeMoment(what, from.ticks, to ?? null, lastTravelMs) + tail);
  status.tid = lastSwitchTid(machine) ?? status.tid;
  status.breakHit = undefined;
  entryNote = { entry: -1 };
  uartOut = [];
  uartLen = 0;
  post({ type: 'screen', epoch: generation, bytes: session.screen() });
}

/** Why time travel refuses while networked (as `mlk boot` refuses --record with --machines). */
const NETWORKED = 'time travel runs one machine: it is off while the Network view runs several (a reboot with the Network view closed returns to one)';

async function loadState(id: number, bytes: Uint8Array): Promise<void> {
  const m = machine;
  const s = session;
  if (!m || !s) return post({ type: 'loaded', id, error: 'no machine yet' });
  if (net) return post({ type: 'loaded', id, error: NETWORKED });
  try {
    const transcript = await loadStateFile(m, bytes);
    if (m !== machine) return post({ type: 'loaded', id, error: 'the machine was reset meanwhile' });
    s.restart(transcript);
  } catch (e) {
    return post({ type: 'loaded', id, error: (e as Error).message });
  }
  origin = 'state';
  notice = undefined;
  lastTravelMs = undefined;
  booting = false;
  status.phase = m.halted ? 'halted' : 'ready';
  status.halt = m.halted ? { reason: m.halted.reason, report: m.halted.report } : undefined;
  status.tid = lastSwitchTid(m);
  status.step = null;
  entryNote = { entry: -1 };
  uartOut = [];
  uartLen = 0;
  traceOut = [];
  const history = historyRecords(m);
  pageSeq = m.trace.nextSequence;
  post({ type: 'history', epoch: generation, data: history }, [history.buffer]);
  post({ type: 'screen', epoch: generation, bytes: s.screen() });
  post({ type: 'loaded', id });
  setRunning(false);
  sendStatus(true);
}

function handle(req: Request): void {
  switch (req.type) {
    case 'run':
      setRunning(true);
      break;
    case 'pause':
      setRunning(false);
      break;
    case 'step':
    case 'stepUntil': {
      setRunning(false);
      if (!machine || status.phase !== 'ready') break;
      try {
        if (req.type === 'stepUntil') stepUntil(req.until);
        else {
          const r = machine.step();
          recordStep(r.retired, r.reason);
        }
      } catch (e) {
        fail(e);
        return;
      }
      flushUart();
      break;
    }
    case 'speed':
      status.budget = Math.max(1, Math.floor(req.budget));
      break;
    case 'input':
      hostInput({ kind: 'uart', bytes: req.bytes });
      if (status.running) schedule(0);
      break;
    case 'reset':
      reset(req.disk);
      return;
    case 'watch':
      views = req.views;
      break;
    case 'breakpoints':
      breakpoints = req.list;
      break;
    case 'walk':
      try {
        post({ type: 'walk', id: req.id, info: machine ? walkIn(machine, req.va, req.ttbr0) : null });
      } catch (e) {
        post({ type: 'walk', id: req.id, info: null, error: (e as Error).message });
      }
      return;
    case 'mailbox': {
      const accepted = hostInput({ kind: 'mailbox', words: Uint32Array.from(req.words) });
      if (!accepted) post({ type: 'mailbox', epoch: generation, words: [], accepted: false });
      if (status.running) schedule(0);
      break;
    }
    case 'gpio':
      if (Number.isInteger(req.button) && req.button >= 0 && req.button < 4) hostInput({ kind: 'gpio', button: req.button, down: req.down === true });
      if (status.running) schedule(0);
      break;
    case 'flush':
      void disk?.save().catch(() => undefined);
      return;
    case 'reverse':
    case 'seek':
      travel(req);
      break;
    case 'saveState':
      if (net) post({ type: 'state', id: req.id, error: NETWORKED });
      else if (machine) void saveStateFile(machine, session!).then((bytes) => post({ type: 'state', id: req.id, bytes }, [bytes.buffer]), (e: Error) => post({ type: 'state', id: req.id, error: e.message }));
      else post({ type: 'state', id: req.id, error: 'no machine yet' });
      return;
    case 'loadState':
      void loadState(req.id, req.bytes);
      return;
    case 'recording':
      if (net) post({ type: 'recording', id: req.id, error: NETWORKED });
      else if (!session || origin === 'state') post({ type: 'recording', id: req.id, error: 'the run started from a loaded state, not a boot: there is no recording from boot to share' });
      else void encodeRecording({ build: machine!.buildId.slice(0, 16), bootargs: bootargsUsed, inputs: session.inputs }).then((text) => post({ type: 'recording', id: req.id, text }));
      return;
    case 'network':
      if (Number.isInteger(req.machines) && req.machines >= 2 && req.machines <= 4) void startNetwork(req.machines).then(() => { sendStatus(true); if (status.running) schedule(0); }, fail);
      return;
    case 'netInput':
      net?.input(req.machine, req.bytes);
      if (status.running) schedule(0);
      break;
    case 'pcap':
      if (!net) post({ type: 'pcap', id: req.id, error: 'no network: open the Network view first' });
      else {
        const bytes = net.capture.bytes();
        post({ type: 'pcap', id: req.id, bytes }, [bytes.buffer]);
      }
      return;
  }
  sendStatus(true);
}

self.onmessage = (e: MessageEvent<Connect>) => {
  if (e.data?.type !== 'connect') return;
  port = e.data.port;
  checkOverride = e.data.check;
  snapshotBoot = e.data.realBoot !== true;
  replayText = e.data.replay;
  const want = Number(e.data.machines ?? 1);
  wantMachines = Number.isInteger(want) && want >= 2 && want <= 4 ? want : 1;
  port.onmessage = (m: MessageEvent<Request>) => handle(m.data);
  startLoading(checkBootargs(), replayText === undefined);
  void boot('keep');
};
