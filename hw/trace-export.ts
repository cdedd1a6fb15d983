// Export of trace-ring records to the Chrome trace-event JSON format (the "JSON Object Format" of
// the Trace Event Format document), which Perfetto and chrome://tracing open. Timestamps are
// virtual microseconds: counter ticks / 24 (CNTFRQ = 24 MHz).

import { CNTFRQ } from './memmap';
import type { TraceRecord } from './trace';

export interface TraceKind { kind: number; name: string; args: string[] }

export interface ChromeTraceEvent {
  name: string;
  ph: 'i' | 'X' | 'B' | 'E' | 'M';
  ts: number;
  pid: number;
  tid: number;
  s?: 'g' | 'p' | 't';
  args?: Record<string, number | string>;
}

export function toChromeTrace(records: TraceRecord[], kinds: TraceKind[] = []): { traceEvents: ChromeTraceEvent[]; displayTimeUnit: 'ns' } {
  const byKind = new Map(kinds.map((k) => [k.kind, k]));
  const usPerTick = 1e6 / CNTFRQ;
  const traceEvents: ChromeTraceEvent[] = [
    { name: 'process_name', ph: 'M', ts: 0, pid: 1, tid: 0, args: { name: 'MyLittleKernel' } },
  ];
  for (const r of records) {
    const k = byKind.get(r.kind);
    const args: Record<string, number | string> = { seq: r.seq };
    r.args.forEach((v, i) => { args[k?.args[i] ?? `a${i}`] = v >>> 0; });
    traceEvents.push({ name: k?.name ?? `kind${r.kind}`, ph: 'i', s: 't', ts: r.ticks * usPerTick, pid: 1, tid: 0, args });
  }
  return { traceEvents, displayTimeUnit: 'ns' };
}
