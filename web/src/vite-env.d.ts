/// <reference types="vite/client" />

interface Window {
  /** Test hook (tests/e2e): read-only views of the page's state. */
  __mlk?: {
    terminalText(): string;
    status(): import('./worker/protocol').MachineStatus;
    traceCount(): number;
    /** Args of the held trace records of one kind (by name), from absolute record number `from`. */
    records(kind: string, from?: number): number[][];
    /** Oldest absolute record number the page still holds. */
    traceFirst(): number;
    /** The held records with sequence numbers in [from, to). */
    seqRecords(from: number, to: number): { seq: number; kind: string; args: number[] }[];
    input(text: string): void;
    benchMessages(n: number): number;
    /** The frames on the switch the page holds (the Network view): number, virtual time, bytes. */
    frames(): { n: number; ticks: number; bytes: number[] }[];
    /** Frames captured in all. */
    framesTotal(): number;
    /** Machine k's terminal text (2..N, the Network view). */
    netTerminalText(k: number): string;
    netInput(k: number, text: string): void;
  };
}
