// The page ⇄ machine-worker protocol.
//
// Bootstrap: the page creates a MessageChannel and posts `{ type: 'connect', port }` to the worker;
// every later message, both ways, travels on that port (Perfetto's engine does the same, so the
// machine could later sit behind a SharedWorker or an iframe without changing the protocol).
// All payloads are structured-clone data; UART bytes and trace batches are transferred, never copied.

import type { KiView } from '../../../host/kiViews';
import type { AicState } from '../../../hw/aic';
import type { MachineStatus as CoreStatus, StopReason } from '../../../hw/machine';
import type { HostMailbox } from '../../../hw/mailbox';
import type { GpioState } from '../../../hw/gpio-pl061';
import type { TraceRing } from '../../../hw/trace';
import type { WalkInfo } from '../../../hw/mmu';
import type { TimerState } from '../../../hw/timer';

export type { StopReason, WalkInfo };

/** Hardware state read from the model's devices, as they report it (never recomputed in the UI). */
export interface HwState {
  aic?: AicState;
  timer?: TimerState;
  mailbox?: ReturnType<HostMailbox['state']>;
  trace?: ReturnType<TraceRing['state']>;
  /** The PL061 GPIO bank's LEDs and buttons (the driver exercise, hw/gpio-pl061.ts). */
  gpio?: GpioState;
}

/**
 * One view of the kernel's read-only introspection interface: `ki_json(what, arg)` (D10), its
 * views and their answers' types generated from abi/introspection.json (`KI_VIEW`, `KiViews`).
 */
export interface IntroView<W extends KiView = KiView> {
  what: W;
  arg: number;
}
export const introKey = (v: IntroView): string => `${v.what}:${v.arg}`;

/** The kernel's answer to one view: checked against the view's schema, or why there is none. */
export type IntroResult<T = unknown> = { ok: true; json: T } | { ok: false; error: string };
/** As the worker sends it: the JSON text (the page parses it only when it changed). */
export type IntroWire = { ok: true; text: string } | { ok: false; error: string };

/**
 * One status snapshot of the machine. JSON-serialisable; the UI only reads it. The counters, EL,
 * idle and halted are the machine's own status() (hw/machine.ts), copied as they are.
 */
export interface MachineStatus extends Omit<CoreStatus, 'lastActivity'> {
  /** Boot generation: 1 at page load, +1 per reset. */
  epoch: number;
  /** Lifecycle of the worker's machine. */
  phase: 'loading' | 'ready' | 'halted' | 'error';
  /** True while the slice loop is scheduled (run), false when paused. */
  running: boolean;
  /** Current thread, from the kernel's last SWITCH trace record (tid; 0 = idle). */
  tid?: number;
  /** The cause of the last kernel entry, in words: "SVC call", "FIQ timer", "IRQ 605 UART"… (entryCause.ts). */
  entry?: string;
  /** The speed control: virtual time per slice in counter ticks (one EL0 instruction = one tick). */
  budget: number;
  /** Retired instructions per wall-clock second over the last second of running. */
  rate: number;
  /** The last single step: sequence number and what it retired. */
  step: { seq: number; retired: number; reason: StopReason; what?: string } | null;
  /** The core's state (CPU panel). */
  cpu?: CpuState;
  /** The breakpoint the last run-to-breakpoint stopped at, in words. */
  breakHit?: string;
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
  bootImage: { files: string[]; manifest?: unknown; functions?: ServiceFunctions[] };
  /** How this machine got to its prompt: a real boot, or the build's snapshot of one (bootSnapshot.ts). */
  bootedFrom?: 'boot' | 'snapshot';
  /**
   * When each step of the first boot ended, as wall-clock epoch ms (performance.timeOrigin + now()):
   * the page subtracts its own timeOrigin to place them after its navigation (tests/e2e/figures.spec.ts).
   */
  loadMarks?: Record<string, number>;
  /** Disk: sectors, where it is kept, sectors written since boot, dirty sectors not yet saved. */
  disk: { sectors: number; backing: 'indexeddb' | 'memory'; written: number; dirty: number };
  /** Time travel (web/src/timetravel): where the machine is in its history. */
  timeTravel?: TimeTravelStatus;
  /** Set while machine 1 runs on a switch with others (the Network view, web/src/net). */
  network?: NetworkStatus;
}

