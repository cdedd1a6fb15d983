// The process the panels look at (processes, capabilities, memory follow the same selection),
// kept outside React like the machine status.

import { useSyncExternalStore } from 'react';

let pid: number | null = null;
const listeners = new Set<() => void>();

export function selectPid(p: number | null): void {
  if (p === pid) return;
  pid = p;
  for (const l of listeners) l();
}

export function useSelectedPid(): number | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => pid,
  );
}
