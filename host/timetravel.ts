// Reverse execution (issue 15; docs/TIMETRAVEL.md "Reverse execution"), rr's and QEMU
// record/replay's design: the machine is deterministic, so going back to an earlier moment means
// restoring a checkpoint taken before it and running forward again, with the same outside inputs
// at the same virtual times and the same stops (Machine's 'stop' event), to exactly that moment.
//
//   * checkpoints: a snapshot every `interval` ticks of virtual time (taken when a run() returns),
//     sharing unchanged RAM pages with the one before; their memory is bounded by `memoryBudget`,
//     and beyond it the checkpoint whose removal leaves the smallest gap goes (spacing doubles
//     gradually in the past, the first checkpoint always stays, so every moment stays reachable);
//   * a log of the inputs and stops since the first checkpoint;
//   * a reverse command re-runs the last interval watching kernel entries (the 'entry' event and
//     the trace records each entry wrote), finds the latest matching moment before now, restores
//     the checkpoint again and runs to it; if the interval holds none, the one before, and so on.
//
// A moment is a clock value at which the machine sat between two steps. Going back discards the
// future (later checkpoints, inputs and stops): running on from there is a new branch, as after a
// restore.

import type { HostInput, Machine, RunResult } from '../hw/machine';
import { CNTFRQ } from '../hw/memmap';
import { captureState, restoreState, stateTicks, type FreshMachine, type MachineState } from '../hw/snapshot';
import type { TraceRecord } from '../hw/trace';
import { TRACE_KINDS } from './abi';
import { runTo } from './timetravel-record';

export interface TimeTravelOptions {
  /** Virtual ticks between checkpoints (default 0.1 virtual seconds). */
  interval?: number;
  /** Bytes of checkpoint memory before old checkpoints are thinned out (default 256 MiB). */
  memoryBudget?: number;
  /** The machine was just created or restored: its first checkpoint reads only these RAM pages (hw/snapshot.ts). */
  fresh?: FreshMachine;
}

export const DEFAULT_INTERVAL = CNTFRQ / 10;
export const DEFAULT_MEMORY_BUDGET = 256 * 2 ** 20;

/** Where to go back to: the previous EL0 instruction, kernel entry, IPC, fault, context switch, or a trace breakpoint. */
export type ReverseTarget = 'instruction' | 'entry' | 'ipc' | 'fault' | 'switch' | { breakpoint: (r: TraceRecord) => boolean };

interface Checkpoint {
  ticks: number;
  instructions: number;
  /** Index in the log of the first entry after this checkpoint. */
  log: number;
  state: MachineState;
  /** Bytes not counted in RAM pages / disk chunks (TLB, registers, device state). */
  fixed: number;
}

type LogEntry = { ticks: number; stop: true; input?: undefined } | { ticks: number; stop?: undefined; input: HostInput };

/** A moment: the clock and the EL0 instructions retired. */
export interface Moment { ticks: number; instructions: number }

const kindOf = (name: string) => TRACE_KINDS.find((k) => k.name === name)?.kind ?? -1;
const IPC_KINDS = new Set(['IPC_SEND', 'IPC_RECV', 'IPC_REPLY', 'FASTPATH'].map(kindOf));
const FAULT = kindOf('FAULT');
const SWITCH = kindOf('SWITCH');

function traceMatcher(t: ReverseTarget): ((r: TraceRecord) => boolean) | null {
  if (t === 'ipc') return (r) => IPC_KINDS.has(r.kind);
  if (t === 'fault') return (r) => r.kind === FAULT;
  if (t === 'switch') return (r) => r.kind === SWITCH;
  if (typeof t === 'object') return t.breakpoint;
  return null;
}

export class TimeTravel {
  readonly interval: number;
  readonly memoryBudget: number;
  private readonly checkpoints: Checkpoint[] = [];
  private log: LogEntry[] = [];
  /** Reference counts of the RAM pages and disk chunks the checkpoints hold. */
  private readonly refs = new Map<Uint8Array, number>();
  private pageBytes = 0;
  /** True while re-executing: inputs and stops are not logged again. */
  private replaying = false;
  // the scan in progress: does the current kernel entry match, and the moments found
  private matcher: ((r: TraceRecord) => boolean) | null = null;
  private matchAll = false;
  private entryMatched = false;
  private found: Moment[] | null = null;

