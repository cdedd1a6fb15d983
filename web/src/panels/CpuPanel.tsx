// CPU: the core as the machine holds it — exception level, the EL0 PC (function · instruction),
// SP and X0..X7 of the EL0 register file, and the ARM-side registers of the last kernel entry
// (ELR/ESR/FAR/SPSR_EL1) — with values that changed since the previous status highlighted; and
// the disassembly of the function the EL0 PC is in (its next instruction highlighted; click a line
// for an instruction breakpoint there); and breakpoints on what the kernel traces — a syscall, IPC
// through an endpoint, a fault in a VA range, a switch to a thread: "Run to breakpoint" stops right
// after the kernel entry that matched — or on a service's function or instruction: it stops right
// before it (hw/el0/debug.ts).

import { useRef, useState, useSyncExternalStore } from 'react';
import { machine, useIntro, useMachineStatus } from '../machineClient';
import { KI_VIEW, threadLabel, threadNames } from '../kernelViews';
import { SYSCALL_NAMES } from '../worker/entryCause';
import type { Breakpoint, CodeView, CpuState, ServiceFunctions } from '../worker/protocol';
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

function funcLabel(fns: ServiceFunctions[] | undefined, service: string, func: number): string {
  return fns?.find((f) => f.service === service)?.funcs.find(([i]) => i === func)?.[1] ?? `func[${func}]`;
}

function describe(b: Breakpoint, name: (tid: number) => string, fns: ServiceFunctions[] | undefined): string {
  switch (b.kind) {
    case 'syscall': return `syscall ${SYSCALL_NAMES[b.nr] ?? b.nr}`;
    case 'ipc': return `IPC through endpoint 0x${b.endpoint.toString(16)}`;
    case 'switch': return `switch to ${name(b.tid)}`;
    case 'fault': return `fault in [0x${b.from.toString(16)}, 0x${b.to.toString(16)})`;
    case 'func': return `function ${funcLabel(fns, b.service, b.func)} of ${b.service}`;
    case 'insn': return `instruction 0x${b.offset.toString(16)} in ${funcLabel(fns, b.service, b.func)} of ${b.service}`;
  }
}

