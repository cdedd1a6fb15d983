// Helpers over the kernel's introspection answers (ki_json, D10). Each answer reaches the page
// checked against its view's schema (abi/introspection.json; host/introspection.ts, in
// machineClient.intro), so these read typed fields — no guessing at names. The panels show what the
// kernel says and never fill gaps with a model of their own; a field the schema gains later still
// shows, as an extra column of the generic tables.

import { KI_VIEW, type KiCap, type KiCspace, type KiIpcObjects, type KiMemory, type KiThread, type KiThreadRegs, type KiVspace } from '../../host/introspection';

export type { KiCap, KiCspace, KiIpcObjects, KiMemory, KiThread, KiThreadRegs, KiVspace };

/** A row of a generic table: any record of a view. */
export type Row = Record<string, unknown>;

export const VIEW = KI_VIEW;

/** The threads of a view-0 answer. */
export const threadsOf = (json: unknown): KiThread[] => (Array.isArray(json) ? (json as KiThread[]) : []);
/** The capabilities in the CNode of a view-1 answer (none for a thread that is gone: null). */
export const slotsOf = (json: unknown): KiCap[] => (json as KiCspace | null)?.slots ?? [];

/** A number from a JSON number or a "0x…" string (ki_json writes addresses as hex strings). */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v)) return Number(v);
  return undefined;
}

/** Processes named by a threads answer (view 0): the distinct pids of its threads. */
export function pidsOf(json: unknown): { pid: number; name: string }[] {
  const out = new Map<number, string>();
  for (const t of threadsOf(json)) if (!out.has(t.pid)) out.set(t.pid, t.name || `pid ${t.pid}`);
  return [...out].map(([pid, name]) => ({ pid, name })).sort((a, b) => a.pid - b.pid);
}

/** Rights as letters when the kernel gives a bit mask (1 read, 2 write, 4 grant). */
export function rightsText(v: unknown): string {
  if (typeof v !== 'number') return v === undefined ? '' : String(v);
  return `${v & 1 ? 'R' : '-'}${v & 2 ? 'W' : '-'}${v & 4 ? 'G' : '-'}`;
}

/** One cell: numbers that look like addresses in hex, objects compact. */
export function cell(key: string, v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') {
    if (/^(addr|object|obj|va|pa|ttbr0?|pc|sp|elr|far|frame|start|end|base)$/i.test(key)) return `0x${v.toString(16)}`;
    return String(v);
  }
  if (typeof v === 'string' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Columns for rows: the preferred ones present, then every other key. */
export function columns(rows: Row[], preferred: string[], skip: string[] = []): string[] {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  const first = preferred.filter((k) => seen.has(k));
  const rest = [...seen].filter((k) => !first.includes(k) && !skip.includes(k));
  return [...first, ...rest];
}

/**
 * How every panel names a thread: the kernel's name and its tid, "shell (tid 8)"; tid 0 is the
 * kernel's idle loop. The same words the shell's `ps` uses (name, then the kernel's ids).
 */
export function threadLabel(tid: number | undefined, names: Map<number, string>): string {
  if (tid === undefined) return '—';
  if (tid === 0) return 'idle (kernel)';
  const n = names.get(tid);
  return n ? `${n} (tid ${tid})` : `tid ${tid}`;
}

/** tid → name from a threads answer (view 0). */
export function threadNames(json: unknown): Map<number, string> {
  return new Map(threadsOf(json).map((t) => [t.tid, t.name]));
}
