// The panel dock beside (or below) the terminal: a tab strip and the selected panel. Panels are
// listed in PANELS (panelRegistry.ts); the open one, the dock's side and size live in ui.ts.

import type { KeyboardEvent } from 'react';
import { PANELS } from '../panelRegistry';
import { setUi, useUi } from '../ui';
import './Dock.css';

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
