// Trace-ring records as Chrome trace-event JSON (the "JSON Object Format" of the Trace Event Format
// document), which ui.perfetto.dev and chrome://tracing open. One exporter for the page's "Export
// trace" and `mlk boot --trace`:
//   · process 1 "MyLittleKernel": every record as an instant event on the kernel's track;
//   · process 2 "threads": a track per thread (named from the kernel's thread table when the
//     caller has it), run slices ("X") from the SWITCH records — a thread runs from the switch to
//     it until the next switch — and the IPC and fault records again on the acting thread's track.
// Timestamps are virtual microseconds: counter ticks / 24 (CNTFRQ = 24 MHz).

import { CNTFRQ } from '../hw/memmap';
import type { TraceRecord } from '../hw/trace';
import { TRACE_SWITCH } from './abi';
import { FAULT_KINDS, IPC_KINDS, kindInfo, kindName } from './traceKinds';

export interface ChromeTraceEvent {
  name: string;
  ph: 'i' | 'X' | 'M';
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  s?: 't';
  args?: Record<string, number | string>;
}

export interface ChromeTrace { traceEvents: ChromeTraceEvent[]; displayTimeUnit: 'ns' }

const KERNEL_PID = 1;
const THREADS_PID = 2;
const us = (ticks: number) => (ticks * 1e6) / CNTFRQ;

/** A record's arguments by the names abi/trace.json gives them (a0.. for undeclared ones). */
function namedArgs(r: TraceRecord): Record<string, number> {
  const names = kindInfo(r.kind)?.args ?? [];
  const args: Record<string, number> = { seq: r.seq };
  r.args.forEach((v, i) => { args[names[i] ?? `a${i}`] = v >>> 0; });
  return args;
}

/** The thread a record of the IPC or fault families is about: the receiver of IPC_RECV, else the sender. */
function actorOf(r: TraceRecord): number {
  const names = kindInfo(r.kind)?.args ?? [];
  const i = names.indexOf(kindName(r.kind) === 'IPC_RECV' ? 'tid' : 'from_tid');
  return r.args[Math.max(0, i)] ?? 0;
}

/** The records as a Chrome trace; `threadNames` (tid → name, from ki_json view 0) names the thread tracks. */
export function toChromeTrace(records: TraceRecord[], threadNames: Map<number, string> = new Map()): ChromeTrace {
  const events: ChromeTraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid: KERNEL_PID, tid: 0, args: { name: 'MyLittleKernel' } },
    { name: 'process_name', ph: 'M', ts: 0, pid: THREADS_PID, tid: 0, args: { name: 'threads' } },
  ];
  const named = new Set<number>();
  const track = (tid: number) => {
    if (!named.has(tid)) {
      named.add(tid);
      const name = tid === 0 ? 'idle' : threadNames.get(tid) ? `${threadNames.get(tid)} (tid ${tid})` : `tid ${tid}`;
      events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: THREADS_PID, tid, args: { name } });
    }
    return tid;
  };
  const slice = (tid: number, from: number, to: number) =>
    events.push({ name: tid === 0 ? 'idle' : 'run', ph: 'X', ts: us(from), dur: us(to - from), pid: THREADS_PID, tid: track(tid) });

  let running: { tid: number; since: number } | null = null;
  for (const r of records) {
    const args = namedArgs(r);
    events.push({ name: kindName(r.kind), ph: 'i', s: 't', ts: us(r.ticks), pid: KERNEL_PID, tid: 0, args });
    if (r.kind === TRACE_SWITCH) {
      if (running) slice(running.tid, running.since, r.ticks);
      running = { tid: args.to_tid, since: r.ticks };
    } else if (IPC_KINDS.has(r.kind) || FAULT_KINDS.has(r.kind)) {
      events.push({ name: kindName(r.kind), ph: 'i', s: 't', ts: us(r.ticks), pid: THREADS_PID, tid: track(actorOf(r)), args });
    }
  }
  if (running && records.length) slice(running.tid, running.since, records[records.length - 1].ticks);
  return { traceEvents: events, displayTimeUnit: 'ns' };
}
