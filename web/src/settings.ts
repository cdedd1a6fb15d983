// Page settings (theme, large font), kept in localStorage and applied as attributes on <html>
// so the CSS variables in styles/theme.css follow them. Components read them with useSettings().

import { useSyncExternalStore } from 'react';

export type Theme = 'auto' | 'dark' | 'light';
export interface Settings {
  theme: Theme;
  large: boolean;
  /** The theme actually shown: 'auto' resolved through prefers-color-scheme. */
  effective: 'dark' | 'light';
}

const KEY = 'mlk.settings';
const listeners = new Set<() => void>();
const prefersLight = matchMedia('(prefers-color-scheme: light)');
let settings: Settings = resolve(load());
apply();
prefersLight.addEventListener('change', () => set({}));

function load(): Pick<Settings, 'theme' | 'large'> {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Settings>;
    return { theme: s.theme === 'dark' || s.theme === 'light' ? s.theme : 'auto', large: s.large === true };
  } catch {
    return { theme: 'auto', large: false };
  }
}

function resolve(s: Pick<Settings, 'theme' | 'large'>): Settings {
  const effective = s.theme !== 'auto' ? s.theme : prefersLight.matches ? 'light' : 'dark';
  return { theme: s.theme, large: s.large, effective };
}

function apply(): void {
  const html = document.documentElement;
  html.dataset.theme = settings.theme;
  html.dataset.size = settings.large ? 'large' : 'normal';
}

function set(patch: Partial<Pick<Settings, 'theme' | 'large'>>): void {
  settings = resolve({ ...settings, ...patch });
  apply();
  for (const l of listeners) l();
}

export function updateSettings(patch: Partial<Pick<Settings, 'theme' | 'large'>>): void {
  set(patch);
  try {
    localStorage.setItem(KEY, JSON.stringify({ theme: settings.theme, large: settings.large }));
  } catch {
    // private mode: settings last for this page only
  }
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useSettings(): Settings {
  return useSyncExternalStore(subscribe, () => settings);
}
