// Machine controls (run/pause, step, speed, reset) and page settings (theme, large font).
// Keyboard: F8 run/pause, F10 step — these work even while the terminal has focus.

import { useEffect } from 'react';
import { machine, useMachineStatus } from '../machineClient';
import { updateSettings, useSettings, type Theme } from '../settings';
import { BUDGETS } from '../worker/protocol';
import './Toolbar.css';

const THEME_NEXT: Record<Theme, Theme> = { auto: 'dark', dark: 'light', light: 'auto' };

function formatBudget(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000} M` : `${n / 1_000} k`;
}

export function Toolbar() {
  const s = useMachineStatus();
  const settings = useSettings();
  const ready = s.phase === 'ready';

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'F8' && e.key !== 'F10') return;
      e.preventDefault();
      e.stopPropagation(); // keep the key from the terminal
      const now = machine.latest();
      if (e.key === 'F10') machine.send({ type: 'step' });
      else machine.send({ type: now.running ? 'pause' : 'run' });
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, []);

  return (
    <header className="toolbar" role="toolbar" aria-label="Machine controls">
      <span className="toolbar-title">MyLittleKernel</span>
      <button
        className="primary"
        disabled={!ready}
        onClick={() => machine.send({ type: s.running ? 'pause' : 'run' })}
        title="Run or pause the machine (F8)"
        data-testid="run-pause"
      >
        {s.running ? 'Pause' : 'Run'}
      </button>
      <button
        disabled={!ready}
        onClick={() => machine.send({ type: 'step' })}
        title="Pause, then execute one EL0 instruction or one kernel entry; when the core is idle in WFI, advance to the next event (F10)"
        data-testid="step"
      >
        Step
      </button>
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
      <button onClick={() => machine.reset()} title="Reset the machine and boot again" data-testid="reset">
        Reset
      </button>
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
