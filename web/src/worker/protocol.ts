// The page ⇄ machine-worker protocol.
//
// Bootstrap: the page creates a MessageChannel and posts `{ type: 'connect', port }` to the worker;
// every later message, both ways, travels on that port (Perfetto's engine does the same, so the
// machine could later sit behind a SharedWorker or an iframe without changing the protocol).
// All payloads are structured-clone data; UART bytes are transferred, never copied.

import type { AicState } from '../../../hw/aic';
import type { StopReason } from '../../../hw/machine';
import type { TimerState } from '../../../hw/timer';

export type { StopReason };

/** Hardware state read from the model's devices, as they report it (never recomputed in the UI). */
export interface HwState {
  aic?: AicState;
  timer?: TimerState;
}

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
  /** Current thread, when the machine can name it. */
  thread?: string;
  /** The speed control: virtual time per slice in counter ticks (one EL0 instruction = one tick). */
  budget: number;
  /** Retired instructions per wall-clock second over the last second of running. */
  rate: number;
  /** The last single step: sequence number and what it retired. */
  step: { seq: number; retired: number; reason: StopReason } | null;
  /** Set when the machine stopped: why, and the kernel's report. */
  halt?: { reason: string; report: string };
  /** Set when the worker could not load or run the machine. */
  error?: string;
  hw: HwState;
}

/** Page → worker. */
export type Request =
  | { type: 'run' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'speed'; budget: number }
  | { type: 'input'; bytes: Uint8Array }
  | { type: 'reset' };

/** Worker → page. */
export type Event =
  | { type: 'uart'; epoch: number; bytes: Uint8Array }
  | { type: 'status'; status: MachineStatus };

/** The one message posted on the worker itself. */
export interface Connect {
  type: 'connect';
  port: MessagePort;
}

export const DEFAULT_BUDGET = 200_000;
/** The speed control's choices, in counter ticks (≈ instructions) per slice. */
export const BUDGETS = [1_000, 10_000, 50_000, 200_000, 1_000_000, 4_000_000] as const;
