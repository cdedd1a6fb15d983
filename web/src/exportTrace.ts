// Trace export: the records the page holds, as Chrome trace-event JSON that ui.perfetto.dev and
// chrome://tracing open. The base is hw/trace-export.ts (the converter the CLI's --trace uses: one
// instant event per record on the kernel's track); the page adds what a timeline needs:
//   · a track per thread (named from the kernel's thread table when the page has it),
//   · run slices ("X") per thread from the SWITCH records: a thread runs from the switch to it
//     until the next switch,
//   · IPC and fault records repeated as instants on the acting thread's track.
// Timestamps are virtual microseconds (ticks / 24).

import { toChromeTrace } from '../../hw/trace-export';
import { CNTFRQ } from '../../hw/memmap';
import { machine } from './machineClient';
import { FAULT_KINDS, IPC_KINDS, TRACE_KINDS, argIndex, kindName, kindOf } from './traceKinds';
import { field, num, threadsOf } from './kernelViews';

interface Ev {
  name: string;
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  dur?: number;
  s?: string;
  args?: Record<string, unknown>;
}

const THREADS_PID = 2;

export function traceJson(): string {
  const records = machine.trace.records();
  const base = toChromeTrace(records, TRACE_KINDS);
  const events: Ev[] = [...base.traceEvents];
  const us = (ticks: number) => (ticks * 1e6) / CNTFRQ;
  const names = new Map<number, string>();
  const t0 = machine.intro('0:0');
  if (t0?.ok) for (const t of threadsOf(t0.json)) names.set(num(field(t, 'tid')) ?? -1, String(field(t, 'name') ?? ''));

  events.push({ name: 'process_name', ph: 'M', ts: 0, pid: THREADS_PID, tid: 0, args: { name: 'threads' } });
  const seen = new Set<number>();
  const track = (tid: number) => {
    if (!seen.has(tid)) {
      seen.add(tid);
      const name = tid === 0 ? 'idle' : names.get(tid) ? `${names.get(tid)} (tid ${tid})` : `tid ${tid}`;
      events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: THREADS_PID, tid, args: { name } });
    }
    return tid;
  };

  const SWITCH = kindOf('SWITCH');
  let running: { tid: number; since: number } | null = null;
  for (const r of records) {
    if (r.kind === SWITCH) {
      if (running) events.push({ name: running.tid === 0 ? 'idle' : 'run', ph: 'X', ts: us(running.since), dur: us(r.ticks - running.since), pid: THREADS_PID, tid: track(running.tid) });
      running = { tid: r.args[1], since: r.ticks };
    } else if (IPC_KINDS.has(r.kind) || FAULT_KINDS.has(r.kind)) {
      const actor = r.args[Math.max(0, argIndex(r.kind, kindName(r.kind) === 'IPC_RECV' ? 'tid' : 'from_tid'))] ?? 0;
      const args: Record<string, unknown> = { seq: r.seq };
      TRACE_KINDS.find((k) => k.kind === r.kind)?.args.forEach((a, i) => (args[a] = r.args[i]));
      events.push({ name: kindName(r.kind), ph: 'i', s: 't', ts: us(r.ticks), pid: THREADS_PID, tid: track(actor), args });
    }
  }
  if (running && records.length) {
    const end = records[records.length - 1].ticks;
    events.push({ name: running.tid === 0 ? 'idle' : 'run', ph: 'X', ts: us(running.since), dur: us(end - running.since), pid: THREADS_PID, tid: track(running.tid) });
  }
  return JSON.stringify({ traceEvents: events, displayTimeUnit: base.displayTimeUnit });
}

export function exportTrace(): void {
  const blob = new Blob([traceJson()], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `mlk-trace-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
