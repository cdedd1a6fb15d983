// Capabilities: one process's capability slots (type, object, rights, badge) from ki_json view 1,
// the capability graph (CapGraph.tsx, loaded on demand: processes, their caps and the derivation
// tree, laid out automatically) and the derivation tree as a list, built from the `parent` links
// the kernel gives for each slot. All refresh with the status, so a revoked capability disappears
// as the kernel deletes it.

import { lazy, Suspense, useState } from 'react';
import { useIntro, useIntros } from '../machineClient';
import { KI_VIEW, pidsOf, type KiCap } from '../kernelViews';
import { useSelectedPid } from '../selection';
import { IntroGuard, PidPicker, RowTable } from './common';
import './panels.css';

// React Flow and ELK are big: the graph's chunk loads when the panel first shows it.
const CapGraph = lazy(() => import('./CapGraph'));

const SLOT_COLS = ['slot', 'type', 'object_id', 'object', 'rights', 'badge', 'parent', 'mapped_va', 'size_bits', 'used'] as const;

export function CapTable({ pid }: { pid: number }) {
  const cs = useIntro({ what: KI_VIEW.CSPACE, arg: pid });
  return (
    <IntroGuard result={cs} what="the capability space">
      {(json) =>
        json === null ? (
          <p className="dim">tid {pid} no longer exists</p>
        ) : (
          <>
            <RowTable rows={json.slots.filter((r) => r.type !== 'null')} columns={SLOT_COLS} rowKey={(r) => String(r.slot)} label={`Capabilities of tid ${pid}`} testId="cap-table" />
            {json.tcb_slots.length > 0 && (
              <>
                <p className="dim">the thread's own slots (CSpace root, VSpace, IPC buffer…):</p>
                <RowTable rows={json.tcb_slots} columns={SLOT_COLS} rowKey={(r) => `t${r.slot}`} label="TCB slots" />
              </>
            )}
          </>
        )
      }
    </IntroGuard>
  );
}

interface Node {
  pid: number;
  cap: KiCap;
  children: Node[];
}

/** The derivation forest: every slot, children under the slot their `parent` names (0x0: an original). */
function forest(perPid: { pid: number; caps: KiCap[] }[]): Node[] {
  const nodes = new Map<string, Node>();
  for (const { pid, caps } of perPid) for (const cap of caps) nodes.set(cap.addr, { pid, cap, children: [] });
  const roots: Node[] = [];
  for (const n of nodes.values()) {
    const parent = nodes.get(n.cap.parent);
    (parent ? parent.children : roots).push(n);
  }
  return roots;
}

function Tree({ nodes, names }: { nodes: Node[]; names: Map<number, string> }) {
  return (
    <ul className="cap-tree">
      {nodes.map((n) => (
        <li key={n.cap.addr}>
          <span className="mono">
            {names.get(n.pid) ?? 'tid'} {n.pid} · slot {n.cap.slot} · {n.cap.type} {n.cap.rights}
            {n.cap.badge ? ` badge ${n.cap.badge}` : ''}
          </span>
          {n.children.length > 0 && <Tree nodes={n.children} names={names} />}
        </li>
      ))}
    </ul>
  );
}

function DerivationTree({ pids, names }: { pids: number[]; names: Map<number, string> }) {
  const answers = useIntros(pids.map((pid) => ({ what: KI_VIEW.CSPACE, arg: pid })));
  const perPid = pids.map((pid, i) => {
    const a = answers[i];
    return { pid, caps: a?.ok && a.json ? a.json.slots : [] };
  });
  return <Tree nodes={forest(perPid)} names={names} />;
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
  const threads = useIntro({ what: KI_VIEW.THREADS, arg: 0 });
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
