// The panel dock beside (or below) the terminal: a tab strip and the selected panel. Panels are
// listed in PANELS; the open one, the dock's side and size live in ui.ts.

import { lazy, Suspense, type ComponentType, type KeyboardEvent } from 'react';
import { InterruptsPanel } from './InterruptsPanel';
import { ProcessesPanel } from '../panels/ProcessesPanel';
import { CapabilitiesPanel } from '../panels/CapabilitiesPanel';
import { MessagesPanel } from '../panels/MessagesPanel';
import { MemoryPanel } from '../panels/MemoryPanel';
import { ComposerPanel } from '../panels/ComposerPanel';
import { DemosPanel } from '../panels/DemosPanel';
import { CpuPanel } from '../panels/CpuPanel';
import { setUi, useUi, type PanelId } from '../ui';
import './Dock.css';

/** The Code panel brings CodeMirror: loaded when first opened, not with the page. */
const CodePanel = lazy(() => import('../code/CodePanel'));
function LazyCodePanel() {
  return <Suspense fallback={<p className="dim">loading the editor…</p>}><CodePanel /></Suspense>;
}

interface Panel {
  id: PanelId;
  title: string;
  key: string;
  Component: ComponentType;
}

export const PANELS: Panel[] = [
  { id: 'processes', title: 'Processes', key: '1', Component: ProcessesPanel },
  { id: 'capabilities', title: 'Capabilities', key: '2', Component: CapabilitiesPanel },
  { id: 'messages', title: 'Messages', key: '3', Component: MessagesPanel },
  { id: 'memory', title: 'Memory', key: '4', Component: MemoryPanel },
  { id: 'interrupts', title: 'Interrupts', key: '5', Component: InterruptsPanel },
  { id: 'composer', title: 'Send IPC', key: '6', Component: ComposerPanel },
  { id: 'cpu', title: 'CPU', key: '7', Component: CpuPanel },
  { id: 'demos', title: 'Lessons', key: '8', Component: DemosPanel },
  { id: 'code', title: 'Code', key: '9', Component: LazyCodePanel },
];

export function Dock() {
  const ui = useUi();
  const index = Math.max(0, PANELS.findIndex((p) => p.id === ui.panel));
  const panel = PANELS[index];

  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  const onKeyDown = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = PANELS[(index + step + PANELS.length) % PANELS.length];
    setUi({ panel: next.id });
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <aside className="dock" data-demo="dock" aria-label="Panels">
      <div className="dock-tabs">
        <div className="dock-tablist" role="tablist" aria-label="Panels" onKeyDown={onKeyDown}>
          {PANELS.map((p) => (
            <button
              key={p.id}
              id={`tab-${p.id}`}
              role="tab"
              aria-selected={p.id === panel.id}
              aria-controls={`panel-${p.id}`}
              aria-keyshortcuts={`Alt+${p.key}`}
              tabIndex={p.id === panel.id ? 0 : -1}
              onClick={() => setUi({ panel: p.id })}
              title={`${p.title} (Alt+${p.key})`}
              data-testid={`tab-${p.id}`}
            >
              {p.title}
            </button>
          ))}
        </div>
        <button
          className="dock-side"
          onClick={() => setUi({ side: ui.side === 'right' ? 'bottom' : 'right' })}
          title={`Move the panels ${ui.side === 'right' ? 'below' : 'beside'} the terminal`}
          aria-label={`Move the panels ${ui.side === 'right' ? 'below' : 'beside'} the terminal`}
          data-testid="dock-side"
        >
          {ui.side === 'right' ? '⬓' : '◨'}
        </button>
      </div>
      <section className="dock-panel" role="tabpanel" id={`panel-${panel.id}`} aria-labelledby={`tab-${panel.id}`}>
        <panel.Component />
      </section>
    </aside>
  );
}
