// The page's entry: start the machine's worker at once, then load the page's code (React,
// xterm.js, the panels: page.tsx) — the two download and compile side by side, the worker on its
// own thread, instead of the worker waiting for the page's code (docs/PERFORMANCE.md).
import './workerStart';

void import('./page');
