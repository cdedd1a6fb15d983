// Processes: every thread the kernel reports (ki_json view 0) with its pid, name, state and what
// it is blocked on, priority, CPU time and faults. Selecting a thread shows its registers (from
// the same answer), its process's capability space (view 1) and address space (view 2), and the
// endpoint and notification queues (view 3). Nothing here is computed from anything but the
// kernel's answers.

import { useMachineStatus, useIntro } from '../machineClient';
import { VIEW, field, list, num, pidsOf, threadLabel, threadNames, threadsOf, type Row } from '../kernelViews';
import { selectPid, useSelectedPid } from '../selection';
import { IntroGuard, RowTable } from './common';
import { CapTable } from './CapabilitiesPanel';
import { AddressSpace } from './MemoryPanel';
import './panels.css';
import { useState } from 'react';

const THREAD_COLS = ['tid', 'name', 'state', 'blocked_on', 'blocked_object', 'blockedOn', 'priority', 'prio', 'cpu_ticks', 'cpu', 'faults', 'current'];
/** Per-thread fields shown with the registers rather than as columns. */
// `pid` is the kernel's process id, equal to the tid of its only thread: one column (tid) shows it
const DETAIL = ['pid', 'regs', 'registers', 'context', 'pc', 'fault_kind', 'fault_addr', 'exit_code', 'asid', 'bound_notification', 'mcp'];

function Registers({ thread }: { thread: Row }) {
  // The EL0 register file from the kernel's thread view (ki_json view 6: X0–X7, PC, SP, FP, GP,
  // MEMPAGES…, as saved at the thread's last kernel entry), then its scalars (fault state, ASID).
  const tid = num(field(thread, 'tid', 'id'));
  const view = useIntro(tid === undefined ? null : { what: VIEW.THREAD, arg: tid });
  const detail = view?.ok && view.json && typeof view.json === 'object' ? (view.json as Row) : null;
  const regs = field(detail ?? thread, 'regs', 'registers', 'context');
  const regEntries =
    regs && typeof regs === 'object'
      ? Array.isArray(regs)
        ? regs.map((v, i) => [`x${i}`, v] as const)
        : Object.entries(regs as Record<string, unknown>)
      : [];
  const scalars = DETAIL.filter((k) => thread[k] !== undefined && !['regs', 'registers', 'context'].includes(k) && !(k === 'pc' && regEntries.length > 0));
  const entries = [...regEntries, ...scalars.map((k) => [k, thread[k]] as const)];
  if (entries.length === 0) return <p className="dim">the kernel's answer has no registers for this thread</p>;
  return (
    <>
      {detail && typeof detail.regs_saved_at === 'string' && <p className="dim">saved at the {detail.regs_saved_at}</p>}
      <table className="kt" aria-label="Registers" data-testid="registers">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td className="mono">{typeof v === 'number' && regs ? `0x${v.toString(16).padStart(16, '0')}` : String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function ProcessesPanel() {
  const threads = useIntro({ what: VIEW.THREADS, arg: 0 });
  const pid = useSelectedPid();
  const [tid, setTid] = useState<number | null>(null);
  return (
    <div className="panel" data-testid="processes">
      <h3>Threads</h3>
      <IntroGuard result={threads} what="the thread table">
        {(json) => {
          const rows = threadsOf(json);
          const selected = rows.find((r) => num(field(r, 'tid', 'id')) === tid) ?? null;
          return (
            <>
              <RowTable
                rows={rows}
                preferred={THREAD_COLS}
                skip={DETAIL}
                rowKey={(r, i) => String(field(r, 'tid', 'id') ?? i)}
                selected={tid === null ? null : String(tid)}
                onSelect={(r) => {
                  setTid(num(field(r, 'tid', 'id')) ?? null);
                  selectPid(num(field(r, 'pid')) ?? null);
                }}
                label="Threads"
                testId="threads"
              />
              <p className="dim">
                {rows.length} threads in {pidsOf(json).length} processes · current: <CurrentThread />
                <Counters />
              </p>
              {selected && (
                <>
                  <h3>Registers and fault state of tid {String(field(selected, 'tid', 'id'))}</h3>
                  <Registers thread={selected} />
                </>
              )}
            </>
          );
        }}
      </IntroGuard>
      {pid !== null && (
        <>
          <h3>Capability space of tid {pid}</h3>
          <CapTable pid={pid} />
          <h3>Address space of tid {pid}</h3>
          <AddressSpace pid={pid} />
        </>
      )}
      <Objects />
    </div>
  );
}

function Objects() {
  const objs = useIntro({ what: VIEW.OBJECTS, arg: 0 });
  return (
    <>
      <h3>Endpoints and notifications</h3>
      <IntroGuard result={objs} what="endpoint queues">
        {(json) => (
          <>
            <RowTable rows={list(json, 'endpoints')} preferred={['id', 'addr', 'state', 'queue', 'refs']} rowKey={(r, i) => String(field(r, 'id', 'addr') ?? i)} label="Endpoints" testId="endpoints" />
            <RowTable rows={list(json, 'notifications')} preferred={['id', 'addr', 'word', 'waiters', 'bound_tid', 'irq', 'refs']} rowKey={(r, i) => String(field(r, 'id', 'addr') ?? i)} label="Notifications" />
          </>
        )}
      </IntroGuard>
    </>
  );
}

/** Kernel-wide counters (ki_json view 5). */
function Counters() {
  const c = useIntro({ what: VIEW.COUNTERS, arg: 0 });
  if (!c?.ok || !c.json || typeof c.json !== 'object') return null;
  return <> · {Object.entries(c.json as Row).map(([k, v]) => `${k} ${String(v)}`).join(' · ')}</>;
}

function CurrentThread() {
  const threads = useIntro({ what: VIEW.THREADS, arg: 0 });
  return <>{threadLabel(useMachineStatus().tid, threads?.ok ? threadNames(threads.json) : new Map())}</>;
}
