// Time travel in the page's worker (issue 15; docs/TIMETRAVEL.md "In the page"). Wraps the
// worker's Machine in the reverse engine (host/timetravel.ts) and keeps what the page shows about
// the run's history:
//
//   * every outside input (UART bytes typed, mailbox posts) with its virtual time, since the
//     session began (a boot or a loaded state): a Share recording is exactly this list;
//   * the UART output (the transcript), so the terminal can be redrawn for any moment;
//   * the end of the known history: after going back, the page keeps the later trace records and
//     the machine runs forward again through the same history — the logged inputs are fed at their
//     virtual times, so the same future unfolds (the machine is deterministic). A new input typed
//     while in the past starts a new branch: the later history is dropped (`branch`).
//
// The engine re-executes from checkpoints to go back; while it does, `quiet` is true and the
// worker's listeners ignore what the machine reports (trace records, UART bytes, mailbox replies
// the page has already seen).

import type { HostInput, Machine, RunResult } from '../../../hw/machine';
import { TimeTravel, type Moment, type ReverseTarget, type TimeTravelOptions } from '../../../host/timetravel';
import type { TraceRecord } from '../../../hw/trace';
import { DEFAULT_JIT_THRESHOLD } from '../../../hw/el0/core';

/** An outside input and the virtual time it reached the machine. */
export interface LoggedInput {
  ticks: number;
  input: HostInput;
}

/** The page's defaults (docs/TIMETRAVEL.md "In the page"). */
export const PAGE_INTERVAL = 24_000_000 / 10; // a checkpoint every 100 virtual ms
export const PAGE_MEMORY_BUDGET = 128 * 2 ** 20;

/** What the page must drop when a new branch starts: trace records from `seq` on. */
export interface Branch {
  seq: number;
}

export class TimeTravelSession {
  readonly tt: TimeTravel;
  /** Every outside input since the session began, in order. */
  readonly inputs: LoggedInput[] = [];
  /** Index in `inputs` of the next one the machine has not received yet (< length while in the past). */
  private next = 0;
  /** The UART output of the known history (position = the UART's transmitted-byte count). */
  private transcript = new Uint8Array(4096);
  private transcriptLength = 0;
  /** Transmitted-byte count at the session's start (a loaded state has output before it). */
  private transcriptBase = 0;
  /** End of the known history: virtual time and the next trace sequence number. */
  private endTicks = 0;
  private endSeq = 1;
  private reexecuting = false;
  /**
   * False while the page boots: no checkpoints are taken (each costs a scan of RAM, and the boot
   * is the page's load time); going back into the boot re-executes from the first checkpoint.
   */
  checkpointing = true;
  /** A forward seek: the trace record to stop after, and whether it was written. */
  private watchSeq = -1;
  private watchHit = false;

  /**
   * `exact`: interpret EL0 code only, as the reverse engine does by default, so that a moment
   * reached by going back is bit-identical to the forward run's. The page passes false: the
   * translation tier runs EL0-bound code about 15× faster, and the two tiers differ only in the
   * unused upper halves of i32 stack slots the engine writes back — what programs compute, the
   * trace, the output and virtual time are the same (docs/TIMETRAVEL.md "In the page").
   */
  private startSeq = 0;

  constructor(readonly m: Machine, opts: TimeTravelOptions & { exact?: boolean } = {}, transcript?: Uint8Array) {
    this.tt = new TimeTravel(m, { interval: opts.interval ?? PAGE_INTERVAL, memoryBudget: opts.memoryBudget ?? PAGE_MEMORY_BUDGET, fresh: opts.fresh });
    if (opts.exact === false) m.el0.jitThreshold = DEFAULT_JIT_THRESHOLD;
    m.on('trace', (r: TraceRecord) => {
      if (r.seq >= this.endSeq) this.endSeq = r.seq + 1;
      if (r.seq === this.watchSeq) {
        this.watchHit = true;
        m.stopRequested = true;
      }
    });
    this.began(transcript);
  }

