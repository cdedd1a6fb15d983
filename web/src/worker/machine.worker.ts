/// <reference lib="webworker" />
// The machine's Web Worker: owns one hw/ Machine and drives it in slices of run(budget).
//
// Loop: while running, run one slice, flush the UART bytes it produced, then yield to the event
// loop so page messages (pause, input, speed…) are handled between slices. Slices are paced to
// about one per frame (SLICE_MS), so the speed control — instructions per slice — is a real speed:
// 200 k per slice ≈ 12 M instructions per wall-clock second. A slice that takes longer than a
// frame is followed at once (MessageChannel, no setTimeout clamp).
// Status goes out at most once per SLICE_MS, and at once after every command.

import { Machine } from '../../../hw/machine';
import kernelUrl from '../../../build/kernel.wasm?url';
import type { Connect, Event, MachineStatus, Request } from './protocol';
import { DEFAULT_BUDGET } from './protocol';

const SLICE_MS = 16;

// The boot image (cpio of services) is optional until the build produces it.
const bootImageUrl = Object.values(
  import.meta.glob<string>('../../../build/bootimage.cpio', { query: '?url', import: 'default', eager: true }),
)[0];

let port: MessagePort | null = null;
let kernel: WebAssembly.Module | null = null;
let bootImage: Uint8Array | undefined;
let machine: Machine | null = null;
let generation = 0; // bumps on reset, so events of a dropped machine are ignored

let uartOut: Uint8Array[] = [];
let uartLen = 0;
let lastStatusAt = -Infinity;
let loopScheduled = false;
const rateWindow: { t: number; n: number }[] = [];

const status: MachineStatus = {
  epoch: 0,
  phase: 'loading',
  running: true, // the page boots straight into run
  ticks: 0,
  instructions: 0,
  kernelEntries: 0,
  el: 1,
  idle: false,
  halted: false,
  budget: DEFAULT_BUDGET,
  rate: 0,
  step: null,
  hw: {},
};

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

/** Copy the model's own state into the snapshot: counters, EL, and the devices' state(). */
function readMachine(): void {
  if (!machine) return;
  const s = machine.status();
  status.ticks = s.ticks;
  status.instructions = s.instructions;
  status.kernelEntries = s.kernelEntries;
  status.el = s.el;
  status.idle = s.idle;
  status.halted = s.halted;
  status.hw = { aic: machine.aic.state(), timer: machine.timer.state() };
}

function sendStatus(force: boolean): void {
  const now = performance.now();
  if (!force && now - lastStatusAt < SLICE_MS) return;
  lastStatusAt = now;
  readMachine();
  post({ type: 'status', status: structuredClone(status) });
}

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

function slice(): void {
  loopScheduled = false;
  if (!machine || !status.running || status.phase !== 'ready') return;
  const started = performance.now();
  try {
    machine.run(status.budget);
  } catch (e) {
    fail(e);
    return;
  }
  readMachine();
  measureRate();
  flushUart();
  sendStatus(false);
  if (status.running) schedule(SLICE_MS - (performance.now() - started));
}

function setRunning(on: boolean): void {
  status.running = on && status.phase === 'ready';
  rateWindow.length = 0;
  status.rate = 0;
  if (status.running) schedule(0);
}

// ---- boot and reset ----

async function loadKernel(): Promise<WebAssembly.Module> {
  const res = await fetch(kernelUrl);
  if (!res.ok) throw new Error(`kernel.wasm: HTTP ${res.status} (run: node scripts/build.mjs kernel)`);
  return WebAssembly.compile(await res.arrayBuffer());
}

async function loadBootImage(): Promise<Uint8Array | undefined> {
  if (!bootImageUrl) return undefined;
  const res = await fetch(bootImageUrl);
  return res.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
}

async function boot(): Promise<void> {
  const gen = ++generation;
  status.epoch = gen;
  status.phase = 'loading';
  sendStatus(true);
  try {
    kernel ??= await loadKernel();
    bootImage ??= await loadBootImage();
    const m = await Machine.create({ kernel, bootImage });
    if (gen !== generation) return;
    m.on('uart', (bytes) => {
      if (gen !== generation) return;
      uartOut.push(bytes.slice());
      uartLen += bytes.length;
    });
    m.on('halt', (info) => {
      if (gen !== generation) return;
      status.phase = 'halted';
      status.running = false;
      status.halt = { reason: info.reason, report: info.report };
    });
    machine = m;
    status.phase = 'ready';
    delete status.halt;
    delete status.error;
    status.step = null;
    setRunning(status.running);
    sendStatus(true);
  } catch (e) {
    fail(e);
  }
}

function reset(): void {
  machine = null;
  uartOut = [];
  uartLen = 0;
  status.running = true;
  void boot();
}

// ---- commands ----

function handle(req: Request): void {
  switch (req.type) {
    case 'run':
      setRunning(true);
      break;
    case 'pause':
      setRunning(false);
      break;
    case 'step': {
      setRunning(false);
      if (!machine || status.phase !== 'ready') break;
      try {
        const r = machine.step();
        status.step = { seq: (status.step?.seq ?? 0) + 1, retired: r.retired, reason: r.reason };
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
      machine?.uartInput(req.bytes);
      if (status.running) schedule(0);
      break;
    case 'reset':
      reset();
      return;
  }
  sendStatus(true);
}

self.onmessage = (e: MessageEvent<Connect>) => {
  if (e.data?.type !== 'connect') return;
  port = e.data.port;
  port.onmessage = (m: MessageEvent<Request>) => handle(m.data);
  void boot();
};
