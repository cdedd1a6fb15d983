// Memory: a process's address space as the kernel reports it (ki_json view 2: regions, mappings,
// page-table levels and descriptors with rights), the physical frame map (view 4), page faults as
// the kernel traces them (FAULT records), and a diagnostic walk of any VA through the current
// TTBR0 by the MMU model itself (hw/mmu.ts walk(): levels, descriptors, decoded fields).

import { useEffect, useRef, useState } from 'react';
import { machine, useIntro, useTraceVersion } from '../machineClient';
import { KI_VIEW, pidsOf, threadLabel, threadNames, type KiMemory, type KiThread } from '../kernelViews';
import { F_EXIT, F_UNKNOWN_SYSCALL, F_USER_EXCEPTION, F_VM } from '../../../host/abi';
import { selectPid, useSelectedPid } from '../selection';
import { FAULT_KINDS, argIndex, kindOf } from '../../../host/traceKinds';
import type { WalkInfo } from '../worker/protocol';
import { IntroGuard, PidPicker, RowTable } from './common';
import { CNTFRQ } from '../../../hw/memmap';
import './panels.css';

const hex = (v: number) => `0x${v.toString(16)}`;

export function AddressSpace({ pid }: { pid: number }) {
  const vs = useIntro({ what: KI_VIEW.VSPACE, arg: pid });
  return (
    <IntroGuard result={vs} what="the address space">
      {(json) =>
        json === null ? (
          <p className="dim">tid {pid} has no address space (no such thread, or no VSpace)</p>
        ) : (
          <div data-testid="vspace">
            <p className="mono">
              {VSPACE_SCALARS.map((k) => `${k} ${json[k]}`).join(' · ')}
            </p>
            <RowTable rows={json.regions} columns={['start', 'end', 'rights', 'kind', 'demand_zero']} rowKey={(_, i) => `r${i}`} label="Regions" />
            <RowTable rows={json.pages} columns={['va', 'pa', 'rights', 'kind']} rowKey={(_, i) => `m${i}`} label="Mappings" testId="mappings" />
          </div>
        )
      }
    </IntroGuard>
  );
}

/** The address-space counters shown above its tables, in the kernel's order. */
const VSPACE_SCALARS = ['tid', 'id', 'asid', 'ttbr0', 'page_table_pages', 'demand_pages', 'frame_pages', 'quota_pages', 'charged_pages', 'mapped'] as const;

/** Colours of the frame uses the kernel names in `map_legend`. */
const FRAME_COLOURS: Record<string, string> = {
  free: '#3a4150',
  kernel: '#6cb6ff',
  pagetable: '#f0b45a',
  reserved: '#9aa3b2',
  bootimage: '#e3e6ec',
  demandzero: '#7fd4a0',
  imagedata: '#4fb08a',
  ipcbuffer: '#e08fd0',
  object: '#5a8fd8',
  poolfree: '#55607a',
  untyped: '#2f5d4a',
  frame: '#b8e07a',
};

/** Frame uses, one per RAM frame: the kernel's `map` (one character per frame) read through its `map_legend`. */
function frameUses(mem: KiMemory): string[] {
  return [...mem.map].map((c) => mem.map_legend[c] ?? c);
}

/** Counters as "a 1 · b 2". */
function flat(o: Record<string, number>): string {
  return Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ');
}

function FrameMap({ mem }: { mem: KiMemory }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const uses = frameUses(mem);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const cols = 128;
    const rows = Math.ceil(uses.length / cols);
    c.width = cols * 3;
    c.height = rows * 3;
    const g = c.getContext('2d')!;
    uses.forEach((u, i) => {
      g.fillStyle = FRAME_COLOURS[u.toLowerCase()] ?? '#f07a7a';
      g.fillRect((i % cols) * 3, Math.floor(i / cols) * 3, 3, 3);
    });
  });
  const { kernel_pool: pool } = mem;
  const scalars = (['page_size', 'ram_frames', 'boot_free_frames', 'core_frames', 'untyped_pages'] as const).map((k) => `${k} ${mem[k]}`);
  const groups: [string, string][] = [
    ...(mem.heap ? [['heap', flat(mem.heap)] as [string, string]] : []),
    ['kernel_pool', `total_pages ${pool.total_pages} · free_pages ${pool.free_pages} · used_pages {${flat(pool.used_pages)}}`],
    ['objects', flat(mem.objects)],
  ];
  const legend = [...new Set(uses)];
  return (
    <div data-testid="frame-map">
      <p className="mono">{scalars.join(' · ')}</p>
      {groups.map(([k, v]) => (
        <p key={k} className="mono">
          <b>{k}</b> {v}
        </p>
      ))}
      {uses.length > 0 ? (
        <>
          <canvas ref={canvas} className="frame-map" aria-label={`Frame map, ${uses.length} frames`} />
          <p className="mono">
            {legend.map((u) => (
              <span key={u} style={{ marginRight: '1em' }}>
                <span style={{ color: FRAME_COLOURS[u.toLowerCase()] ?? '#f07a7a' }}>■</span> {u} {uses.filter((x) => x === u).length}
              </span>
            ))}
          </p>
        </>
      ) : (
        <p className="dim">the kernel's memory answer has no per-frame map (only the counts above)</p>
      )}
    </div>
  );
}

