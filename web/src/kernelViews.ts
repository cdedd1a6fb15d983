// What the panels share about the kernel's introspection answers (ki_json, D10). The answers reach
// the page checked against their schema and typed by it (host/introspection.ts, host/kiViews.ts,
// generated from abi/introspection.json), so a panel names a field only as the generated type has
// it and the type checker catches a renamed one. The panels show what the kernel says and never
// fill gaps with a model of their own.

import type { KiThread } from '../../host/kiViews';

export { KI_VIEW } from '../../host/kiViews';
export type { KiCap, KiEndpoint, KiMemory, KiNotification, KiPage, KiRegion, KiThread, KiThreadRegs, KiVspace } from '../../host/kiViews';

/** A row of a table: one record of an answer, or a row a panel builds itself. */
export type Row = object;

/** Processes named by the thread table (view 0): the distinct pids of its threads (pid = tid today). */
export function pidsOf(threads: readonly KiThread[]): { pid: number; name: string }[] {
  const out = new Map<number, string>();
  for (const t of threads) if (!out.has(t.pid)) out.set(t.pid, t.name || `tid ${t.pid}`);
  return [...out].map(([pid, name]) => ({ pid, name })).sort((a, b) => a.pid - b.pid);
}

/** One cell: scalars as the kernel gives them (addresses are already hex), lists and objects compact. */
export function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
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

/** tid → name from the thread table (view 0). */
export function threadNames(threads: readonly KiThread[]): Map<number, string> {
  return new Map(threads.map((t) => [t.tid, t.name]));
}
