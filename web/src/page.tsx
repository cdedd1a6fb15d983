// The page's code, loaded by main.tsx once the machine's worker has started: React renders the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xterm/xterm/css/xterm.css';
import './styles/theme.css';
import './styles/layout.css';
import { App } from './App';
import { machine } from './machineClient';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Offline after the first visit: the service worker (built by vite.config.ts) caches the site —
// all of it, the editor's compiler too (~17 MB). It is registered once the machine has booted and
// gone idle, so that download does not compete with the first boot.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  const off = machine.subscribe(() => {
    const s = machine.getSnapshot();
    if (s.phase !== 'ready' || !s.idle) return;
    off();
    navigator.serviceWorker.register('./sw.js').catch(() => undefined);
  });
}