  /** True while the engine re-executes (the worker's listeners ignore the machine meanwhile). */
  get quiet(): boolean {
    return this.reexecuting;
  }

  /** True when the machine is behind the end of the known history. */
  get inPast(): boolean {
    return this.m.clock.ticks < this.endTicks || this.next < this.inputs.length;
  }

  /** The first trace sequence number of the history: records before it (a boot snapshot's, a loaded state's) cannot be gone back to. */
  get historyStartSeq(): number {
    return this.startSeq;
  }

  /** The next trace sequence number at the end of the known history. */
  get historySeq(): number {
    return this.endSeq;
  }

  /** The known history starts again here (a boot, a loaded state); `transcript`: the output before it. */
  private began(transcript?: Uint8Array): void {
    this.startSeq = this.m.trace.nextSequence;
    this.inputs.length = 0;
    this.next = 0;
    this.transcriptLength = 0;
    this.transcriptBase = this.txTotal() - (transcript?.length ?? 0);
    if (transcript) this.append(transcript);
    this.endTicks = this.m.clock.ticks;
    this.endSeq = this.m.trace.nextSequence;
  }

  /** A state was loaded into the machine: the history is this state on. */
  restart(transcript?: Uint8Array): void {
    this.tt.restart();
    this.began(transcript);
  }

  /** Preloads a recorded future (a shared recording): the inputs are fed as the machine reaches their times. */
  preload(inputs: LoggedInput[]): void {
    for (const i of inputs) this.inputs.push(i);
    if (inputs.length > 0) this.endTicks = Math.max(this.endTicks, inputs[inputs.length - 1].ticks);
  }

  private txTotal(): number {
    return this.m.uart.state().txTotal;
  }

  /** Bytes the UART sent in the last run (the machine's 'uart' event), kept in the transcript. */
  output(bytes: Uint8Array): void {
    if (this.reexecuting) return;
    const end = this.txTotal() - this.transcriptBase;
    const start = end - bytes.length;
    if (end > this.transcriptLength) this.append(bytes.subarray(Math.max(0, this.transcriptLength - start)));
  }

  private append(bytes: Uint8Array): void {
    if (this.transcriptLength + bytes.length > this.transcript.length) {
      const grown = new Uint8Array(Math.max(this.transcript.length * 2, this.transcriptLength + bytes.length));
      grown.set(this.transcript.subarray(0, this.transcriptLength));
      this.transcript = grown;
    }
    this.transcript.set(bytes, this.transcriptLength);
    this.transcriptLength += bytes.length;
  }

  /** The terminal's text at the current moment: the UART output up to now. */
  screen(): Uint8Array {
    const n = Math.max(0, Math.min(this.transcriptLength, this.txTotal() - this.transcriptBase));
    return this.transcript.slice(0, n);
  }

  /** The whole transcript of the known history. */
  fullTranscript(): Uint8Array {
    return this.transcript.slice(0, this.transcriptLength);
  }

  /** Feeds the logged inputs due now (in the past, the history's inputs arrive at their times). */
  private deliverDue(): void {
    while (this.next < this.inputs.length && this.inputs[this.next].ticks <= this.m.clock.ticks) {
      this.deliver(this.inputs[this.next].input);
      this.next++;
    }
  }

  /** False when the mailbox refused the post (full, or too long): then nothing reached the machine. */
  private deliver(i: HostInput): boolean {
    if (i.kind === 'mailbox') return this.m.mailbox.post(i.words);
    if (i.kind === 'gpio') { this.m.gpioButton(i.button, i.down); return true; }
    this.m.uartInput(i.bytes);
    return true;
  }

  private advanced(): void {
    if (this.m.clock.ticks > this.endTicks) this.endTicks = this.m.clock.ticks;
  }