let current: Breakpoint[] = [];
const listeners = new Set<() => void>();
/** The breakpoint list, shared by the form and the disassembly (a click adds one); the worker holds the truth. */
function setBreakpoints(next: Breakpoint[]): void {
  current = next;
  machine.send({ type: 'breakpoints', list: next });
  for (const l of listeners) l();
}
function useBreakpoints(): Breakpoint[] {
  return useSyncExternalStore((l) => { listeners.add(l); return () => listeners.delete(l); }, () => current);
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** The function the EL0 PC is in, disassembled; the next instruction highlighted. */
function Code({ code }: { code: CodeView | undefined }) {
  const bps = useBreakpoints();
  const s = useMachineStatus();
  if (!code) return <p className="dim" data-testid="code-none">{s.running ? 'running — pause to see the code' : 'no EL0 program here'}</p>;
  const service = code.service;
  const has = (off: number) => bps.some((b) => b.kind === 'insn' && b.service === service && b.func === code.func && b.offset === off);
  const toggle = (off: number) => {
    if (!service) return;
    setBreakpoints(has(off) ? bps.filter((b) => !(b.kind === 'insn' && b.service === service && b.func === code.func && b.offset === off)) : [...bps, { kind: 'insn', service, func: code.func, offset: off }]);
  };
  return (
    <>
      <p className="mono" data-testid="code-func">
        {service ?? '(unknown program)'} · {code.name} (func {code.func})
      </p>
      <div className="code-scroll">
        <table className="mono code" aria-label="Disassembly" data-testid="code">
          <tbody>
            {code.lines.map((l) => (
              <tr
                key={l.offset}
                className={`clickable${l.offset === code.offset ? ' current' : ''}`}
                data-testid={l.offset === code.offset ? 'code-current' : undefined}
                ref={l.offset === code.offset ? (el) => el?.scrollIntoView({ block: 'nearest' }) : undefined}
                onClick={() => toggle(l.offset)}
                title="toggle an instruction breakpoint"
              >
                <td className="bp-mark">{has(l.offset) ? '●' : ''}</td>
                <th>{hex(l.offset)}</th>
                <td>{l.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Breakpoints() {
  const s = useMachineStatus();
  const fns = s.bootImage.functions;
  const threads = useIntro({ what: KI_VIEW.THREADS, arg: 0 });
  const objs = useIntro({ what: KI_VIEW.OBJECTS, arg: 0 });
  const names = threads?.ok ? threadNames(threads.json) : new Map<number, string>();
  const tids = threads?.ok ? threads.json.map((t) => t.tid) : [];
  const endpoints = objs?.ok ? objs.json.endpoints : [];
  const bps = useBreakpoints();
  const [kind, setKind] = useState<Breakpoint['kind']>('syscall');
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [c, setC] = useState('');
  const update = setBreakpoints;
  const add = () => {
    const n = (v: string) => Number(v.trim());
    let bp: Breakpoint;
    switch (kind) {
      case 'syscall': bp = { kind, nr: n(a) }; break;
      case 'ipc': bp = { kind, endpoint: n(a) }; break;
      case 'switch': bp = { kind, tid: n(a) }; break;
      case 'fault': bp = { kind, from: n(a), to: n(b) }; break;
      case 'func': bp = { kind, service: a, func: n(b) }; break;
      case 'insn': bp = { kind, service: a, func: n(b), offset: n(c) }; break;
    }
    if (Object.values(bp).some((v) => typeof v === 'number' && !Number.isFinite(v))) return;
    update([...bps, bp]);
  };
  const serviceFuncs = fns?.find((f) => f.service === a)?.funcs ?? [];
  const incomplete = a === '' || (kind === 'fault' && b === '') || (kind === 'func' && b === '') || (kind === 'insn' && (b === '' || c === ''));
  return (
    <>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <select value={kind} onChange={(e) => { setKind(e.target.value as Breakpoint['kind']); setA(''); setB(''); setC(''); }} data-testid="bp-kind" aria-label="Breakpoint kind">
          <option value="syscall">syscall</option>
          <option value="ipc">IPC through endpoint</option>
          <option value="fault">fault in VA range</option>
          <option value="switch">switch to thread</option>
          <option value="func">function of a service</option>
          <option value="insn">instruction of a service</option>
        </select>
        {(kind === 'func' || kind === 'insn') && (
          <>
            <select value={a} onChange={(e) => { setA(e.target.value); setB(''); }} data-testid="bp-a" aria-label="Service">
              <option value="">—</option>
              {(fns ?? []).map((f) => <option key={f.service} value={f.service}>{f.service}</option>)}
            </select>
            <select value={b} onChange={(e) => setB(e.target.value)} data-testid="bp-b" aria-label="Function">
              <option value="">—</option>
              {serviceFuncs.map(([i, nm]) => <option key={i} value={i}>{nm === `func[${i}]` ? nm : `${nm} (func ${i})`}</option>)}
            </select>
          </>
        )}
        {kind === 'insn' && (
          <input value={c} onChange={(e) => setC(e.target.value)} placeholder="offset 0x…" size={10} className="mono" data-testid="bp-c" aria-label="Instruction offset in the image" />
        )}
        {kind === 'syscall' && (
          <select value={a} onChange={(e) => setA(e.target.value)} data-testid="bp-a" aria-label="Syscall">
            <option value="">—</option>
            {SYSCALL_NAMES.map((nm, i) => <option key={nm} value={i}>{i} {nm}</option>)}
          </select>
        )}
        {kind === 'ipc' && (
          <select value={a} onChange={(e) => setA(e.target.value)} data-testid="bp-a" aria-label="Endpoint">
            <option value="">—</option>
            {endpoints.map((e) => <option key={e.addr} value={e.addr}>endpoint #{e.id} ({e.addr})</option>)}
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
        <button type="submit" disabled={incomplete} data-testid="bp-add">Add</button>
      </form>
      {bps.length === 0 ? (
        <p className="dim">no breakpoints</p>
      ) : (
        <ul className="mono" data-testid="bp-list">
          {bps.map((bp, i) => (
            <li key={i}>
              {describe(bp, (t) => threadLabel(t, names), fns)} <button onClick={() => update(bps.filter((_, j) => j !== i))} aria-label="Remove breakpoint">✕</button>
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

function CodeSection() {
  const s = useMachineStatus();
  return <Code code={s.cpu?.code} />;
}

export function CpuPanel() {
  return (
    <div className="panel" data-testid="cpu">
      <h3>Core</h3>
      <Registers />
      <h3>Code</h3>
      <CodeSection />
      <h3>Breakpoints</h3>
      <Breakpoints />
    </div>
  );
}
