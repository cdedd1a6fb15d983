// Machine controls and page settings.
//   Run/Pause (F8) · Step: one EL0 instruction or kernel entry (F10) · Entry ▸: to the next kernel
//   entry (Shift+F10) · IPC ▸: to the next IPC the kernel traces (F9) · Fault ▸ · Speed ·
//   Reboot: same disk · Reset: blank disk · Export trace (Chrome trace-event JSON, for Perfetto) ·
//   Share: this scenario as a URL · Theme · A+ (large text, for a projector).
// The keys work even while the terminal has focus.

import { useEffect, useState } from 'react';
import { machine, useMachineStatus } from '../machineClient';
import { updateSettings, useSettings, type Theme } from '../settings';
import { BUDGETS, type StepTarget } from '../worker/protocol';
import { exportTrace } from '../exportTrace';
import { currentScenarioUrl } from '../scenario';
import { recording } from '../timetravel/client';
import { MAX_URL_RECORDING } from '../timetravel/recording';
import './Toolbar.css';

const THEME_NEXT: Record<Theme, Theme> = { auto: 'dark', dark: 'light', light: 'auto' };

function formatBudget(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000} M` : `${n / 1_000} k`;
}

const stepUntil = (until: StepTarget) => machine.send({ type: 'stepUntil', until });

export function Toolbar() {
  const s = useMachineStatus();
  const settings = useSettings();
  const ready = s.phase === 'ready';
  const [shared, setShared] = useState<string | null>(null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'F8' && e.key !== 'F9' && e.key !== 'F10') return;
      e.preventDefault();
      e.stopPropagation(); // keep the key from the terminal
      const now = machine.latest();
      if (e.key === 'F10') machine.send(e.shiftKey ? { type: 'stepUntil', until: 'entry' } : { type: 'step' });
      else if (e.key === 'F9') stepUntil('ipc');
      else machine.send({ type: now.running ? 'pause' : 'run' });
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, []);

  const share = async () => {
    // the run's inputs since boot, when small enough for a URL: the scenario replays exactly
    const rec = await recording().catch(() => undefined);
    const url = currentScenarioUrl(rec !== undefined && rec.length <= MAX_URL_RECORDING ? rec : undefined);
    setShared(url);
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      // no clipboard permission: the URL is shown to copy by hand
    }
  };

  return (
    <header className="toolbar" role="toolbar" aria-label="Machine controls">
      <span className="toolbar-title">MyLittleKernel</span>
      <div className="toolbar-group" data-demo="controls">
        <button
          className="primary"
          disabled={!ready}
          onClick={() => machine.send({ type: s.running ? 'pause' : 'run' })}
          title="Run or pause the machine (F8)"
          aria-keyshortcuts="F8"
          data-testid="run-pause"
        >
          {s.running ? 'Pause' : 'Run'}
        </button>
        <button
          disabled={!ready}
          onClick={() => machine.send({ type: 'step' })}
          title="Pause, then execute one EL0 instruction or one kernel entry; when the core is idle in WFI, advance to the next event (F10)"
          aria-keyshortcuts="F10"
          data-testid="step"
        >
          Step
        </button>
        <button disabled={!ready} onClick={() => stepUntil('entry')} title="Step to the next kernel entry: exception, interrupt or syscall (Shift+F10)" aria-keyshortcuts="Shift+F10" data-testid="step-entry" data-demo="step-entry">
          Entry ▸
        </button>
        <button disabled={!ready} onClick={() => stepUntil('ipc')} title="Step until the kernel traces the next IPC send, receive or reply (F9)" aria-keyshortcuts="F9" data-testid="step-ipc" data-demo="step-ipc">
          IPC ▸
        </button>
        <button disabled={!ready} onClick={() => stepUntil('fault')} title="Step until the kernel traces the next fault" data-testid="step-fault" data-demo="step-fault">
          Fault ▸
        </button>
      </div>
      <label className="toolbar-field">
        Speed
        <select
          value={s.budget}
          onChange={(e) => machine.send({ type: 'speed', budget: Number(e.target.value) })}
          title="Virtual time per slice, in counter ticks (one EL0 instruction = one tick); about 60 slices run per second"
          data-testid="speed"
        >
          {BUDGETS.map((b) => (
            <option key={b} value={b}>
              {formatBudget(b)} / slice
            </option>
          ))}
        </select>
      </label>
      <div className="toolbar-group">
        <button onClick={() => machine.reset('keep')} title="Boot again with the same disk (files written before survive)" data-testid="reboot">
          Reboot
        </button>
        <button
          onClick={() => {
            if (confirm('Reset the machine and erase the disk?')) machine.reset('blank');
          }}
          title="Boot again with a fresh disk (erases the saved disk)"
          data-testid="reset"
        >
          Reset
        </button>
      </div>
      <div className="toolbar-group">
        <button onClick={() => exportTrace()} title="Download the kernel's trace as Chrome trace-event JSON (opens in ui.perfetto.dev)" data-testid="export-trace">
          Export trace
        </button>
        <button onClick={() => void share()} title="Copy a URL that replays this scenario: demo, panel, and a recording of what was typed (replayed at the same virtual times)" data-testid="share">
          Share
        </button>
        {shared && (
          <input
            className="share-url mono"
            readOnly
            value={shared}
            aria-label="Scenario URL"
            onFocus={(e) => e.currentTarget.select()}
            onBlur={() => setShared(null)}
            autoFocus
            data-testid="share-url"
          />
        )}
      </div>
      <span className="toolbar-spacer" />
      <button
        onClick={() => updateSettings({ theme: THEME_NEXT[settings.theme] })}
        title="Theme: automatic (follows the system), dark or light"
        data-testid="theme"
      >
        Theme: {settings.theme}
      </button>
      <button
        aria-pressed={settings.large}
        onClick={() => updateSettings({ large: !settings.large })}
        title="Large text, for a projector"
        data-testid="large"
      >
        A+
      </button>
    </header>
  );
}