  /** Runs forward for at most `budget` ticks, feeding the logged inputs at their virtual times. */
  run(budget: number): RunResult {
    const start = { ticks: this.m.clock.ticks, retired: this.m.instructions };
    const end = start.ticks + budget;
    let reason: RunResult['reason'] = 'budget';
    this.deliverDue();
    for (;;) {
      const due = this.next < this.inputs.length ? this.inputs[this.next].ticks : Infinity;
      // at most one checkpoint interval per run: the engine checkpoints when a run returns, so a
      // large speed setting (4 M ticks a slice) does not space the checkpoints out
      const limit = Math.min(due, end, this.m.clock.ticks + this.tt.interval);
      const r = this.checkpointing ? this.tt.run(Math.max(1, limit - this.m.clock.ticks)) : this.m.run(Math.max(1, limit - this.m.clock.ticks));
      reason = r.reason;
      this.advanced();
      // an input is due (an idle machine is handed it at once: nothing else would wake it)
      if (this.next < this.inputs.length && (this.m.clock.ticks >= due || r.reason === 'idle') && !this.m.halted) {
        this.deliver(this.inputs[this.next++].input);
        this.deliverDue();
        if (r.reason === 'idle') reason = 'budget';
      }
      const stopped = this.m.halted || r.reason !== 'budget' || this.m.clock.ticks < limit; // idle, halted, or a stop was requested
      if (this.m.clock.ticks < end && !stopped && r.ticks + r.retired > 0) continue;
      break;
    }
    return { retired: this.m.instructions - start.retired, ticks: this.m.clock.ticks - start.ticks, reason };
  }

  /** One step forward (Machine.step), the logged inputs fed as in run(). */
  step(): RunResult {
    this.deliverDue();
    const r = this.tt.step();
    this.advanced();
    this.deliverDue();
    return r;
  }

  /**
   * An input from the page now. In the past it starts a new branch: the later history is dropped
   * and the page told to drop the trace records from the returned sequence number on.
   */
  input(i: HostInput): { branch: Branch | null; accepted: boolean } {
    const branch = this.inPast ? this.branch() : null;
    const accepted = this.deliver(i);
    if (accepted) this.inputs.push({ ticks: this.m.clock.ticks, input: i });
    this.next = this.inputs.length;
    return { branch, accepted };
  }

  private branch(): Branch {
    this.inputs.length = this.next;
    this.endTicks = this.m.clock.ticks;
    this.endSeq = this.m.trace.nextSequence;
    this.transcriptLength = Math.min(this.transcriptLength, Math.max(0, this.txTotal() - this.transcriptBase));
    return { seq: this.endSeq };
  }

  /** Goes back (host/timetravel.ts reverse); the machine unchanged and null when the history holds no such moment. */
  reverse(target: ReverseTarget): Moment | null {
    return this.quietly(() => this.tt.reverse(target));
  }

  /**
   * Goes to the end of the kernel entry that wrote trace record `seq` (written at virtual time
   * `ticks`): back by re-execution, or forward through the known history. Null when it is not there.
   */
  seek(seq: number, ticks: number): Moment | null {
    if (seq < this.startSeq) return null;
    if (seq < this.m.trace.nextSequence) return this.quietly(() => this.tt.reverseTo((r) => r.seq === seq, ticks));
    if (seq >= this.endSeq) return null;
    this.watchSeq = seq;
    this.watchHit = false;
    try {
      while (!this.watchHit && !this.m.halted && this.m.clock.ticks < this.endTicks) {
        const r = this.run(Math.min(1_000_000, this.endTicks - this.m.clock.ticks));
        if (r.ticks === 0 && r.retired === 0) break;
      }
    } finally {
      this.watchSeq = -1;
      this.m.stopRequested = false;
    }
    return this.watchHit ? this.tt.now : null;
  }

  private quietly<T>(f: () => T): T {
    this.reexecuting = true;
    try {
      const r = f();
      // landed before the inputs of its own tick (the engine's rule); unmoved, nothing changes
      if (r !== null) {
        this.next = this.inputs.findIndex((i) => i.ticks >= this.m.clock.ticks);
        if (this.next < 0) this.next = this.inputs.length;
      }
      return r;
    } finally {
      this.reexecuting = false;
    }
  }
}
