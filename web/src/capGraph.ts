// The capability graph's data: processes, the capabilities each holds in its CSpace, and the
// derivation tree between capabilities — all from ki_json view 1 (one answer per process: every
// slot with its address and the address of the slot it was derived from, `parent`). No layout and
// no React here: web/src/panels/CapGraph.tsx lays it out and draws it.

import type { KiCap, KiCspace } from '../../host/kiViews';

export interface ProcessNode {
  kind: 'process';
  id: string;
  pid: number;
  name: string;
}

export interface CapNode {
  kind: 'cap';
  id: string;
  /** The slot's kernel address (what `parent` links name). */
  addr: string;
  pid: number;
  slot: number;
  type: string;
  objectId: number;
  rights: string;
  /** Badge in hex ("0x8"), or '' for none. */
  badge: string;
  /** "init slot 23" — the slot this one was derived from, by its holder's name; '' for an original. */
  parent: string;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: 'holds' | 'derived';
}

export interface CapGraphModel {
  processes: ProcessNode[];
  caps: CapNode[];
  edges: GraphEdge[];
}

export interface CSpaceDump {
  pid: number;
  name: string;
  /** ki_json(1, pid); null or undefined while there is none (no such thread, or no answer yet). */
  json: KiCspace | null | undefined;
}

/** The kernel's hex text in one spelling, so addresses compare equal as strings. */
const hex = (v: string): string => `0x${BigInt(v).toString(16)}`;

/**
 * A cap's identity across refreshes: its slot address alone is not enough, a freed slot can be
 * filled again by a different capability (a restarted service's new caps), which must show as new.
 */
const capId = (pid: number, cap: KiCap) => `c:${pid}:${hex(cap.addr)}:${cap.type}:${hex(cap.object)}:${cap.badge}`;

/**
 * The graph of the processes in `focus` (all when null): their caps, every cap those derive from
 * (up the tree, whoever holds it) and every cap derived from them, with the processes holding those.
 */
export function buildCapGraph(dumps: CSpaceDump[], focus: number | null): CapGraphModel {
  const all: CapNode[] = [];
  const byAddr = new Map<string, CapNode>();
  const names = new Map(dumps.map((d) => [d.pid, d.name]));
  // every slot by address, for naming a parent that is not drawn (a thread's own slots: CSpace root, VSpace…)
  const slotNames = new Map<string, string>();
  for (const d of dumps) for (const cap of d.json?.tcb_slots ?? []) slotNames.set(hex(cap.addr), `${d.name} thread slot ${cap.slot}`);
  for (const d of dumps) {
    for (const row of d.json?.slots ?? []) {
      if (row.type === 'null') continue;
      const cap: CapNode = {
        kind: 'cap',
        id: capId(d.pid, row),
        addr: hex(row.addr),
        pid: d.pid,
        slot: row.slot,
        type: row.type,
        objectId: row.object_id,
        rights: row.rights,
        badge: row.badge ? `0x${row.badge.toString(16)}` : '',
        parent: hex(row.parent),
      };
      all.push(cap);
      byAddr.set(cap.addr, cap);
    }
  }
  const parentOf = (c: CapNode) => (c.parent && c.parent !== '0x0' ? byAddr.get(c.parent) : undefined);
  const children = new Map<string, CapNode[]>();
  for (const c of all) {
    const p = parentOf(c);
    if (p) children.set(p.addr, [...(children.get(p.addr) ?? []), c]);
  }

  // Which caps to show: the focus's own, their ancestors and their descendants.
  const shown = new Set<CapNode>();
  const seeds = focus === null ? all : all.filter((c) => c.pid === focus);
  for (const s of seeds) {
    for (let a: CapNode | undefined = s; a && !shown.has(a); a = parentOf(a)) shown.add(a);
    const stack = [s];
    while (stack.length) for (const k of children.get(stack.pop()!.addr) ?? []) if (!shown.has(k)) { shown.add(k); stack.push(k); }
  }

  const caps = all.filter((c) => shown.has(c));
  const pids = [...new Set(caps.map((c) => c.pid).concat(focus !== null && names.has(focus) ? [focus] : []))].sort((a, b) => a - b);
  const processes: ProcessNode[] = pids.map((pid) => ({ kind: 'process', id: `p:${pid}`, pid, name: names.get(pid) ?? `tid ${pid}` }));
  const edges: GraphEdge[] = [];
  for (const c of caps) {
    edges.push({ id: `h:${c.id}`, source: `p:${c.pid}`, target: c.id, kind: 'holds' });
    const p = parentOf(c);
    if (p) {
      edges.push({ id: `d:${c.id}`, source: p.id, target: c.id, kind: 'derived' });
      c.parent = `${names.get(p.pid) ?? `tid ${p.pid}`} slot ${p.slot}`;
    } else c.parent = c.parent && c.parent !== '0x0' ? (slotNames.get(c.parent) ?? `slot ${c.parent}`) : '';
  }
  return { processes, caps, edges };
}

/** One line about a cap, as the graph's node shows it: "slot 4 · endpoint #3 · -WG · badge 0x8". */
export function capLabel(c: CapNode): string {
  return [`slot ${c.slot}`, `${c.type} #${c.objectId}`, c.rights, c.badge && `badge ${c.badge}`].filter(Boolean).join(' · ');
}
