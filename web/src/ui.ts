// Page layout state outside React (like settings.ts): the dock's open panel, its side and size,
// the guided demo in progress and the element it highlights. Side and size persist.

import { useSyncExternalStore } from 'react';

export type PanelId = 'processes' | 'capabilities' | 'messages' | 'memory' | 'interrupts' | 'composer' | 'cpu' | 'demos' | 'code' | 'network';
export interface Ui {
  panel: PanelId;
  side: 'right' | 'bottom';
  /** Dock size: fraction of the page's width (right) or height (bottom). */
  size: number;
  demo: { id: string; step: number } | null;
  /** data-demo name of the element the current demo step points at. */
  highlight: string | null;
}

const KEY = 'mlk.ui';
const listeners = new Set<() => void>();
let ui: Ui = load();

function load(): Ui {
  // a Share link of the Code panel (#code=…) opens that panel
  const shared = typeof location !== 'undefined' && /(^#|&)code=/.test(location.hash);
  // ?machines=2 starts in the Network view
  const networked = typeof location !== 'undefined' && Number(new URLSearchParams(location.search).get('machines') ?? 1) > 1;
  const base: Ui = { panel: shared ? 'code' : networked ? 'network' : 'processes', side: 'right', size: 0.42, demo: null, highlight: null };
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Ui>;
    return { ...base, side: s.side === 'bottom' ? 'bottom' : 'right', size: typeof s.size === 'number' ? clamp(s.size) : base.size };
  } catch {
    return base;
  }
}

const clamp = (x: number) => Math.min(0.8, Math.max(0.15, x));

export function setUi(patch: Partial<Ui>): void {
  ui = { ...ui, ...patch };
  if (patch.size !== undefined) ui.size = clamp(ui.size);
  try {
    localStorage.setItem(KEY, JSON.stringify({ side: ui.side, size: ui.size }));
  } catch {
    // private mode
  }
  for (const l of listeners) l();
}

export const getUi = (): Ui => ui;

export function useUi(): Ui {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => ui,
  );
}
