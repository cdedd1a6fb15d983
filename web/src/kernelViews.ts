// Reading the kernel's introspection answers (ki_json, D10). The kernel defines the JSON; the
// panels show what it says and never fill gaps with a model of their own. These helpers only
// find the lists in an answer and name the fields the panels put first, so a field the kernel
// adds later still shows (as an extra column) and a field it does not give is left out.
//
// Views (what, arg), as kernel-as/kernel/ki.ts writes them (arg is a tid; pid = tid today):
//   0 → { threads: [{ pid, tid, name, state, blocked_on, blocked_object, priority, mcp, cpu_ticks,
//         scheduled, faults, fault_kind, fault_addr, exit_code, pc, bound_notification, asid, current }] }
//   1 → { tid, cnode, radix, slots: [{ slot, addr, type, object, object_id, rights: "RWG", badge,
//         parent, … }], tcb_slots: [...] }
//   2 → { tid, id, asid, ttbr0, …, regions: [{ start, end, kind, rights, demand_zero }],
//         pages: [{ va, pa, rights, kind }], mapped }
//   3 → { endpoints: [{ id, addr, state, refs, queue }], notifications: [{ id, addr, word, refs,
//         bound_tid, irq, waiters }] }
//   4 → { page_size, ram_frames, …, map_base, map_legend, map }   5 → counters   6 → one thread + regs

export type Row = Record<string, unknown>;

export const VIEW = { THREADS: 0, CSPACE: 1, VSPACE: 2, OBJECTS: 3, MEMORY: 4, COUNTERS: 5, THREAD: 6 } as const;

/** The first array among `keys` of an answer (or the answer itself when it is an array). */
export function list(json: unknown, ...keys: string[]): Row[] {
  if (Array.isArray(json)) return json as Row[];
  if (json && typeof json === 'object') {
    for (const k of keys) {
      const v = (json as Record<string, unknown>)[k];
      if (Array.isArray(v)) return v as Row[];
    }
  }
  return [];
}

/** First present field among the names (kernels spell "prio"/"priority" differently). */
export function field(row: Row, ...names: string[]): unknown {
  for (const n of names) if (row[n] !== undefined) return row[n];
  return undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v)) return Number(v);
  return undefined;
}

export const threadsOf = (json: unknown): Row[] => list(json, 'threads', 'tcbs');
export const slotsOf = (json: unknown): Row[] => list(json, 'slots', 'caps', 'cspace');

/** Processes named by a threads answer (view 0): the distinct pids of its threads. */
export function pidsOf(json: unknown): { pid: number; name: string }[] {
  const out = new Map<number, string>();
  for (const t of threadsOf(json)) {
    const pid = num(field(t, 'pid'));
    if (pid !== undefined && !out.has(pid)) out.set(pid, String(field(t, 'name', 'process') ?? `tid ${pid}`));
  }
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
  const names = new Map<number, string>();
  for (const t of threadsOf(json)) {
    const tid = num(field(t, 'tid', 'id'));
    if (tid !== undefined) names.set(tid, String(field(t, 'name') ?? ''));
  }
  return names;
}
