// CPU: the core as the machine holds it — exception level, the EL0 PC (function · instruction),
// SP and X0..X7 of the EL0 register file, and the ARM-side registers of the last kernel entry
// (ELR/ESR/FAR/SPSR_EL1) — with values that changed since the previous status highlighted; and
// breakpoints on what the kernel traces: a syscall, IPC through an endpoint, a fault in a VA range,
// a switch to a thread. "Run to breakpoint" stops right after the kernel entry that matched.

import { useRef, useState } from 'react';
import { machine, useIntro, useMachineStatus } from '../machineClient';
import { VIEW, field, list, num, threadLabel, threadNames, threadsOf } from '../kernelViews';
import { SYSCALL_NAMES } from '../worker/entryCause';
import type { Breakpoint, CpuState } from '../worker/protocol';
import './panels.css';

type Cell = [string, string];

function cells(c: CpuState): Cell[] {
  return [
    ['EL', `EL${c.el}`],
    ['PC', `func ${c.pcFunc} · instr ${c.pcInstr === 0xffffffff ? 'entry' : c.pcInstr}`],
    ['SP', c.sp],
    ...c.x.map((v, i): Cell => [`X${i}`, v]),
    ['ELR_EL1', c.elr],
    ['ESR_EL1', c.esr],
    ['FAR_EL1', c.far],
    ['SPSR_EL1', c.spsr],
  ];
}

function Registers() {
  const s = useMachineStatus();
  const prev = useRef<Record<string, string>>({});
  const shown = useRef<{ now: Record<string, string>; changed: Set<string> }>({ now: {}, changed: new Set() });
  if (!s.cpu) return <p className="dim">no machine yet</p>;
  const now = Object.fromEntries(cells(s.cpu));
  if (JSON.stringify(now) !== JSON.stringify(shown.current.now)) {
    prev.current = shown.current.now;
    shown.current = { now, changed: new Set(Object.keys(now).filter((k) => prev.current[k] !== undefined && prev.current[k] !== now[k])) };
  }
  return (
    <table className="mono regs" aria-label="Core registers" data-testid="cpu-regs">
      <tbody>
        {cells(s.cpu).map(([k, v]) => (
          <tr key={k} className={shown.current.changed.has(k) ? 'changed' : undefined}>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const describe = (b: Breakpoint, name: (tid: number) => string): string =>
  b.kind === 'syscall' ? `syscall ${SYSCALL_NAMES[b.nr] ?? b.nr}` : b.kind === 'ipc' ? `IPC through endpoint 0x${b.endpoint.toString(16)}` : b.kind === 'switch' ? `switch to ${name(b.tid)}` : `fault in [0x${b.from.toString(16)}, 0x${b.to.toString(16)})`;

let current: Breakpoint[] = [];

function Breakpoints() {
  const s = useMachineStatus();
  const threads = useIntro({ what: VIEW.THREADS, arg: 0 });
  const objs = useIntro({ what: VIEW.OBJECTS, arg: 0 });
  const names = threads?.ok ? threadNames(threads.json) : new Map<number, string>();
  const tids = threads?.ok ? threadsOf(threads.json).map((t) => num(field(t, 'tid')) ?? 0) : [];
  const endpoints = objs?.ok ? list(objs.json, 'endpoints').map((e) => ({ id: num(field(e, 'id')), addr: num(field(e, 'addr')) })) : [];
  const [bps, setBps] = useState<Breakpoint[]>(current);
  const [kind, setKind] = useState<Breakpoint['kind']>('syscall');
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const update = (next: Breakpoint[]) => {
    current = next;
    setBps(next);
    machine.send({ type: 'breakpoints', list: next });
  };
  const add = () => {
    const n = (v: string) => Number(v.trim());
    const bp: Breakpoint | null =
      kind === 'syscall' ? { kind, nr: n(a) } : kind === 'ipc' ? { kind, endpoint: n(a) } : kind === 'switch' ? { kind, tid: n(a) } : { kind, from: n(a), to: n(b) };
    if (Object.values(bp).some((v) => typeof v === 'number' && !Number.isFinite(v))) return;
    update([...bps, bp]);
  };
  return (
    <>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <select value={kind} onChange={(e) => { setKind(e.target.value as Breakpoint['kind']); setA(''); setB(''); }} data-testid="bp-kind" aria-label="Breakpoint kind">
          <option value="syscall">syscall</option>
          <option value="ipc">IPC through endpoint</option>
          <option value="fault">fault in VA range</option>
          <option value="switch">switch to thread</option>
        </select>
        {kind === 'syscall' && (
          <select value={a} onChange={(e) => setA(e.target.value)} data-testid="bp-a" aria-label="Syscall">
            <option value="">—</option>
            {SYSCALL_NAMES.map((nm, i) => <option key={nm} value={i}>{i} {nm}</option>)}
          </select>
        )}
        {kind === 'ipc' && (
          <select value={a} onChange={(e) => setA(e.target.value)} data-testid="bp-a" aria-label="Endpoint">
            <option value="">—</option>
            {endpoints.map((e) => <option key={e.addr} value={e.addr}>endpoint #{e.id} (0x{e.addr?.toString(16)})</option>)}
          </select>
        )}
        {kind === 'switch' && (
          <select value={a} onChange={(e) => setA(e.target.value)} data-testid="bp-a" aria-label="Thread">
            <option value="">—</option>
            {tids.map((t) => <option key={t} value={t}>{threadLabel(t, names)}</option>)}
          </select>
        )}
        {kind === 'fault' && (
          <>
            <input value={a} onChange={(e) => setA(e.target.value)} placeholder="from 0x0" size={12} className="mono" data-testid="bp-a" aria-label="From VA" />
            <input value={b} onChange={(e) => setB(e.target.value)} placeholder="to 0x1000" size={12} className="mono" data-testid="bp-b" aria-label="To VA (exclusive)" />
          </>
        )}
        <button type="submit" disabled={a === '' || (kind === 'fault' && b === '')} data-testid="bp-add">Add</button>
      </form>
      {bps.length === 0 ? (
        <p className="dim">no breakpoints</p>
      ) : (
        <ul className="mono" data-testid="bp-list">
          {bps.map((bp, i) => (
            <li key={i}>
              {describe(bp, (t) => threadLabel(t, names))} <button onClick={() => update(bps.filter((_, j) => j !== i))} aria-label="Remove breakpoint">✕</button>
            </li>
          ))}
        </ul>
      )}
      <p>
        <button className="primary" disabled={bps.length === 0 || s.phase !== 'ready'} onClick={() => machine.send({ type: 'stepUntil', until: 'break' })} data-testid="bp-run">
          Run to breakpoint
        </button>{' '}
        {s.breakHit && <span data-testid="bp-hit">stopped at: {s.breakHit}</span>}
      </p>
    </>
  );
}

export function CpuPanel() {
  return (
    <div className="panel" data-testid="cpu">
      <h3>Core</h3>
      <Registers />
      <h3>Breakpoints</h3>
      <Breakpoints />
    </div>
  );
}