  constructor(readonly m: Machine, opts: TimeTravelOptions = {}) {
    this.interval = opts.interval ?? DEFAULT_INTERVAL;
    this.memoryBudget = opts.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
    if (!(this.interval > 0) || !(this.memoryBudget > 0)) throw new RangeError('TimeTravel: interval and memoryBudget must be positive');
    // The EL0 engine's translation tier is not part of a snapshot (it is rebuilt, cold), and the
    // two tiers leave different bits in the unused upper halves of i32 stack slots: the program
    // computes the same either way, but a re-execution would not be bit-exact. Under time travel
    // the engine interprets (docs/TIMETRAVEL.md "Departures").
    m.el0.jitThreshold = Infinity;
    m.el0.invalidateCode();
    // Always a trace listener: the ring's DROPPED count depends on whether the host reads it, so
    // the forward run and every re-execution must read it alike.
    m.on('trace', (r) => { if (this.matcher && this.matcher(r)) this.entryMatched = true; });
    m.on('entry', () => {
      if (this.found && (this.matchAll || this.entryMatched)) this.found.push({ ticks: m.clock.ticks, instructions: m.instructions });
      this.entryMatched = false;
    });
    m.on('input', (input) => { if (!this.replaying) this.log.push({ ticks: m.clock.ticks, input }); });
    m.on('stop', (ticks) => { if (!this.replaying) this.log.push({ ticks, stop: true }); });
    this.checkpoint(opts.fresh);
  }

  /** Runs the machine forward (Machine.run) and takes a checkpoint when one is due. */
  run(budget: number): RunResult {
    const r = this.m.run(budget);
    this.maybeCheckpoint();
    return r;
  }

  /** One step forward (Machine.step). */
  step(): RunResult {
    const r = this.m.step();
    this.maybeCheckpoint();
    return r;
  }

  get now(): Moment {
    return { ticks: this.m.clock.ticks, instructions: this.m.instructions };
  }

  /** Checkpoints held, their memory and the limits. */
  stats(): { checkpoints: number; bytes: number; memoryBudget: number; interval: number; oldest: number } {
    return { checkpoints: this.checkpoints.length, bytes: this.bytes(), memoryBudget: this.memoryBudget, interval: this.interval, oldest: this.checkpoints[0].ticks };
  }

  /**
   * Goes back to the latest moment before now that `target` names; returns it, or null (the
   * machine unchanged) when the history holds none.
   */
  reverse(target: ReverseTarget): Moment | null {
    const now = this.now;
    const last = this.checkpoints.length - 1;
    if (target === 'instruction') return this.reverseInstruction(now);
    const match = traceMatcher(target);
    for (let i = last; i >= 0; i--) {
      const c = this.checkpoints[i];
      if (c.ticks >= now.ticks) continue;
      const upTo = i === last ? now.ticks : Math.min(this.checkpoints[i + 1].ticks, now.ticks);
      const hits = this.scan(i, upTo, match).filter((h) => h.ticks < now.ticks);
      if (hits.length > 0) {
        const to = hits[hits.length - 1];
        this.goTo(i, to.ticks);
        return to;
      }
    }
    this.goTo(last, now.ticks, true);
    return null;
  }

  /**
   * Goes back to the end of the kernel entry that wrote the trace record `match` accepts, the
   * record being written at virtual time `at` (a timeline click): only the checkpoint interval
   * holding `at` is re-executed. Returns the moment, or null (the machine unchanged).
   */
  reverseTo(match: (r: TraceRecord) => boolean, at: number): Moment | null {
    const now = this.now;
    if (at >= now.ticks) return null;
    const last = this.checkpoints.length - 1;
    let i = last;
    while (i > 0 && (this.checkpoints[i].ticks > at || this.checkpoints[i].ticks >= now.ticks)) i--;
    if (this.checkpoints[i].ticks < now.ticks) {
      const upTo = i === last ? now.ticks : Math.min(this.checkpoints[i + 1].ticks, now.ticks);
      const hit = this.scan(i, upTo, match).find((h) => h.ticks < now.ticks);
      if (hit) {
        this.goTo(i, hit.ticks);
        return hit;
      }
    }
    this.goTo(last, now.ticks, true);
    return null;
  }

  /** Forgets the history (a state was loaded into the machine): the state now is the first checkpoint. */
  restart(): void {
    while (this.checkpoints.length > 0) this.drop(this.checkpoints.length - 1);
    this.log = [];
    this.checkpoint();
  }

  /**
   * Before the last EL0 instruction retired. Between two kernel entries the core runs EL0
   * instructions one tick each, so the moment is the last entry end (or checkpoint) before it
   * plus the instructions in between.
   */
  private reverseInstruction(now: Moment): Moment | null {
    const k = now.instructions; // the instruction to undo is the k-th
    let i = this.checkpoints.length - 1;
    while (i >= 0 && this.checkpoints[i].instructions > k - 1) i--;
    if (k === 0 || i < 0) return null;
    const c = this.checkpoints[i];
    const upTo = i === this.checkpoints.length - 1 ? now.ticks : Math.min(this.checkpoints[i + 1].ticks, now.ticks);
    const anchors = [{ ticks: c.ticks, instructions: c.instructions }, ...this.scan(i, upTo, null)];
    let base = anchors[0];
    for (const a of anchors) if (a.instructions <= k - 1 && a.ticks < now.ticks) base = a;
    const to = { ticks: base.ticks + (k - 1 - base.instructions), instructions: k - 1 };
    this.goTo(i, to.ticks);
    return to;
  }

