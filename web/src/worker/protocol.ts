// The page ⇄ machine-worker protocol.
//
// Bootstrap: the page creates a MessageChannel and posts `{ type: 'connect', port }` to the worker;
// every later message, both ways, travels on that port (Perfetto's engine does the same, so the
// machine could later sit behind a SharedWorker or an iframe without changing the protocol).
// All payloads are structured-clone data; UART bytes and trace batches are transferred, never copied.

import type { AicState } from '../../../hw/aic';
import type { StopReason } from '../../../hw/machine';
import type { WalkInfo } from '../../../hw/mmu';
import type { TimerState } from '../../../hw/timer';

export type { StopReason, WalkInfo };

/** Hardware state read from the model's devices, as they report it (never recomputed in the UI). */
export interface HwState {
  aic?: AicState;
  timer?: TimerState;
  mailbox?: { queued: number; irqEnable: boolean; line: boolean };
  trace?: { enable: boolean; dropped: number; count: number; capacity: number; nextSeq: number };
}

/**
 * One view of the kernel's read-only introspection interface: `ki_json(what, arg)` (D10).
 * what: 0 threads/processes, 1 capability space of pid `arg`, 2 address space of pid `arg`,
 * 3 endpoints/notifications with queues, 4 memory (frames).
 */
export interface IntroView {
  what: number;
  arg: number;
}
export const introKey = (v: IntroView): string => `${v.what}:${v.arg}`;

/** The kernel's answer to one view: parsed JSON, or why there is none. */
export type IntroResult = { ok: true; json: unknown } | { ok: false; error: string };
/** As the worker sends it: the JSON text (the page parses it only when it changed). */
export type IntroWire = { ok: true; text: string } | { ok: false; error: string };

/** One status snapshot of the machine. JSON-serialisable; the UI only reads it. */
export interface MachineStatus {
  /** Boot generation: 1 at page load, +1 per reset. */
  epoch: number;
  /** Lifecycle of the worker's machine. */
  phase: 'loading' | 'ready' | 'halted' | 'error';
  /** True while the slice loop is scheduled (run), false when paused. */
  running: boolean;
  /** System counter (CNTPCT), 24 MHz virtual time. */
  ticks: number;
  /** Retired EL0 instructions. */
  instructions: number;
  kernelEntries: number;
  el: 0 | 1;
  /** The core waits in WFI with nothing due: only an interrupt (e.g. UART input) wakes it. */
  idle: boolean;
  halted: boolean;
  /** Current thread, from the kernel's last SWITCH trace record (tid; 0 = idle). */
  thread?: string;
  /** The speed control: virtual time per slice in counter ticks (one EL0 instruction = one tick). */
  budget: number;
  /** Retired instructions per wall-clock second over the last second of running. */
  rate: number;
  /** The last single step: sequence number and what it retired. */
  step: { seq: number; retired: number; reason: StopReason; what?: string } | null;
  /** Set when the machine stopped: why, and the kernel's report. */
  halt?: { reason: string; report: string };
  /** Set when the worker could not load or run the machine. */
  error?: string;
  hw: HwState;
  /** Whether the kernel exports ki_json / ki_buf. */
  introspection: boolean;
  /** Answers to the views the page watches (see `watch`), keyed by introKey. */
  intro: Record<string, IntroWire>;
  /** Service binaries in the boot image (from its cpio listing), and its manifest when present. */
  bootImage: { files: string[]; manifest?: unknown };
  /** Disk: sectors, where it is kept, sectors written since boot, dirty sectors not yet saved. */
  disk: { sectors: number; backing: 'indexeddb' | 'memory'; written: number; dirty: number };
  /** Seed of the run (recorded for shared scenarios; the machine itself is deterministic). */
  seed: number;
}

/** What 'stepUntil' waits for. */
export type StepTarget = 'entry' | 'ipc' | 'fault' | 'switch';

/** Page → worker. */
export type Request =
  | { type: 'run' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'stepUntil'; until: StepTarget }
  | { type: 'speed'; budget: number }
  | { type: 'input'; bytes: Uint8Array }
  /** Boot again. disk 'keep': same disk (reboot); 'blank': a fresh, empty disk (reset). */
  | { type: 'reset'; disk: 'keep' | 'blank'; seed?: number }
  /** Replace the set of introspection views refreshed with every status. */
  | { type: 'watch'; views: IntroView[] }
  /** Diagnostic MMU walk of a VA through the current TTBR0 (hw/mmu.ts walk()). */
  | { type: 'walk'; id: number; va: number }
  /** Queue a message for the guest on the host-mailbox device (the playground agent reads it). */
  | { type: 'mailbox'; words: number[] }
  /** Write dirty disk sectors to IndexedDB now. */
  | { type: 'flush' };

/** Worker → page. */
export type Event =
  | { type: 'uart'; epoch: number; bytes: Uint8Array }
  | { type: 'status'; status: MachineStatus }
  /** New trace records, packed TRACE_STRIDE numbers each: seq, ticks, kind, arg0..arg5. */
  | { type: 'trace'; epoch: number; data: Float64Array }
  /** A message the guest sent through the host mailbox (the agent's replies). */
  | { type: 'mailbox'; epoch: number; words: number[]; accepted?: boolean }
  | { type: 'walk'; id: number; info: WalkInfo | null; error?: string };

export const TRACE_STRIDE = 9;

/** The one message posted on the worker itself. */
export interface Connect {
  type: 'connect';
  port: MessagePort;
  /** Seed of a shared scenario (recorded in the status). */
  seed?: number;
}

export const DEFAULT_BUDGET = 200_000;
/** The speed control's choices, in counter ticks (≈ instructions) per slice. */
export const BUDGETS = [1_000, 10_000, 50_000, 200_000, 1_000_000, 4_000_000] as const;
