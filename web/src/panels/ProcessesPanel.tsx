// Processes: every thread the kernel reports (ki_json view 0) with its pid, name, state and what
// it is blocked on, priority, CPU time and faults. Selecting a thread shows its registers (from
// the same answer), its process's capability space (view 1) and address space (view 2), and the
// endpoint and notification queues (view 3). Nothing here is computed from anything but the
// kernel's answers.

import { useMachineStatus, useIntro } from '../machineClient';
import { VIEW, pidsOf, threadLabel, threadNames, threadsOf } from '../kernelViews';
import type { KiCounters, KiIpcObjects, KiThread, KiThreadRegs } from '../../../host/introspection';
import { selectPid, useSelectedPid } from '../selection';
import { IntroGuard, RowTable } from './common';
import { CapTable } from './CapabilitiesPanel';
import { AddressSpace } from './MemoryPanel';
import './panels.css';
import { useState } from 'react';

const THREAD_COLS = ['tid', 'pid', 'name', 'state', 'blocked_on', 'blocked_object', 'priority', 'cpu_ticks', 'faults', 'current'];
/** Per-thread fields shown with the registers rather than as columns. */
const DETAIL = ['pc', 'fault_kind', 'fault_addr', 'exit_code', 'asid', 'bound_notification', 'mcp'] as const;

function Registers({ thread }: { thread: KiThread }) {
  // The EL0 register file from the kernel's thread view (ki_json view 6: X0–X7, PC, SP, FP, GP,
  // MEMPAGES…, as saved at the thread's last kernel entry), then its scalars (fault state, ASID).
  const view = useIntro({ what: VIEW.THREAD, arg: thread.tid });
  const detail = view?.ok ? (view.json as KiThreadRegs | null) : null;
  const regEntries = Object.entries(detail?.regs ?? {});
  const scalars = DETAIL.filter((k) => !(k === 'pc' && regEntries.length > 0));
  const entries: (readonly [string, unknown])[] = [...regEntries, ...scalars.map((k) => [k, thread[k]] as const)];
  if (entries.length === 0) return <p className="dim">the kernel's answer has no registers for this thread</p>;
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
  const threads = useIntro({ what: VIEW.THREADS, arg: 0 });
  const pid = useSelectedPid();
  const [tid, setTid] = useState<number | null>(null);
  return (
    <div className="panel" data-testid="processes">
      <h3>Threads</h3>
      <IntroGuard result={threads} what="the thread table">
        {(json) => {
          const rows = threadsOf(json);
          const selected = rows.find((r) => r.tid === tid) ?? null;
          return (
            <>
              <RowTable
                rows={rows}
                preferred={THREAD_COLS}
                skip={[...DETAIL]}
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
                {rows.length} threads in {pidsOf(json).length} processes · current: <CurrentThread />
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
          <h3>Capability space of pid {pid}</h3>
          <CapTable pid={pid} />
          <h3>Address space of pid {pid}</h3>
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
            <RowTable rows={(json as KiIpcObjects).endpoints} preferred={['id', 'addr', 'state', 'queue', 'refs']} rowKey={(r) => String(r.id)} label="Endpoints" testId="endpoints" />
            <RowTable rows={(json as KiIpcObjects).notifications} preferred={['id', 'addr', 'word', 'waiters', 'bound_tid', 'irq', 'refs']} rowKey={(r) => String(r.id)} label="Notifications" />
          </>
        )}
      </IntroGuard>
    </>
  );
}

/** Kernel-wide counters (ki_json view 5). */
function Counters() {
  const c = useIntro({ what: VIEW.COUNTERS, arg: 0 });
  if (!c?.ok) return null;
  return <> · {Object.entries(c.json as KiCounters).map(([k, v]) => `${k} ${String(v)}`).join(' · ')}</>;
}

function CurrentThread() {
  const threads = useIntro({ what: VIEW.THREADS, arg: 0 });
  return <>{threadLabel(useMachineStatus().tid, threads?.ok ? threadNames(threads.json) : new Map())}</>;
}
