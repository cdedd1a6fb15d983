// The capability graph's data (web/src/capGraph.ts) from ki_json view 1 dumps: which caps show for
// a focused process, the derivation edges, parents named by their holder, badges in hex.
import { describe, expect, it } from 'vitest';
import { buildCapGraph, capLabel } from '../../web/src/capGraph';
import type { KiCap, KiCspace } from '../../host/kiViews';

const slot = (slot: number, addr: number, type: string, parent: number, extra: Partial<KiCap> = {}): KiCap =>
  ({ slot, addr: `0x${addr.toString(16)}`, type, object: '0x2000000', object_id: slot, rights: 'RWG', badge: 0, parent: `0x${parent.toString(16)}`, ...extra });

const cspace = (tid: number, slots: KiCap[], tcb_slots: KiCap[] = []): KiCspace => ({ tid, slots, tcb_slots });
const dumps = [
  { pid: 1, name: 'init', json: cspace(1, [slot(55, 0x100, 'untyped', 0), slot(63, 0x120, 'endpoint', 0x100), slot(70, 0x140, 'endpoint', 0x100)], [slot(1, 0x900, 'vspace', 0)]) },
  { pid: 8, name: 'shell', json: cspace(8, [slot(4, 0x200, 'endpoint', 0x120, { rights: '-W-', badge: 8 }), slot(3, 0x220, 'vspace', 0x900)]) },
  { pid: 9, name: 'agent', json: cspace(9, [slot(4, 0x300, 'endpoint', 0x140, { badge: 9 }), slot(48, 0x320, 'endpoint', 0x300, { rights: '--G', badge: 9 })]) },
];

describe('capability graph data', () => {
  it('a focused process: its caps, their ancestors and descendants, the holders of those', () => {
    const g = buildCapGraph(dumps, 8);
    expect(g.processes.map((p) => p.name)).toEqual(['init', 'shell']);
    expect(g.caps.map((c) => `${c.pid}:${c.slot}`).sort()).toEqual(['1:55', '1:63', '8:3', '8:4']);
    const ep = g.caps.find((c) => c.pid === 8 && c.slot === 4)!;
    expect(ep.parent).toBe('init slot 63');
    expect(ep.badge).toBe('0x8');
    expect(capLabel(ep)).toBe('slot 4 · endpoint #4 · -W- · badge 0x8');
    // a parent that is a thread's own slot is named, not drawn
    expect(g.caps.find((c) => c.pid === 8 && c.slot === 3)!.parent).toBe('init thread slot 1');
    expect(g.caps.find((c) => c.slot === 55)!.parent).toBe('');
    const derived = g.edges.filter((e) => e.kind === 'derived').map((e) => `${e.source.split(':')[2]}→${e.target.split(':')[2]}`);
    expect(derived.sort()).toEqual(['0x100→0x120', '0x120→0x200']);
    expect(g.edges.filter((e) => e.kind === 'holds')).toHaveLength(4);
  });

  it('every process: a minted cap under the cap it came from; a killed process\'s caps leave', () => {
    const all = buildCapGraph(dumps, null);
    expect(all.caps).toHaveLength(7);
    expect(all.caps.find((c) => c.pid === 9 && c.slot === 48)!.parent).toBe('agent slot 4');
    const gone = buildCapGraph(dumps.filter((d) => d.pid !== 9), null);
    expect(gone.caps.some((c) => c.pid === 9)).toBe(false);
    expect(gone.processes.map((p) => p.name)).toEqual(['init', 'shell']);
    // a cap in a slot refilled by another object is a different node (shown as new)
    const refilled = buildCapGraph([dumps[0], { ...dumps[1], json: cspace(8, [slot(4, 0x200, 'endpoint', 0x120, { object: '0x2005000', badge: 8 })]) }], 8);
    expect(refilled.caps.find((c) => c.pid === 8)!.id).not.toBe(buildCapGraph(dumps, 8).caps.find((c) => c.pid === 8 && c.slot === 4)!.id);
  });
});