  /** Re-executes from checkpoint i to tick `upTo`; returns the ends of the kernel entries that matched (all with null). */
  private scan(i: number, upTo: number, match: ((r: TraceRecord) => boolean) | null): Moment[] {
    const found: Moment[] = [];
    this.found = found;
    this.matcher = match;
    this.matchAll = match === null;
    this.entryMatched = false;
    try {
      this.reexecute(i, upTo, false);
    } finally {
      this.found = null;
      this.matcher = null;
    }
    return found;
  }

  /** Restores checkpoint i and runs to `ticks`, stopping and feeding inputs as the log says. */
  private reexecute(i: number, ticks: number, inputsAtEnd: boolean): void {
    const c = this.checkpoints[i];
    restoreState(this.m, c.state, true);
    this.replaying = true;
    try {
      for (let j = c.log; j < this.log.length; j++) {
        const e = this.log[j];
        if (e.ticks > ticks || (e.ticks === ticks && !(inputsAtEnd && e.input))) break;
        runTo(this.m, e.ticks);
        if (e.input?.kind === 'uart') this.m.uartInput(e.input.bytes);
        else if (e.input?.kind === 'mailbox') this.m.mailbox.post(e.input.words);
        else if (e.input?.kind === 'gpio') this.m.gpio.setButton(e.input.button, e.input.down);
      }
      runTo(this.m, ticks);
    } finally {
      this.replaying = false;
    }
  }

  /** Lands on `ticks` from checkpoint i; the history after it is dropped. */
  private goTo(i: number, ticks: number, inputsAtEnd = false): void {
    this.reexecute(i, ticks, inputsAtEnd);
    let n = this.log.length;
    while (n > 0 && (this.log[n - 1].ticks > ticks || (this.log[n - 1].ticks === ticks && this.log[n - 1].input && !inputsAtEnd))) n--;
    this.log.length = n;
    // the re-execution stopped here, as a step would have: that stop is part of the history now
    if (this.m.cpu.el === 0 && !this.m.halted && !(n > 0 && this.log[n - 1].stop && this.log[n - 1].ticks === ticks)) this.log.push({ ticks, stop: true });
    while (this.checkpoints.length > 1 && this.checkpoints[this.checkpoints.length - 1].ticks > ticks) this.drop(this.checkpoints.length - 1);
  }

  private maybeCheckpoint(): void {
    const lastCp = this.checkpoints[this.checkpoints.length - 1];
    if (this.m.clock.ticks - lastCp.ticks >= this.interval) this.checkpoint();
  }

  private checkpoint(fresh?: FreshMachine): void {
    const prev = this.checkpoints[this.checkpoints.length - 1];
    const state = captureState(this.m, prev?.state, fresh);
    for (const list of [state.ram, state.disk, state.traceRing]) for (const p of list) if (p) this.ref(p, 1);
    const fixed = 65536 + 256 + JSON.stringify(state.devices).length;
    this.checkpoints.push({ ticks: stateTicks(state), instructions: this.m.instructions, log: this.log.length, state, fixed });
    while (this.bytes() > this.memoryBudget && this.checkpoints.length > 2) {
      // remove the inner checkpoint whose neighbours are closest together
      let best = 1;
      for (let i = 2; i < this.checkpoints.length - 1; i++)
        if (this.checkpoints[i + 1].ticks - this.checkpoints[i - 1].ticks < this.checkpoints[best + 1].ticks - this.checkpoints[best - 1].ticks) best = i;
      if (best >= this.checkpoints.length - 1) break;
      this.drop(best);
    }
  }

  private drop(i: number): void {
    const [c] = this.checkpoints.splice(i, 1);
    for (const list of [c.state.ram, c.state.disk, c.state.traceRing]) for (const p of list) if (p) this.ref(p, -1);
  }

  private ref(p: Uint8Array, d: number): void {
    const n = (this.refs.get(p) ?? 0) + d;
    if (n === 0) { this.refs.delete(p); this.pageBytes -= p.length; } else {
      if (n === 1 && d === 1) this.pageBytes += p.length;
      this.refs.set(p, n);
    }
  }

  private bytes(): number {
    let b = this.pageBytes;
    for (const c of this.checkpoints) b += c.fixed;
    return b;
  }
}
