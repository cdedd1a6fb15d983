// A scenario in the URL: `#demo=ipc&step=1&panel=messages&cmd=ls%20/&cmd=ps`.
// share() builds it from the page's state (the open demo and panel, the command lines typed
// since boot); applyScenario() replays it after boot: it types each command once the machine
// idles waiting for input, then opens the demo at its step.

import { machine } from './machineClient';
import { DEMOS, startDemo } from './demos';
import { getUi, setUi, type PanelId } from './ui';
import { PANELS } from './panelRegistry';

export interface Scenario {
  demo?: string;
  step?: number;
  panel?: PanelId;
  cmds: string[];
  /** A recording of the run's inputs (web/src/timetravel/recording.ts): replayed exactly, instead of typing cmds. */
  rec?: string;
}

export function parseScenario(hash: string): Scenario {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const num = (k: string) => (p.has(k) && Number.isFinite(Number(p.get(k))) ? Number(p.get(k)) : undefined);
  const panel = p.get('panel') as PanelId | null;
  return {
    demo: DEMOS.some((d) => d.id === p.get('demo')) ? p.get('demo')! : undefined,
    step: num('step'),
    panel: panel && PANELS.some((x) => x.id === panel) ? panel : undefined,
    cmds: p.getAll('cmd'),
    rec: p.get('rec') ?? undefined,
  };
}

export function scenarioUrl(s: Scenario): string {
  const p = new URLSearchParams();
  if (s.demo) p.set('demo', s.demo);
  if (s.demo && s.step) p.set('step', String(s.step));
  if (s.panel) p.set('panel', s.panel);
  for (const c of s.cmds) p.append('cmd', c);
  if (s.rec) p.set('rec', s.rec);
  const url = new URL(location.href);
  url.hash = p.toString();
  return url.toString();
}

/** The current page as a scenario URL. */
export function currentScenarioUrl(rec?: string): string {
  const ui = getUi();
  return scenarioUrl({ demo: ui.demo?.id, step: ui.demo?.step, panel: ui.panel, cmds: machine.commands, rec });
}

/** Waits until the machine is booted and idle (waiting for input), at most `ms`. */
function whenIdle(ms: number): Promise<void> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const check = () => {
      const s = machine.latest();
      if ((s.phase === 'ready' && s.idle && s.instructions + s.kernelEntries > 0) || performance.now() - t0 > ms) resolve();
      else setTimeout(check, 100);
    };
    check();
  });
}

export async function applyScenario(s: Scenario): Promise<void> {
  if (s.panel) setUi({ panel: s.panel });
  // with a recording the worker replays the inputs itself, at their virtual times
  for (const cmd of s.rec ? [] : s.cmds) {
    await whenIdle(15_000);
    machine.input(`${cmd}\r`);
    await new Promise((r) => setTimeout(r, 150));
  }
  if (s.demo) startDemo(s.demo, s.step ?? 0);
}