/** The FAULT record's `kind` (the kernel's fault labels, docs/SYSCALLS.md §6). */
const FAULT_KIND: Record<number, string> = { [F_VM]: 'VM fault', [F_UNKNOWN_SYSCALL]: 'unknown syscall', [F_USER_EXCEPTION]: 'WebAssembly trap', [F_EXIT]: 'exit' };
/** The FAULT record's `handled`: how the kernel resolved it. */
const RESOLUTION: Record<number, string> = { 0: 'thread stopped (no handler)', 1: 'delivered to the fault handler', 2: 'demand-paged' };

/** The access that faulted, from ESR_EL1 (the record's `code`): EC data/instruction abort, WnR bit 6. */
export function accessOf(esr: number): string {
  const ec = esr >>> 26;
  if (ec === 0x24 || ec === 0x25) return esr & (1 << 6) ? 'write' : 'read';
  if (ec === 0x20 || ec === 0x21) return 'execute';
  return '—';
}

export interface FaultRow {
  n: number;
  seq: number;
  ticks: number;
  tid: number;
  kind: number;
  va: number;
  code: number;
  handled: number;
}

/** FAULT records the page still holds, newest first (at most `max`). */
export function faultRows(max: number): FaultRow[] {
  const FAULT = kindOf('FAULT');
  const t = machine.trace;
  const rows: FaultRow[] = [];
  if (FAULT === undefined) return rows;
  const a = (name: string) => argIndex(FAULT, name);
  for (let n = t.total - 1; n >= t.first && rows.length < max; n--) {
    if (t.kindAt(n) !== FAULT) continue;
    rows.push({
      n,
      seq: t.seqAt(n),
      ticks: t.ticksAt(n),
      tid: t.argAt(n, a('tid')),
      kind: t.argAt(n, a('kind')),
      va: t.argAt(n, a('addr_hi')) * 2 ** 32 + t.argAt(n, a('addr_lo')),
      code: t.argAt(n, a('code')),
      handled: t.argAt(n, a('handled')),
    });
  }
  return rows;
}

