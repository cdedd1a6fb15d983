// Processes: every thread the kernel reports (ki_json view 0) with its pid, name, state and what
// it is blocked on, priority, CPU time and faults. Selecting a thread shows its registers (from
// the same answer), its process's capability space (view 1) and address space (view 2), and the
// endpoint and notification queues (view 3). Nothing here is computed from anything but the
// kernel's answers.

import { useMachineStatus, useIntro } from '../machineClient';
import { KI_VIEW, pidsOf, threadLabel, threadNames, type KiThread } from '../kernelViews';
import { selectPid, useSelectedPid } from '../selection';
import { IntroGuard, RowTable } from './common';
import { CapTable } from './CapabilitiesPanel';
import { AddressSpace } from './MemoryPanel';
import './panels.css';
import { useState } from 'react';

const THREAD_COLS = ['tid', 'name', 'state', 'blocked_on', 'blocked_object', 'priority', 'cpu_ticks', 'faults', 'current', 'scheduled'] as const;
/**
 * Per-thread fields shown with the registers rather than as columns. `pid` is the kernel's
 * process id, equal to the tid of its only thread: one column (tid) shows it.
 */
const DETAIL = ['pid', 'pc', 'fault_kind', 'fault_addr', 'exit_code', 'asid', 'bound_notification', 'mcp'] as const;

function Registers({ thread }: { thread: KiThread }) {
  // The EL0 register file from the kernel's thread view (ki_json view 6: X0–X7, PC, SP, FP, GP,
  // MEMPAGES…, as saved at the thread's last kernel entry), then its scalars (fault state, ASID).
  const view = useIntro({ what: KI_VIEW.THREAD, arg: thread.tid });
  const detail = view?.ok ? view.json : null;
  const regEntries = Object.entries(detail?.regs ?? {});
  // the saved PC is among the registers when the kernel gave them
  const scalars = DETAIL.filter((k) => !(k === 'pc' && regEntries.length > 0));
  const entries = [...regEntries, ...scalars.map((k) => [k, thread[k]] as const)];
  return (
    <>
      {detail && <p className="dim">saved at the {detail.regs_saved_at}</p>}
      <table className="kt" aria-label="Registers" data-testid="registers">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td className="mono">{String(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function ProcessesPanel() {
  const threads = useIntro({ what: KI_VIEW.THREADS, arg: 0 });
  const pid = useSelectedPid();
  const [tid, setTid] = useState<number | null>(null);
  return (
    <div className="panel" data-testid="processes">
      <h3>Threads</h3>
      <IntroGuard result={threads} what="the thread table">
        {(rows) => {
          const selected = rows.find((r) => r.tid === tid) ?? null;
          return (
            <>
              <RowTable
                rows={rows}
                columns={THREAD_COLS}
                rowKey={(r) => String(r.tid)}
                selected={tid === null ? null : String(tid)}
                onSelect={(r) => {
                  setTid(r.tid);
                  selectPid(r.pid);
                }}
                label="Threads"
                testId="threads"
              />
              <p className="dim">
                {rows.length} threads in {pidsOf(rows).length} processes · current: <CurrentThread />
                <Counters />
              </p>
              {selected && (
                <>
                  <h3>Registers and fault state of tid {selected.tid}</h3>
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
  const objs = useIntro({ what: KI_VIEW.OBJECTS, arg: 0 });
  return (
    <>
      <h3>Endpoints and notifications</h3>
      <IntroGuard result={objs} what="endpoint queues">
        {(json) => (
          <>
            <RowTable rows={json.endpoints} columns={['id', 'addr', 'state', 'queue', 'refs']} rowKey={(r) => String(r.id)} label="Endpoints" testId="endpoints" />
            <RowTable rows={json.notifications} columns={['id', 'addr', 'word', 'waiters', 'bound_tid', 'irq', 'refs']} rowKey={(r) => String(r.id)} label="Notifications" />
          </>
        )}
      </IntroGuard>
    </>
  );
}

/** Kernel-wide counters (ki_json view 5). */
function Counters() {
  const c = useIntro({ what: KI_VIEW.COUNTERS, arg: 0 });
  if (!c?.ok) return null;
  return <> · {Object.entries(c.json).map(([k, v]) => `${k} ${v}`).join(' · ')}</>;
}

function CurrentThread() {
  const threads = useIntro({ what: KI_VIEW.THREADS, arg: 0 });
  return <>{threadLabel(useMachineStatus().tid, threads?.ok ? threadNames(threads.json) : new Map())}</>;
}
