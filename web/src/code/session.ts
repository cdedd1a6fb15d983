// session.ts — a booted machine driven from the host the way the playground drives it: typing on
// the UART, and talking to the playground agent through the host mailbox (run a program, call an
// endpoint). Synchronous and deterministic: it only advances virtual time, in slices, until what
// it waits for happens or a virtual-time budget runs out. `mlk run`, `mlk grade`, the tests and the
// page's grading Worker all use it; the graders (exercises/*/grader.ts) read only what it records:
// UART output, agent replies, trace records and kernel introspection.

import { withoutErasedRows } from '../../../host/terminal';
import type { Machine } from '../../../hw/machine';
import type { TraceRecord } from '../../../hw/trace';
import { CNTFRQ } from '../../../hw/memmap';
import { ERRORS, TRACE_KINDS } from '../../../host/abi';
import { KI_VIEW, readKiView, type KiExports, type KiThread, type KiView, type KiViews } from '../../../host/introspection';
import { decodeAgent, encodeRequest, errorText } from '../agent';
import { programMessages } from './program';

export interface AgentReply { err: number; label: bigint; words: bigint[] }

/** What proc.run answered: err 0 and the thread id (and the endpoint slot the agent looked up), or why not. */
export interface RunOutcome { err: number; errName: string; tid: number; slot: number }

const SLICE = CNTFRQ / 100; // 10 ms of virtual time
export const PROMPT = 'mlk> ';
const kindOf = (name: string) => TRACE_KINDS.find((k) => k.name === name)?.kind ?? -1;
export const TRACE = {
  FAULT: kindOf('FAULT'),
  THREAD_EXIT: kindOf('THREAD_EXIT'),
  IPC_SEND: kindOf('IPC_SEND'),
  IPC_CALL: kindOf('IPC_CALL'),
  IPC_REPLY: kindOf('IPC_REPLY'),
  SIGNAL: kindOf('SIGNAL'),
  IRQ_USER: kindOf('IRQ_USER'),
};

/** Names of the errors init's proc protocol answers with (abi/errors.json through the agent). */
export function errName(code: number): string {
  const e = ERRORS.find((x) => x.code === code);
  return e ? e.name : errorText(code);
}

export class CodeSession {
  /** Everything the UART transmitted since the session began (latin1). */
  out = '';

  /** What the terminal shows of the output from `from` on: rows the console erased and drew again appear once. */
  text(from = 0): string {
    return withoutErasedRows(this.out.slice(from));
  }
  /** Trace records since the session began (capped: the oldest go first). */
  readonly trace: TraceRecord[] = [];
  agentSlots: number[] = [];
  private replies = new Map<number, AgentReply>();
  private nextTag = 1;
  private helloSeen = false;

  constructor(readonly machine: Machine, private readonly traceLimit = 200_000) {
    machine.on('uart', (b) => { this.out += String.fromCharCode(...b); });
    machine.on('trace', (r) => {
      this.trace.push({ ...r, args: [...r.args] });
      if (this.trace.length > this.traceLimit) this.trace.splice(0, this.trace.length - this.traceLimit);
    });
    machine.mailbox.onMessage = (words) => {
      const m = decodeAgent(Array.from(words));
      if (!m) return;
      if (m.type === 'hello') { this.helloSeen = true; this.agentSlots = m.slots; return; }
      this.replies.set(m.tag, { err: m.err, label: m.label, words: m.words });
    };
  }

  get halted(): string { return this.machine.halted ? `the machine halted: ${this.machine.halted.reason}` : ''; }

  /** Runs until `done()` or `seconds` of virtual time; false when it did not happen (or the machine halted). */
  runUntil(done: () => boolean, seconds: number): boolean {
    const limit = this.machine.clock.ticks + seconds * CNTFRQ;
    while (!done()) {
      if (this.machine.halted || this.machine.clock.ticks >= limit) return false;
      const r = this.machine.run(SLICE);
      if (r.reason === 'idle' && !done()) return false;
    }
    return true;
  }