/** Live list of faults as the kernel traces them; clicking one walks its VA in its process's tables. */
function Faults({ onPick }: { onPick: (f: FaultRow, pid: number | undefined) => void }) {
  useTraceVersion();
  const threads = useIntro({ what: KI_VIEW.THREADS, arg: 0 });
  if (kindOf('FAULT') === undefined || FAULT_KINDS.size === 0) return <p className="dim">the kernel defines no FAULT trace records yet</p>;
  const rows = faultRows(200);
  const byTid = new Map<number, KiThread>(threads?.ok ? threads.json.map((th) => [th.tid, th]) : []);
  const names = threads?.ok ? threadNames(threads.json) : new Map<number, string>();
  if (rows.length === 0) return <p className="dim">no faults yet</p>;
  return (
    <div className="table-wrap">
      <table className="mono" aria-label="Faults" data-testid="faults">
        <thead>
          <tr>
            <th>time</th>
            <th>thread</th>
            <th>fault</th>
            <th>VA</th>
            <th>access</th>
            <th>resolution</th>
            <th>ESR</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((f) => {
            const pid = byTid.get(f.tid)?.pid;
            return (
              <tr key={f.n} className="clickable" onClick={() => onPick(f, pid)} title="Walk this address in this process's page tables" data-handled={f.handled}>
                <td>{((f.ticks / CNTFRQ) * 1e3).toFixed(3)} ms</td>
                <td>{threadLabel(f.tid, names)}</td>
                <td>{FAULT_KIND[f.kind] ?? `kind ${f.kind}`}</td>
                <td data-testid="fault-va">0x{f.va.toString(16)}</td>
                <td>{accessOf(f.code)}</td>
                <td data-testid="fault-resolution">{RESOLUTION[f.handled] ?? `handled ${f.handled}`}</td>
                <td>0x{f.code.toString(16)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

interface WalkRequest {
  va: number;
  key: number;
  /** Set when the faulting thread no longer exists: its page tables went with it. */
  goneTid?: number;
}

function Walk({ pid, request }: { pid: number | null; request: WalkRequest | null }) {
  const vs = useIntro(pid === null ? null : { what: KI_VIEW.VSPACE, arg: pid });
  const ttbr = vs?.ok ? vs.json?.ttbr0 : undefined;
  const [va, setVa] = useState('0x10000');
  const [res, setRes] = useState<{ info: WalkInfo | null; error?: string } | null>(null);
  const run = async (v: number) => {
    if (!Number.isFinite(v)) return setRes({ info: null, error: 'not a number' });
    setRes(await machine.walk(v, ttbr));
  };
  // A fault picked in the list: walk its VA once the picked process's TTBR0 is known.
  const done = useRef(0);
  useEffect(() => {
    if (!request || done.current === request.key || (request.goneTid === undefined && pid !== null && !ttbr)) return;
    done.current = request.key;
    setVa(`0x${request.va.toString(16)}`);
    if (request.goneTid !== undefined)
      setRes({ info: null, error: `thread ${request.goneTid} no longer exists: its address space and page tables were freed with it (walk the VA in a live process with the picker and "Walk")` });
    else void run(request.va);
  });
  return (
    <>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(Number(va));
        }}
      >
        <label className="field">
          VA <input value={va} onChange={(e) => setVa(e.target.value)} size={14} className="mono" data-testid="walk-va" />
        </label>
        <button type="submit">Walk</button>
        <span className="dim" data-testid="walk-ttbr">{ttbr ? `through TTBR0 ${ttbr} (process ${pid})` : 'through the current TTBR0 (the running thread)'}</span>
      </form>
      {res?.error && <p className="error" data-testid="walk-error">{res.error}</p>}
      {res?.info && (
        <div data-testid="walk-result">
          <p className="mono">
            0x{res.info.va.toString(16)}: {res.info.mmuOn ? 'MMU on' : 'MMU off'} · ASID {res.info.asid} · start level {res.info.startLevel} →{' '}
            {res.info.fault ? <span className="error">fault {JSON.stringify(res.info.fault)}</span> : <>PA {hex(res.info.pa)} {res.info.perms}</>}
          </p>
          <RowTable
            rows={res.info.steps.map((s) => ({ level: s.level, table: hex(s.tablePa), index: s.index, desc: s.desc, kind: s.kind, addr: hex(s.addr), fields: Object.entries(s.fields).map(([k, v]) => `${k}=${v}`).join(' ') }))}
            columns={['level', 'table', 'index', 'desc', 'kind', 'addr', 'fields']}
            rowKey={(r) => String(r.level)}
            label="Walk"
          />
        </div>
      )}
    </>
  );
}

export function MemoryPanel() {
  const threads = useIntro({ what: KI_VIEW.THREADS, arg: 0 });
  const mem = useIntro({ what: KI_VIEW.MEMORY, arg: 0 });
  const pid = useSelectedPid();
  const [walkReq, setWalkReq] = useState<WalkRequest | null>(null);
  const pids = threads?.ok ? pidsOf(threads.json) : [];
  // The picker never starts empty: the first process (init) until one is chosen.
  useEffect(() => {
    if (pid === null && pids.length > 0) selectPid(pids[0].pid);
  }, [pid, pids.length]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <div className="panel" data-testid="memory">
      <h3>Address space</h3>
      <IntroGuard result={threads} what="address spaces">
        {(json) => (
          <>
            <div className="row">
              <PidPicker pids={pidsOf(json)} pid={pid} />
            </div>
            {pid !== null && <AddressSpace pid={pid} />}
          </>
        )}
      </IntroGuard>
      <h3>Faults</h3>
      <Faults
        onPick={(f, p) => {
          if (p !== undefined) selectPid(p);
          setWalkReq({ va: f.va, key: f.n + 1, goneTid: p === undefined ? f.tid : undefined });
        }}
      />
      <h3>Page-table walk</h3>
      <Walk pid={pid} request={walkReq} />
      <h3>Physical memory</h3>
      <IntroGuard result={mem} what="the frame map">
        {(json) => <FrameMap mem={json} />}
      </IntroGuard>
    </div>
  );
}
