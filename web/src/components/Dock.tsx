// The panel column beside the terminal: a tab strip and the selected panel. Later issues add
// panels (processes, capabilities, messages, memory…) by adding an entry to PANELS.

import { useState, type ComponentType, type KeyboardEvent } from 'react';
import { InterruptsPanel } from './InterruptsPanel';
import './Dock.css';

interface Panel {
  id: string;
  title: string;
  Component: ComponentType;
}

const PANELS: Panel[] = [{ id: 'interrupts', title: 'Interrupts', Component: InterruptsPanel }];

export function Dock() {
  const [current, setCurrent] = useState(PANELS[0].id);
  const index = PANELS.findIndex((p) => p.id === current);
  const panel = PANELS[index];

  // Arrow keys move between tabs (WAI-ARIA tabs pattern).
  const onKeyDown = (e: KeyboardEvent) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = PANELS[(index + step + PANELS.length) % PANELS.length];
    setCurrent(next.id);
    document.getElementById(`tab-${next.id}`)?.focus();
  };

  return (
    <aside className="dock">
      <div className="dock-tabs" role="tablist" aria-label="Panels" onKeyDown={onKeyDown}>
        {PANELS.map((p) => (
          <button
            key={p.id}
            id={`tab-${p.id}`}
            role="tab"
            aria-selected={p.id === current}
            aria-controls={`panel-${p.id}`}
            tabIndex={p.id === current ? 0 : -1}
            onClick={() => setCurrent(p.id)}
          >
            {p.title}
          </button>
        ))}
      </div>
      <section className="dock-panel" role="tabpanel" id={`panel-${panel.id}`} aria-labelledby={`tab-${panel.id}`}>
        <panel.Component />
      </section>
    </aside>
  );
}
