// Interrupts: the AIC's and the generic timer's state exactly as the devices report it
// (hw/aic.ts Aic.state(), hw/timer.ts GenericTimer.state()), refreshed with every status snapshot.

import type { AicState } from '../../../hw/aic';
import type { TimerState } from '../../../hw/timer';
import { BLOCK_IRQ, CNTFRQ, DART_IRQ, GPIO_IRQ, MAILBOX_IRQ, NET_IRQ, UART0_IRQ } from '../../../hw/memmap';
import { useMachineStatus } from '../machineClient';
import { ColumnHeads } from './common';
import './InterruptsPanel.css';

const LINE_NAMES: Record<number, string> = { [UART0_IRQ]: 'uart0', [BLOCK_IRQ]: 'block', [MAILBOX_IRQ]: 'mailbox', [DART_IRQ]: 'dart', [NET_IRQ]: 'virtio-net', [GPIO_IRQ]: 'gpio' };

function Flag({ on, label }: { on: boolean; label: string }) {
  return <span className={on ? 'flag on' : 'flag'}>{label}</span>;
}

function Aic({ s }: { s: AicState }) {
  return (
    <>
      <p>
        IRQ output <Flag on={s.irqOutput} label={s.irqOutput ? 'asserted' : 'low'} /> · {s.nrIrq} lines
      </p>
      <p>
        IPI other <Flag on={s.ipi.other} label={s.ipi.other ? 'pending' : '—'} />
        {s.ipi.otherMasked && ' (masked)'} · self <Flag on={s.ipi.self} label={s.ipi.self ? 'pending' : '—'} />
        {s.ipi.selfMasked && ' (masked)'}
      </p>
      {s.lines.length === 0 ? (
        <p className="dim">all lines masked, none raised</p>
      ) : (
        <table className="irq-table">
          <ColumnHeads names={['line', 'level', 'sw', 'mask', 'target']} />
          <tbody>
            {s.lines.map((l) => (
              <tr key={l.irq}>
                <th scope="row">
                  {l.irq}
                  {LINE_NAMES[l.irq] && <span className="dim"> {LINE_NAMES[l.irq]}</span>}
                </th>
                <td>
                  <Flag on={l.level} label={l.level ? 'high' : 'low'} />
                </td>
                <td>{l.sw ? 'set' : '—'}</td>
                <td>{l.masked ? 'masked' : 'open'}</td>
                <td>{`0x${l.target.toString(16)}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function TimerRow({ name, t, counter }: { name: string; t: TimerState['phys']; counter: number }) {
  const enabled = (t.ctl & 1) !== 0;
  const masked = (t.ctl & 2) !== 0;
  const cval = BigInt(t.cval);
  const ahead = enabled && cval > BigInt(counter) ? Number(cval - BigInt(counter)) : null;
  return (
    <tr>
      <th scope="row">{name}</th>
      <td>
        <Flag on={enabled} label={enabled ? 'on' : 'off'} />
        {masked && ' imask'}
      </td>
      <td title={`${t.cval}${ahead === null ? '' : `, in ${ahead} ticks (${((ahead / CNTFRQ) * 1e3).toFixed(3)} ms)`}`}>
        {cval.toString()}
      </td>
      <td>
        <Flag on={t.istatus} label={t.istatus ? 'met' : '—'} />
      </td>
      <td>
        <Flag on={t.firing} label={t.firing ? 'FIQ' : '—'} />
      </td>
    </tr>
  );
}

function Timer({ s }: { s: TimerState }) {
  return (
    <>
      <p>
        FIQ output <Flag on={s.fiq} label={s.fiq ? 'asserted' : 'low'} /> · counter {s.counter} · next deadline{' '}
        {s.nextDeadline ?? 'none'}
      </p>
      <table className="irq-table">
        <ColumnHeads names={['timer', 'ctl', 'cval', 'istatus', 'out']} />
        <tbody>
          <TimerRow name="CNTP" t={s.phys} counter={s.counter} />
          <TimerRow name="CNTV" t={s.virt} counter={s.counter} />
        </tbody>
      </table>
      <p className="dim">
        CNTFRQ {s.cntfrq / 1e6} MHz · CNTKCTL 0x{s.cntkctl.toString(16)}
      </p>
    </>
  );
}

export function InterruptsPanel() {
  const { hw } = useMachineStatus();
  return (
    <div className="irq mono" data-testid="interrupts">
      <h3>AIC</h3>
      {hw.aic ? <Aic s={hw.aic} /> : <p className="dim">—</p>}
      <h3>Generic timer</h3>
      {hw.timer ? <Timer s={hw.timer} /> : <p className="dim">—</p>}
    </div>
  );
}
