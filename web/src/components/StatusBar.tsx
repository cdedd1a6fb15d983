// One line of machine status: run state, virtual time, counters, exception level, thread.
// Every figure is read from the machine (hw/ Machine.status()), never computed here.

import { useIntro, useMachineStatus } from '../machineClient';
import { KI_VIEW, threadLabel, threadNames } from '../kernelViews';
import { CNTFRQ } from '../../../hw/memmap';
import type { MachineStatus } from '../worker/protocol';
import './StatusBar.css';

const int = new Intl.NumberFormat('en-US');

function runState(s: MachineStatus): { text: string; tone: string } {
  if (s.phase === 'loading') return { text: 'loading', tone: 'dim' };
  if (s.phase === 'error') return { text: 'error', tone: 'danger' };
  if (s.phase === 'halted') return { text: 'halted', tone: 'danger' };
  if (!s.running) return { text: 'paused', tone: 'warn' };
  return s.idle ? { text: 'running · idle (WFI)', tone: 'ok' } : { text: 'running', tone: 'ok' };
}

function virtualTime(ticks: number): string {
  return `${(ticks / CNTFRQ).toFixed(6)} s`;
}

export function StatusBar() {
  const s = useMachineStatus();
  const state = runState(s);
  const threads = useIntro({ what: KI_VIEW.THREADS, arg: 0 });
  const names = threads?.ok ? threadNames(threads.json) : new Map<number, string>();
  return (
    <footer className="statusbar mono" aria-label="Machine status" data-testid="status" data-demo="status">
      <span className={`status-state tone-${state.tone}`} data-testid="status-state">
        {state.text}
      </span>
      <span title="Virtual time: CNTPCT / 24 MHz">
        t = <b data-testid="status-time">{virtualTime(s.ticks)}</b>
      </span>
      <span title="Retired EL0 instructions">
        instr <b data-testid="status-instructions">{int.format(s.instructions)}</b>
      </span>
      <span title="Kernel entries (exceptions taken to EL1)">
        entries <b data-testid="status-entries">{int.format(s.kernelEntries)}</b>
      </span>
      <span>
        <b data-testid="status-el">EL{s.el}</b>
      </span>
      <span title="Current thread: the target of the kernel's last SWITCH trace record" data-testid="status-thread">
        thread <b>{threadLabel(s.tid, names)}</b>
      </span>
      {s.entry && (
        <span title="Cause of the last kernel entry: the vector taken, ESR_EL1, and what the kernel traced in it" data-testid="status-entry">
          last entry <b>{s.entry}</b>
        </span>
      )}
      {s.step && (
        <span title="What the last step executed" data-testid="status-step">
          step #{s.step.seq}: +{s.step.retired} instr ({s.step.reason}){s.step.what ? ` ${s.step.what}` : ''}
        </span>
      )}
      <span title={`Disk: ${s.disk.sectors} sectors of 512 bytes, kept in ${s.disk.backing === 'indexeddb' ? 'IndexedDB (survives a reload)' : 'memory only'}`} data-testid="status-disk">
        disk {s.disk.backing === 'indexeddb' ? 'saved' : 'in memory'}
        {s.disk.dirty > 0 ? ` · ${s.disk.dirty} unsaved` : ''}
      </span>
      {s.running && s.rate > 0 && <span title="Instructions per wall-clock second">{(s.rate / 1e6).toFixed(1)} MIPS</span>}
      {s.halt && <span className="tone-danger">halt: {s.halt.reason}</span>}
      {s.error && <span className="tone-danger" title={s.error}>error: {s.error.split('\n')[0]}</span>}
    </footer>
  );
}
