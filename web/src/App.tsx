import { useEffect } from 'react';
import { Dock } from './components/Dock';
import { PANELS } from './panelRegistry';
import { Splitter } from './components/Splitter';
import { StatusBar } from './components/StatusBar';
import { Terminal } from './components/Terminal';
import { Toolbar } from './components/Toolbar';
import { DemoCard } from './panels/DemosPanel';
import { setUi, useUi } from './ui';
import { applyScenario, parseScenario } from './scenario';
import { TimeTravelBar } from './timetravel/TimeTravelBar';
import { Timeline } from './timetravel/Timeline';

export function App() {
  const ui = useUi();

  // The demo's highlight: a class on the element whose data-demo names it.
  useEffect(() => {
    for (const el of document.querySelectorAll('[data-demo]')) el.classList.toggle('demo-highlight', el.getAttribute('data-demo') === ui.highlight);
  }, [ui.highlight]);

  // Alt+1…8 open a panel (also while the terminal has focus).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const p = PANELS.find((x) => x.key === e.key || `Digit${x.key}` === e.code);
      if (!p) return;
      e.preventDefault();
      e.stopPropagation();
      setUi({ panel: p.id });
    };
    window.addEventListener('keydown', onKey, { capture: true });
    return () => window.removeEventListener('keydown', onKey, { capture: true });
  }, []);

  // A scenario in the URL (#demo=…&cmd=…) is replayed once after boot.
  useEffect(() => {
    if (location.hash.length > 1) void applyScenario(parseScenario(location.hash));
  }, []);

  return (
    <div className="app">
      <Toolbar />
      <TimeTravelBar />
      <div className={`body side-${ui.side}`} style={{ '--dock': `${(ui.size * 100).toFixed(1)}%` } as React.CSSProperties}>
        <main className="main" data-demo="terminal">
          <Terminal />
          <DemoCard />
        </main>
        <Splitter />
        <Dock />
      </div>
      <Timeline />
      <StatusBar />
    </div>
  );
}
