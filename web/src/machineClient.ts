// The page's end of the machine worker. State lives here, outside React: components read the
// latest status snapshot with useSyncExternalStore (useMachineStatus), the terminal subscribes to
// UART bytes directly. Status updates reach React at most once per animation frame.

import { useSyncExternalStore } from 'react';
import type { Event, MachineStatus, Request } from './worker/protocol';
import { DEFAULT_BUDGET } from './worker/protocol';

type Listener = () => void;
type UartListener = (bytes: Uint8Array) => void;

const INITIAL: MachineStatus = {
  epoch: 1,
  phase: 'loading',
  running: false,
  ticks: 0,
  instructions: 0,
  kernelEntries: 0,
  el: 1,
  idle: false,
  halted: false,
  budget: DEFAULT_BUDGET,
  rate: 0,
  step: null,
  hw: {},
};

export class MachineClient {
  private port: MessagePort;
  private status: MachineStatus = INITIAL;
  private pending: MachineStatus | null = null;
  private frame = 0;
  private listeners = new Set<Listener>();
  private uartListeners = new Set<UartListener>();
  private resetListeners = new Set<Listener>();
  /** Set by the terminal: its text, for the test hook. */
  terminalText: () => string = () => '';
  private encoder = new TextEncoder();
  /** Boot generation whose UART output is shown; output of an older machine is dropped. */
  private epoch = 1;

  constructor() {
    const worker = new Worker(new URL('./worker/machine.worker.ts', import.meta.url), { type: 'module' });
    const channel = new MessageChannel();
    worker.postMessage({ type: 'connect', port: channel.port2 }, [channel.port2]);
    worker.onerror = (e) => this.publish({ ...this.status, phase: 'error', running: false, error: e.message });
    this.port = channel.port1;
    this.port.onmessage = (e: MessageEvent<Event>) => this.receive(e.data);
  }

  private receive(ev: Event): void {
    if (ev.type === 'uart') {
      if (ev.epoch >= this.epoch) for (const l of this.uartListeners) l(ev.bytes);
    } else if (ev.status.epoch >= this.epoch) this.publish(ev.status);
  }

  private publish(s: MachineStatus): void {
    this.pending = s;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (!this.pending) return;
      this.status = this.pending;
      this.pending = null;
      for (const l of this.listeners) l();
    });
  }

  send(req: Request): void {
    this.port.postMessage(req);
  }

  reset(): void {
    this.epoch++;
    for (const l of this.resetListeners) l();
    this.send({ type: 'reset' });
  }

  onReset(l: Listener): () => void {
    this.resetListeners.add(l);
    return () => void this.resetListeners.delete(l);
  }

  input(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? this.encoder.encode(data) : data;
    this.port.postMessage({ type: 'input', bytes } satisfies Request, [bytes.buffer]);
  }

  /** The latest status, including one not yet handed to React. */
  latest(): MachineStatus {
    return this.pending ?? this.status;
  }

  getSnapshot = (): MachineStatus => this.status;

  subscribe = (l: Listener): (() => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };

  onUart(l: UartListener): () => void {
    this.uartListeners.add(l);
    return () => void this.uartListeners.delete(l);
  }
}

export const machine = new MachineClient();

window.__mlk = { terminalText: () => machine.terminalText(), status: () => machine.latest() };

export function useMachineStatus(): MachineStatus {
  return useSyncExternalStore(machine.subscribe, machine.getSnapshot);
}
