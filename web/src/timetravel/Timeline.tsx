// The timeline (issue 15 part 5): the kernel's trace records over virtual time, a lane per thread
// — syscalls, IPC, faults, switches, IRQs — drawn on a canvas from the page's trace store (the
// records the kernel wrote, never a model of its own). The line marks the current moment; records
// after it (dimmed) are the known future after going back. Click: go to the end of the kernel
// entry that wrote the nearest record, backwards or forwards; drag to scrub (one jump at a time).

import { useEffect, useRef } from 'react';
import { machine, useMachineStatus, useTraceVersion } from '../machineClient';
import { FAULT_KINDS, IPC_KINDS, SWITCH_KINDS, kindOf } from '../../../host/traceKinds';
import { seek } from './client';

/** At most this many of the latest records are drawn. */
const SHOWN = 20_000;
const K_SYSCALL = kindOf('SYSCALL');
const K_IRQ = kindOf('IRQ');
const K_SWITCH = kindOf('SWITCH');

type Family = 'syscall' | 'ipc' | 'fault' | 'switch' | 'irq';
const COLORS: Record<Family, string> = { syscall: '#7aa2f7', ipc: '#7fd4a0', fault: '#f7768e', switch: '#e0af68', irq: '#bb9af7' };

function familyOf(kind: number): Family | null {
  if (IPC_KINDS.has(kind)) return 'ipc';
  if (FAULT_KINDS.has(kind)) return 'fault';
  if (SWITCH_KINDS.has(kind)) return 'switch';
  if (kind === K_SYSCALL) return 'syscall';
  if (kind === K_IRQ) return 'irq';
  return null;
}

interface Layout {
  from: number;
  to: number;
  t0: number;
  t1: number;
  lanes: number[];
  /** The drawn records: record number, x, lane. */
  dots: { n: number; x: number; lane: number }[];
}

export function Timeline() {
  const version = useTraceVersion();
  const s = useMachineStatus();
  const canvas = useRef<HTMLCanvasElement>(null);
  const layout = useRef<Layout | null>(null);
  const inFlight = useRef(false);
  const stepSeq = useRef(0);
  if ((s.step?.seq ?? 0) !== stepSeq.current) {
    stepSeq.current = s.step?.seq ?? 0;
    inFlight.current = false;
  }

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const t = machine.trace;
    const w = (c.width = c.clientWidth * devicePixelRatio);
    const h = (c.height = c.clientHeight * devicePixelRatio);
    const g = c.getContext('2d')!;
    g.clearRect(0, 0, w, h);
    // only the history time travel can reach: not the records a boot snapshot or a loaded state came with
    let from = Math.max(t.first, t.total - SHOWN);
    const startSeq = s.timeTravel?.startSeq ?? 0;
    while (from < t.total && t.seqAt(from) < startSeq) from++;
    if (t.total <= from) return;
    const t0 = t.ticksAt(from);
    const t1 = Math.max(t0 + 1, t.ticksAt(t.total - 1));
    // a lane per thread, in the order they first appear: the thread a record belongs to is its first argument (tid), a switch's the thread it switched to
    const lanes: number[] = [];
    const laneOf = (n: number, kind: number) => {
      const tid = kind === K_SWITCH ? t.argAt(n, 1) : kind === K_IRQ ? 0 : t.argAt(n, 0);
      let i = lanes.indexOf(tid);
      if (i < 0) i = lanes.push(tid) - 1;
      return i;
    };
    const dots: Layout['dots'] = [];
    for (let n = from; n < t.total; n++) {
      const k = t.kindAt(n);
      if (!familyOf(k)) continue;
      dots.push({ n, x: ((t.ticksAt(n) - t0) / (t1 - t0)) * (w - 8) + 4, lane: laneOf(n, k) });
    }
    const laneH = h / Math.max(1, lanes.length);
    const nowSeq = s.timeTravel?.seq ?? Infinity;
    for (const d of dots) {
      const fam = familyOf(t.kindAt(d.n))!;
      g.globalAlpha = t.seqAt(d.n) < nowSeq ? 1 : 0.3;
      g.fillStyle = COLORS[fam];
      const y = laneH * d.lane;
      g.fillRect(Math.round(d.x), y + 2, Math.max(1, devicePixelRatio), Math.max(2, laneH - 4));
    }
    g.globalAlpha = 1;
    // the current moment
    let nowX = w - 4;
    for (let i = dots.length - 1; i >= 0; i--) if (t.seqAt(dots[i].n) < nowSeq) { nowX = dots[i].x; break; }
    g.fillStyle = '#ffffff';
    g.fillRect(Math.round(nowX), 0, 2 * devicePixelRatio, h);
    g.fillStyle = '#9aa3b2';
    g.font = `${10 * devicePixelRatio}px monospace`;
    lanes.forEach((tid, i) => g.fillText(tid === 0 ? 'kernel' : `tid ${tid}`, 4, laneH * i + 11 * devicePixelRatio));
    layout.current = { from, to: t.total, t0, t1, lanes, dots };
  }, [version, s.timeTravel?.seq, s.timeTravel?.startSeq]);

  /** The drawn record nearest to a pointer position (in its lane when there is one near). */
  const pick = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const l = layout.current;
    const c = canvas.current;
    if (!l || !c || l.dots.length === 0) return null;
    const r = c.getBoundingClientRect();
    const x = (e.clientX - r.left) * devicePixelRatio;
    const lane = Math.floor(((e.clientY - r.top) / r.height) * l.lanes.length);
    let best = l.dots[0];
    let bestD = Infinity;
    for (const d of l.dots) {
      const dist = Math.abs(d.x - x) + (d.lane === lane ? 0 : 6 * devicePixelRatio);
      if (dist < bestD) { bestD = dist; best = d; }
    }
    return best.n;
  };

  const go = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (inFlight.current) return;
    const n = pick(e);
    if (n === null || !machine.trace.has(n)) return;
    inFlight.current = true;
    seek(machine.trace.seqAt(n), machine.trace.ticksAt(n));
  };

  return (
    <div className="timeline" data-testid="timeline" title="Kernel events over virtual time, a lane per thread: click to go there, drag to scrub">
      <canvas
        ref={canvas}
        role="img"
        aria-label="Timeline of kernel events"
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          go(e);
        }}
        onPointerMove={(e) => {
          if (e.buttons & 1) go(e);
        }}
      />
      <span className="tl-legend">
        {(Object.keys(COLORS) as Family[]).map((f) => (
          <span key={f} style={{ color: COLORS[f], marginLeft: '0.5em' }}>■ {f}</span>
        ))}
      </span>
    </div>
  );
}