/** The machines on the switch (web/src/net/workerNetwork.ts); machine 1 is the one the other panels show. */
export interface NetworkStatus {
  machines: number;
  /** Frames the switch has captured since the network started. */
  frames: number;
  /** The lockstep boundary all machines have reached (counter ticks). */
  time: number;
  /** True while machines 2.. run alone up to machine 1's time (before their cable is plugged in). */
  catchingUp: boolean;
  /** The switch's counters (hw/switch.ts). */
  stats: Record<string, number>;
  others: { k: number; ticks: number; instructions: number; idle: boolean; halt?: string }[];
}

/** The machine's place in its history and the reverse engine's memory (docs/TIMETRAVEL.md "In the page"). */
export interface TimeTravelStatus {
  /** The trace sequence number the next record gets: the page's records before it are the past. */
  seq: number;
  /** The first sequence number of the history (records before it came with a boot snapshot or a loaded state: not reachable). */
  startSeq: number;
  /** The same at the end of the known history (> seq after going back). */
  endSeq: number;
  inPast: boolean;
  checkpoints: number;
  bytes: number;
  memoryBudget: number;
  /** Where the history starts: a boot, a loaded state, or a shared recording being replayed. */
  origin: 'boot' | 'state' | 'recording';
  /** Wall-clock milliseconds the last reverse command or jump took. */
  lastMs?: number;
  /** A message for the page (a shared recording that could not be replayed…). */
  notice?: string;
}

/** Where a reverse command goes: the previous instruction, kernel entry, IPC, fault, switch, or breakpoint. */
export type ReverseTarget = 'instruction' | 'entry' | 'ipc' | 'fault' | 'switch' | 'break';

/** What 'stepUntil' waits for ('break': any of the breakpoints set with 'breakpoints'). */
export type StepTarget = 'entry' | 'ipc' | 'fault' | 'switch' | 'break';

/**
 * A breakpoint on what the kernel traces: a syscall number, IPC through an endpoint (its kernel
 * address, as ki_json view 3 and the IPC records give it), a fault in a VA range, a context switch
 * to a thread. Run-to-breakpoint stops right after the kernel entry that wrote the matching record.
 * Or a code breakpoint in a service's program (its boot-image binary): the entry of function `func`,
 * or the instruction at byte `offset` of the image; run-to-breakpoint stops right before it
 * (hw/el0/debug.ts).
 */
export type Breakpoint =
  | { kind: 'syscall'; nr: number }
  | { kind: 'ipc'; endpoint: number }
  | { kind: 'fault'; from: number; to: number }
  | { kind: 'switch'; tid: number }
  | { kind: 'func'; service: string; func: number }
  | { kind: 'insn'; service: string; func: number; offset: number };

/** The disassembly of the function the EL0 register file is in, with its next instruction. */
export interface CodeView {
  /** the service whose boot-image binary holds the program, or null when it is none of them */
  service: string | null;
  func: number;
  name: string;
  /** byte offset in the image of the next instruction (the highlighted line) */
  offset: number;
  lines: { offset: number; text: string }[];
}

/** A service binary's defined functions, for the breakpoint picker: [index, name]. */
export interface ServiceFunctions {
  service: string;
  funcs: [number, string][];
}

/** The core's ARM-side state at the last kernel entry and now (registers as the machine holds them). */
export interface CpuState {
  el: 0 | 1;
  /** EL0 PC: function index and instruction index (docs/ARCHITECTURE.md, register slot 8). */
  pcFunc: number;
  pcInstr: number;
  sp: string;
  elr: string;
  esr: string;
  far: string;
  spsr: string;
  /** X0..X7 of the EL0 register file. */
  x: string[];
  /** Where the EL0 register file points, disassembled (sent while the machine is paused). */
  code?: CodeView;
}