  /** Lets the machine run for `seconds` of virtual time (stops early only on a halt or when idle). */
  settle(seconds: number): void {
    const limit = this.machine.clock.ticks + seconds * CNTFRQ;
    while (!this.machine.halted && this.machine.clock.ticks < limit) {
      if (this.machine.run(Math.min(SLICE, limit - this.machine.clock.ticks)).reason === 'idle') break;
    }
  }

  /** Boots until the shell's prompt and the agent's hello. */
  boot(seconds = 30): void {
    if (!this.runUntil(() => this.out.includes(PROMPT) && this.helloSeen, seconds)) {
      throw new Error(this.halted || `the system did not boot within ${seconds} virtual seconds`);
    }
  }

  /** Posts mailbox messages (waiting while the device's queue is full) and returns their tags' replies. */
  private exchange(messages: number[][], seconds: number): AgentReply[] {
    const tags = messages.map((m) => m[0]);
    for (const msg of messages) {
      if (!this.machine.mailbox.post(msg)) {
        // the agent drains the queue as it runs; give it time, then try once more
        this.runUntil(() => false, 0.05);
        if (!this.machine.mailbox.post(msg)) throw new Error('the host mailbox refused a message (queue full)');
      }
    }
    const last = tags[tags.length - 1];
    if (!this.runUntil(() => this.replies.has(last), seconds)) {
      throw new Error(this.halted || `the agent did not answer within ${seconds} virtual seconds`);
    }
    return tags.map((t) => {
      const r = this.replies.get(t) ?? { err: -1, label: 0n, words: [] };
      this.replies.delete(t);
      return r;
    });
  }

  /** Uploads `binary` through the agent and has init start it as `name` with the `grants` bits. */
  runProgram(binary: Uint8Array, name: string, grants: number, seconds = 10): RunOutcome {
    const msgs = programMessages(binary, name, grants, this.nextTag);
    this.nextTag += msgs.length;
    const replies = this.exchange(msgs, seconds);
    const bad = replies.find((r) => r.err !== 0);
    if (bad) return { err: bad.err, errName: errName(bad.err), tid: 0, slot: 0 };
    const run = replies[replies.length - 1];
    return { err: 0, errName: '', tid: Number(run.words[0] ?? 0n), slot: Number(run.words[1] ?? 0n) };
  }

  /** Calls the endpoint in the agent's `slot` with `label` and `words`; the server's reply (or the kernel's error). */
  call(slot: number, label: bigint, words: bigint[], seconds = 5): AgentReply {
    const tag = this.nextTag++;
    return this.exchange([encodeRequest(tag, slot, label, words)], seconds)[0];
  }

  /** Like call, but returns null when no reply comes within `seconds` (a server that never replies). */
  tryCall(slot: number, label: bigint, words: bigint[], seconds = 2): AgentReply | null {
    try { return this.call(slot, label, words, seconds); } catch { return null; }
  }

  /** Types a line at the shell and returns what it printed up to the next prompt. */
  shell(line: string, seconds = 10): string {
    const from = this.out.length;
    this.machine.uartInput(line + '\r');
    const seen = () => this.out.indexOf(PROMPT, from + line.length) >= 0;
    if (!this.runUntil(seen, seconds)) throw new Error(this.halted || `the shell did not answer '${line}' within ${seconds} virtual seconds`);
    return withoutErasedRows(this.out.slice(from, this.out.indexOf(PROMPT, from + line.length)));
  }

  /** The kernel's introspection answer `what` (ki_json, D10), checked against its schema; null when there is none. */
  kernelInfo<W extends KiView>(what: W, arg = 0): KiViews[W] | null {
    const r = readKiView(this.machine.kernelExports as unknown as KiExports, new Uint8Array(this.machine.ram.memory.buffer), what, arg);
    return r.ok ? r.value : null;
  }

  /** The kernel's threads (ki_json 0). */
  threads(): KiThread[] {
    return this.kernelInfo(KI_VIEW.THREADS) ?? [];
  }

  /** Trace records from index `from` on of the given kind. */
  records(kind: number, from = 0): TraceRecord[] {
    return this.trace.slice(from).filter((r) => r.kind === kind);
  }
}
