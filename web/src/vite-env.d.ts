/// <reference types="vite/client" />

interface Window {
  /** Test hook (tests/e2e): read-only views of the page's state. */
  __mlk?: {
    terminalText(): string;
    status(): import('./worker/protocol').MachineStatus;
    traceCount(): number;
    input(text: string): void;
    benchMessages(n: number): number;
  };
}