/** Page → worker. */
export type Request =
  | { type: 'run' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'stepUntil'; until: StepTarget }
  | { type: 'speed'; budget: number }
  | { type: 'input'; bytes: Uint8Array }
  /** Boot again. disk 'keep': same disk (reboot); 'blank': a fresh, empty disk (reset). */
  | { type: 'reset'; disk: 'keep' | 'blank' }
  /** Replace the breakpoints ('stepUntil' with until 'break' runs to the next one). */
  | { type: 'breakpoints'; list: Breakpoint[] }
  /** Replace the set of introspection views refreshed with every status. */
  | { type: 'watch'; views: IntroView[] }
  /**
   * Diagnostic MMU walk of a VA (hw/mmu.ts walk()) through `ttbr0` — a process's TTBR0 value as
   * the kernel reports it (ki_json view 2) — or the current TTBR0 when absent.
   */
  | { type: 'walk'; id: number; va: number; ttbr0?: string }
  /** Queue a message for the guest on the host-mailbox device (the playground agent reads it). */
  | { type: 'mailbox'; words: number[] }
  /** Press (down) or release a button of the GPIO bank (an outside input, like a key). */
  | { type: 'gpio'; button: number; down: boolean }
  /** Write dirty disk sectors to IndexedDB now. */
  | { type: 'flush' }
  /** The machine's state as a state file (answered by 'state'). */
  | { type: 'saveState'; id: number }
  /** Load a state file: checked whole first; answered by 'loaded' (with the reason when refused). */
  | { type: 'loadState'; id: number; bytes: Uint8Array }
  /** Go back to the previous moment of a kind (answered by a status whose step says where). */
  | { type: 'reverse'; target: ReverseTarget }
  /** Go to the end of the kernel entry that wrote trace record `seq` (at `ticks`), back or forward. */
  | { type: 'seek'; seq: number; ticks: number }
  /** The outside inputs since boot, as a Share recording (answered by 'recording'). */
  | { type: 'recording'; id: number }
  /** Put machine 1 on a switch with machines 2..`machines` (the Network view); no-op when it already is. */
  | { type: 'network'; machines: number }
  /** Type into machine `machine` (2..N) of the network. */
  | { type: 'netInput'; machine: number; bytes: Uint8Array }
  /** Every frame captured so far as a pcap file (answered by 'pcap'). */
  | { type: 'pcap'; id: number };

/** Worker → page. */
export type Event =
  | { type: 'uart'; epoch: number; bytes: Uint8Array }
  | { type: 'status'; status: MachineStatus }
  /** New trace records, packed TRACE_STRIDE numbers each: seq, ticks, kind, arg0..arg5. */
  | { type: 'trace'; epoch: number; data: Float64Array }
  /** A message the guest sent through the host mailbox (the agent's replies). */
  | { type: 'mailbox'; epoch: number; words: number[]; accepted?: boolean }
  | { type: 'walk'; id: number; info: WalkInfo | null; error?: string }
  | { type: 'state'; id: number; bytes?: Uint8Array; error?: string }
  | { type: 'loaded'; id: number; error?: string }
  | { type: 'recording'; id: number; text?: string; error?: string }
  /** The terminal at the current moment: clear it and show these bytes (after a jump or a load). */
  | { type: 'screen'; epoch: number; bytes: Uint8Array }
  /** The trace history replaced (after a load): the records the machine's trace ring holds. */
  | { type: 'history'; epoch: number; data: Float64Array }
  /** A new branch: the page drops its trace records from `seq` on. */
  | { type: 'branch'; epoch: number; seq: number }
  /** UART bytes of machine `machine` (2..N) of the network. */
  | { type: 'netUart'; epoch: number; machine: number; bytes: Uint8Array }
  /** Frames the switch captured: `n` numbers them from 1; `ticks` is their virtual time; `bytes` all of them back to back, `lengths` each one's. */
  | { type: 'frames'; epoch: number; n: number[]; ticks: number[]; lengths: number[]; bytes: Uint8Array }
  | { type: 'pcap'; id: number; bytes?: Uint8Array; error?: string };

export const TRACE_STRIDE = 9;

/** The one message posted on the worker itself. */
export interface Connect {
  type: 'connect';
  port: MessagePort;
  /** The page's `?check=0|1`: run the kernel's invariant checker or not, whatever the build says. */
  check?: boolean;
  /** The page's `?boot=real`: boot for real even when the build has a snapshot of the booted machine. */
  realBoot?: boolean;
  /** A Share recording from the URL (`#rec=…`): boot on a blank disk in memory and replay it. */
  replay?: string;
  /** The page's `?machines=N`: start with N machines on one switch (the Network view). */
  machines?: number;
}

export const DEFAULT_BUDGET = 200_000;

/** The status before the first boot (the page's copy starts at epoch 1, the worker's at 0). */
export function initialStatus(epoch: number, running: boolean): MachineStatus {
  return {
    epoch,
    phase: 'loading',
    running,
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
    introspection: false,
    intro: {},
    bootImage: { files: [] },
    disk: { sectors: 0, backing: 'memory', written: 0, dirty: 0 },
  };
}
/** The speed control's choices, in counter ticks (≈ instructions) per slice. */
export const BUDGETS = [1_000, 10_000, 50_000, 200_000, 1_000_000, 4_000_000] as const;
