// The capability graph: processes, the capabilities they hold and the derivation tree between
// them (web/src/capGraph.ts builds it from ki_json view 1), laid out by ELK (layered, left to
// right: a process, then its caps, then the caps derived from those) and drawn with React Flow.
// Loaded on demand (CapabilitiesPanel imports it lazily): neither library is in the first load.
// When the kernel deletes caps (a revoke, a killed process), their nodes fade out where they were;
// a cap that appears is highlighted for a moment.

import { useEffect, useMemo, useRef, useState } from 'react';
import { Background, Controls, MarkerType, ReactFlow, type Edge, type Node, type ReactFlowInstance } from '@xyflow/react';
import ELK from 'elkjs/lib/elk.bundled.js';
import '@xyflow/react/dist/style.css';
import { useIntros } from '../machineClient';
import { KI_VIEW } from '../kernelViews';
import { buildCapGraph, capLabel, type CapGraphModel, type CapNode, type ProcessNode } from '../capGraph';
import './CapGraph.css';

const elk = new ELK();
const SIZE = { process: { width: 130, height: 36 }, cap: { width: 190, height: 50 } };
/** How long a deleted cap stays on screen (fading), and a new one stays highlighted, in ms. */
const GONE_MS = 1200;
const NEW_MS = 3000;

type Positions = Map<string, { x: number; y: number }>;

async function layout(model: CapGraphModel): Promise<Positions> {
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '10',
    },
    children: [...model.processes, ...model.caps].map((n) => ({ id: n.id, ...SIZE[n.kind] })),
    edges: model.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  return new Map((graph.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]));
}

function ProcessLabel({ p }: { p: ProcessNode }) {
  return (
    <div data-testid="cap-graph-process" data-pid={p.pid}>
      <strong>{p.name}</strong> <span className="dim">tid {p.pid}</span>
    </div>
  );
}

function CapLabel({ c }: { c: CapNode }) {
  return (
    <div data-testid="cap-graph-cap" data-pid={c.pid} data-slot={c.slot} data-type={c.type}>
      <div className="mono">{capLabel(c)}</div>
      <div className="dim cap-graph-parent">{c.parent ? `from ${c.parent}` : 'original'}</div>
    </div>
  );
}

interface Shown {
  model: CapGraphModel;
  positions: Positions;
}

/** The graph of `focus` (a pid, or null for every process), refreshed with the kernel's answers. */
export default function CapGraph({ pids, focus }: { pids: { pid: number; name: string }[]; focus: number | null }) {
  const answers = useIntros(pids.map((p) => ({ what: KI_VIEW.CSPACE, arg: p.pid })));
  const ready = answers.every((a) => a !== undefined);
  // Rebuilt only when an answer changed (the page re-parses an answer only when its text changed).
  const built = useRef<{ inputs: unknown[]; model: CapGraphModel } | null>(null);
  const inputs = [focus, ...pids.flatMap((p, i) => [p.pid, p.name, answers[i]])];
  if (!built.current || built.current.inputs.length !== inputs.length || inputs.some((v, i) => v !== built.current!.inputs[i])) {
    const dumps = pids.map((p, i) => ({ pid: p.pid, name: p.name, json: answers[i]?.ok ? answers[i]!.json : undefined }));
    built.current = { inputs, model: buildCapGraph(dumps, focus) };
  }
  const model = built.current.model;
  const key = useMemo(() => JSON.stringify([model.processes.map((p) => p.id + p.name), model.caps.map((c) => c.id + c.parent), model.edges.map((e) => e.id)]), [model]);

  const [shown, setShown] = useState<Shown | null>(null);
  const [gone, setGone] = useState<{ nodes: Node[]; edges: Edge[] }>({ nodes: [], edges: [] });
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const flow = useRef<ReactFlowInstance | null>(null);
  const last = useRef<Shown | null>(null);

  useEffect(() => {
    if (!ready) return;
    let cancelled = false;
    layout(model).then((positions) => {
      if (cancelled) return;
      const prev = last.current;
      const next = { model, positions };
      if (prev) {
        // what the kernel deleted stays for a moment where it was, fading; what it made is marked
        const ids = new Set([...model.processes, ...model.caps].map((n) => n.id));
        const vanished = toNodes(prev).filter((n) => !ids.has(n.id)).map((n) => ({ ...n, className: `${n.className} cap-gone`, id: `gone:${n.id}` }));
        const vanishedEdges = prev.model.edges.filter((e) => !ids.has(e.source) || !ids.has(e.target)).map((e) => ({ ...toEdge(e), id: `gone:${e.id}`, source: ids.has(e.source) ? e.source : `gone:${e.source}`, target: ids.has(e.target) ? e.target : `gone:${e.target}`, className: 'cap-gone' }));
        if (vanished.length) {
          setGone({ nodes: vanished, edges: vanishedEdges });
          setTimeout(() => !cancelled && setGone({ nodes: [], edges: [] }), GONE_MS);
        }
        const before = new Set(prev.model.caps.map((c) => c.id));
        const added = new Set(model.caps.filter((c) => !before.has(c.id)).map((c) => c.id));
        if (added.size) {
          setFresh(added);
          setTimeout(() => !cancelled && setFresh(new Set()), NEW_MS);
        }
      }
      last.current = next;
      setShown(next);
      requestAnimationFrame(() => flow.current?.fitView({ padding: 0.1 }));
    });
    return () => { cancelled = true; };
  }, [key, ready]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!shown) return <p className="dim">laying out the capability graph…</p>;
  const nodes = [...toNodes(shown).map((n) => (fresh.has(n.id) ? { ...n, className: `${n.className} cap-new` } : n)), ...gone.nodes];
  const edges = [...shown.model.edges.map(toEdge), ...gone.edges];
  return (
    <div className="cap-graph" data-testid="cap-graph" aria-label="Capability graph: processes, the capabilities they hold and what each was derived from">
      <div className="cap-graph-canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        onInit={(i) => { flow.current = i; i.fitView({ padding: 0.1 }); }}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={24} />
        <Controls showInteractive={false} />
      </ReactFlow>
      </div>
      <p className="dim cap-graph-legend">
        <span className="cap-graph-key holds" /> holds · <span className="cap-graph-key derived" /> derived from (parent → child) · badges in hex · rights R (read) W (write) G (grant)
      </p>
    </div>
  );
}

function toNodes(s: Shown): Node[] {
  const at = (id: string) => s.positions.get(id) ?? { x: 0, y: 0 };
  return [
    ...s.model.processes.map((p) => ({ id: p.id, position: at(p.id), data: { label: <ProcessLabel p={p} /> }, className: 'cap-graph-node process', sourcePosition: 'right', targetPosition: 'left', style: SIZE.process }) as Node),
    ...s.model.caps.map((c) => ({ id: c.id, position: at(c.id), data: { label: <CapLabel c={c} /> }, className: `cap-graph-node cap t-${c.type}`, sourcePosition: 'right', targetPosition: 'left', style: SIZE.cap }) as Node),
  ];
}

function toEdge(e: CapGraphModel['edges'][number]): Edge {
  return e.kind === 'derived'
    ? { id: e.id, source: e.source, target: e.target, className: 'derived', markerEnd: { type: MarkerType.ArrowClosed } }
    : { id: e.id, source: e.source, target: e.target, className: 'holds' };
}
