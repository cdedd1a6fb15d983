// Capabilities: one process's capability slots (type, object, rights, badge) from ki_json view 1,
// the capability graph (CapGraph.tsx, loaded on demand: processes, their caps and the derivation
// tree, laid out automatically) and the derivation tree as a list, built from the `parent` links
// the kernel gives for each slot. All refresh with the status, so a revoked capability disappears
// as the kernel deletes it.

import { lazy, Suspense, useState } from 'react';
import { useIntro, useIntros } from '../machineClient';
import { VIEW, field, list, num, pidsOf, rightsText, slotsOf, type Row } from '../kernelViews';
import { useSelectedPid } from '../selection';
import { IntroGuard, PidPicker, RowTable } from './common';
import './panels.css';

// React Flow and ELK are big: the graph's chunk loads when the panel first shows it.
const CapGraph = lazy(() => import('./CapGraph'));

const SLOT_COLS = ['slot', 'cptr', 'type', 'object_id', 'object', 'rights', 'badge', 'parent', 'mapped_va'];

export function CapTable({ pid }: { pid: number }) {
  const cs = useIntro({ what: VIEW.CSPACE, arg: pid });
  return (
    <IntroGuard result={cs} what="the capability space">
      {(json) => (
        <>
          <RowTable
            rows={slotsOf(json).filter((r) => field(r, 'type') !== 'null' && field(r, 'type') !== 0)}
            preferred={SLOT_COLS}
            skip={['id', 'addr']}
            format={{ rights: (v) => rightsText(v) }}
            rowKey={(r, i) => String(field(r, 'slot', 'cptr') ?? i)}
            label={`Capabilities of tid ${pid}`}
            testId="cap-table"
          />
          {list(json, 'tcb_slots').length > 0 && (
            <>
              <p className="dim">the thread's own slots (CSpace root, VSpace, IPC buffer…):</p>
              <RowTable rows={list(json, 'tcb_slots')} preferred={SLOT_COLS} skip={['id', 'addr']} format={{ rights: (v) => rightsText(v) }} rowKey={(r, i) => `t${String(field(r, 'slot') ?? i)}`} label="TCB slots" />
            </>
          )}
        </>
      )}
    </IntroGuard>
  );
}

interface Node {
  id: string;
  pid: number;
  row: Row;
  children: Node[];
}

/** The derivation forest: every slot with an id, children under the slot their `parent` names. */
function forest(perPid: { pid: number; rows: Row[] }[]): Node[] | null {
  const nodes = new Map<string, Node>();
  let linked = false;
  for (const { pid, rows } of perPid)
    for (const row of rows) {
      const id = field(row, 'addr', 'id');
      if (id === undefined) continue;
      nodes.set(String(id), { id: String(id), pid, row, children: [] });
      if (field(row, 'parent') !== undefined) linked = true;
    }
  if (!linked) return null;
  const roots: Node[] = [];
  for (const n of nodes.values()) {
    const p = field(n.row, 'parent');
    const parent = p === undefined || p === null || num(p) === 0 ? undefined : nodes.get(String(p));
    (parent ? parent.children : roots).push(n);
  }
  return roots;
}

function Tree({ nodes, names }: { nodes: Node[]; names: Map<number, string> }) {
  return (
    <ul className="cap-tree">
      {nodes.map((n) => (
        <li key={n.id}>
          <span className="mono">
            {names.get(n.pid) ?? 'tid'} {n.pid} · slot {String(field(n.row, 'slot', 'cptr') ?? '?')} · {String(field(n.row, 'type') ?? '?')}{' '}
            {rightsText(field(n.row, 'rights'))}
            {num(field(n.row, 'badge')) ? ` badge ${String(field(n.row, 'badge'))}` : ''}
          </span>
          {n.children.length > 0 && <Tree nodes={n.children} names={names} />}
        </li>
      ))}
    </ul>
  );
}

function DerivationTree({ pids, names }: { pids: number[]; names: Map<number, string> }) {
  const answers = useIntros(pids.map((pid) => ({ what: VIEW.CSPACE, arg: pid })));
  const perPid = pids.map((pid, i) => ({ pid, rows: answers[i]?.ok ? slotsOf(answers[i]!.json) : [] }));
  const roots = forest(perPid);
  if (roots === null) return <p className="dim">the kernel's capability dumps carry no derivation links (no slot has a parent field)</p>;
  return <Tree nodes={roots} names={names} />;
}

function GraphSection({ pids, pid }: { pids: { pid: number; name: string }[]; pid: number | null }) {
  const [all, setAll] = useState(false);
  return (
    <>
      <h3>Capability graph</h3>
      <label>
        <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} data-testid="cap-graph-all" /> every process (else the picked one, what its caps derive from and what derives from them)
      </label>
      <Suspense fallback={<p className="dim">loading the graph…</p>}>
        <CapGraph pids={pids} focus={all ? null : pid} />
      </Suspense>
    </>
  );
}

export function CapabilitiesPanel() {
  const threads = useIntro({ what: VIEW.THREADS, arg: 0 });
  const pid = useSelectedPid();
  return (
    <div className="panel" data-testid="capabilities">
      <IntroGuard result={threads} what="capabilities">
        {(json) => {
          const pids = pidsOf(json);
          return (
            <>
              <div className="row">
                <PidPicker pids={pids} pid={pid} />
              </div>
              {pid === null ? <p className="dim">pick a process</p> : <CapTable pid={pid} />}
              <GraphSection pids={pids} pid={pid} />
              <h3>Derivation tree (all processes)</h3>
              <DerivationTree pids={pids.map((p) => p.pid)} names={new Map(pids.map((p) => [p.pid, p.name]))} />
            </>
          );
        }}
      </IntroGuard>
    </div>
  );
}
