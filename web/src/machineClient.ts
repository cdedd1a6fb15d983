// The page's end of the machine worker. State lives here, outside React: components read the
// latest status snapshot with useSyncExternalStore (useMachineStatus), the terminal subscribes to
// UART bytes directly, trace records go to the TraceStore. Status updates reach React in an
// animation frame, at most every UI_REFRESH_MS (frameThrottle.ts).
//
// Introspection views (ki_json) are refreshed by the worker only while some component watches
// them (useIntro): the client sends the union of the watched views whenever it changes.

import { useEffect, useSyncExternalStore } from 'react';
import { TraceStore } from './traceStore';
import { frameThrottle } from './frameThrottle';
import type { Event, IntroResult, IntroView, MachineStatus, Request, WalkInfo } from './worker/protocol';
import { TRACE_STRIDE, initialStatus, introKey } from './worker/protocol';
import { kindName, kindOf } from '../../host/traceKinds';
import { parseKiView, type KiView, type KiViews } from '../../host/introspection';
import { startedWorker } from './workerStart';
import { NetStore } from './net/netStore';

type Listener = () => void;
type UartListener = (bytes: Uint8Array) => void;
type MailboxListener = (words: number[], accepted: boolean) => void;

export class MachineClient {
  private port: MessagePort;
  private status: MachineStatus = initialStatus(1, false);
  private pending: MachineStatus | null = null;
  private listeners = new Set<Listener>();
  private uartListeners = new Set<UartListener>();
  private resetListeners = new Set<Listener>();
  private mailboxListeners = new Set<MailboxListener>();
  private screenListeners = new Set<UartListener>();
  private replyListeners = new Set<(ev: Event) => void>();
  private watched = new Map<string, { view: IntroView; refs: number }>();
  private watchTimer = 0;
  private walks = new Map<number, (info: WalkInfo | null, error?: string) => void>();
  private nextWalk = 1;
  readonly trace = new TraceStore();
  /** Machines 2..N and the frames on the wire, while the Network view runs (web/src/net). */
  readonly net = new NetStore();
  private pcaps = new Map<number, (bytes?: Uint8Array, error?: string) => void>();
  /** Set by the terminal: its text, for the test hook. */
  terminalText: () => string = () => '';
  private encoder = new TextEncoder();
  /** Boot generation whose output is shown; output of an older machine is dropped. */
  private epoch = 1;

  constructor() {
    // started by the page's entry before this code loaded (workerStart.ts)
    const { worker, port, earlyError } = startedWorker;
    worker.onerror = (e) => this.publish({ ...this.status, phase: 'error', running: false, error: e.message });
    if (earlyError) this.publish({ ...this.status, phase: 'error', running: false, error: earlyError });
    this.port = port;
    this.port.onmessage = (e: MessageEvent<Event>) => this.receive(e.data);
    // Save the disk when the page goes away or to the background.
    addEventListener('pagehide', () => this.send({ type: 'flush' }));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') this.send({ type: 'flush' });
    });
  }

  private receive(ev: Event): void {
    switch (ev.type) {
      case 'uart':
        if (ev.epoch >= this.epoch) for (const l of this.uartListeners) l(ev.bytes);
        break;
      case 'trace':
        if (ev.epoch >= this.epoch) this.trace.append(ev.data);
        break;
      case 'status':
        ev.status.bootImage ??= this.latest().bootImage; // sent only when it changes
        if (ev.status.epoch >= this.epoch) this.publish(ev.status);
        break;
      case 'mailbox':
        if (ev.epoch >= this.epoch) for (const l of this.mailboxListeners) l(ev.words, ev.accepted !== false);
        break;
      case 'history':
        this.trace.clear();
        this.trace.append(ev.data);
        break;
      case 'branch':
        this.trace.truncateFromSeq(ev.seq);
        break;
      case 'screen':
        for (const l of this.screenListeners) l(ev.bytes);
        break;
      case 'state':
      case 'loaded':
      case 'recording':
        for (const l of this.replyListeners) l(ev);
        break;
      case 'netUart':
        if (ev.epoch >= this.epoch) this.net.addUart(ev.machine, ev.bytes);
        break;
      case 'frames':
        if (ev.epoch >= this.epoch) this.net.addFrames(ev.n, ev.ticks, ev.lengths, ev.bytes);
        break;
      case 'pcap': {
        const cb = this.pcaps.get(ev.id);
        this.pcaps.delete(ev.id);
        cb?.(ev.bytes, ev.error);
        break;
      }
      case 'walk': {
        const cb = this.walks.get(ev.id);
        this.walks.delete(ev.id);
        cb?.(ev.info, ev.error);
        break;
      }
    }
  }

  private publish(s: MachineStatus): void {
    this.pending = s;
    this.deliver();
  }

  /** Hands the latest status to React: in an animation frame, at most every UI_REFRESH_MS. */
  private deliver = frameThrottle(() => {
    if (!this.pending) return;
    this.status = this.pending;
    this.pending = null;
    for (const l of this.listeners) l();
  });

  send(req: Request): void {
    this.port.postMessage(req);
  }

  /** Boot again: 'keep' the disk (reboot) or start from a 'blank' one (reset). */
  reset(disk: 'keep' | 'blank' = 'keep'): void {
    this.epoch++;
    this.trace.clear();
    this.net.clear();
    this.commands = [];
    this.line = '';
    for (const l of this.resetListeners) l();
    this.send({ type: 'reset', disk });
  }

  onReset(l: Listener): () => void {
    this.resetListeners.add(l);
    return () => void this.resetListeners.delete(l);
  }

  /** Command lines typed since boot (for sharing a scenario by URL). */
  commands: string[] = [];
  private line = '';

  input(data: string | Uint8Array): void {
    if (typeof data === 'string')
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') {
          if (this.line.trim()) this.commands.push(this.line);
          this.line = '';
        } else if (ch === '\x7f' || ch === '\b') this.line = this.line.slice(0, -1);
        else if (ch >= ' ') this.line += ch;
      }
    const bytes = typeof data === 'string' ? this.encoder.encode(data) : data.slice();
    this.port.postMessage({ type: 'input', bytes } satisfies Request, [bytes.buffer]);
  }

  /** Put machine 1 on a switch with machines 2..n (the Network view); nothing when it already is. */
  startNetwork(n = 2): void {
    this.send({ type: 'network', machines: n });
  }

  /** Type into machine k (2..N) of the network. */
  netInput(k: number, data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? this.encoder.encode(data) : data.slice();
    this.port.postMessage({ type: 'netInput', machine: k, bytes } satisfies Request, [bytes.buffer]);
  }

  /** Every frame captured on the switch, as a pcap file (hw/pcap.ts). */
  pcap(): Promise<Uint8Array> {
    const id = this.nextWalk++;
    return new Promise((resolve, reject) => {
      this.pcaps.set(id, (bytes, error) => (bytes ? resolve(bytes) : reject(new Error(error ?? 'no capture'))));
      this.send({ type: 'pcap', id });
    });
  }

  /** Queue a message for the playground agent on the host-mailbox device. */
  postMailbox(words: number[]): void {
    this.send({ type: 'mailbox', words: words.map((w) => w >>> 0) });
  }

  /** Press (down = true) or release a button of the GPIO bank. */
  gpioButton(button: number, down: boolean): void {
    this.send({ type: 'gpio', button, down });
  }

  onMailbox(l: MailboxListener): () => void {
    this.mailboxListeners.add(l);
    return () => void this.mailboxListeners.delete(l);
  }

  /** Diagnostic MMU walk of `va` through a process's TTBR0 (ki_json view 2), or the current one. */
  walk(va: number, ttbr0?: string): Promise<{ info: WalkInfo | null; error?: string }> {
    const id = this.nextWalk++;
    return new Promise((resolve) => {
      this.walks.set(id, (info, error) => resolve({ info, error }));
      this.send({ type: 'walk', id, va, ttbr0 });
    });
  }

  watch(view: IntroView): () => void {
    const key = introKey(view);
    const w = this.watched.get(key);
    if (w) w.refs++;
    else this.watched.set(key, { view, refs: 1 });
    this.sendWatch();
    return () => {
      const cur = this.watched.get(key);
      if (cur && --cur.refs === 0) this.watched.delete(key);
      this.sendWatch();
    };
  }

  private sendWatch(): void {
    if (this.watchTimer) return;
    this.watchTimer = window.setTimeout(() => {
      this.watchTimer = 0;
      this.send({ type: 'watch', views: [...this.watched.values()].map((w) => w.view) });
    }, 0);
  }

  private introCache = new Map<string, { wire: string; result: IntroResult }>();

  /**
   * The answer for a view in the current status, checked against its schema (host/introspection.ts)
   * and typed by it; the same object as long as the kernel's text is unchanged (so components that
   * read it re-render only when it changes). undefined until the worker has answered once.
   */
  intro<W extends KiView>(view: IntroView<W>): IntroResult<KiViews[W]> | undefined {
    const key = introKey(view);
    const w = this.status.intro[key];
    if (!w) return undefined;
    const wire = w.ok ? w.text : `!${w.error}`;
    const hit = this.introCache.get(key);
    if (hit && hit.wire === wire) return hit.result as IntroResult<KiViews[W]>;
    let result: IntroResult<KiViews[W]>;
    if (w.ok) {
      const parsed = parseKiView(view.what, w.text);
      result = parsed.ok ? { ok: true, json: parsed.value } : parsed;
    } else result = w;
    this.introCache.set(key, { wire, result });
    return result;
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

  /** The terminal of the current moment after a jump or a load: clear the screen, show these bytes. */
  onScreen(l: UartListener): () => void {
    this.screenListeners.add(l);
    return () => void this.screenListeners.delete(l);
  }

  /** Answers to save-state, load-state and recording requests (web/src/timetravel/client.ts). */
  onReply(l: (ev: Event) => void): () => void {
    this.replyListeners.add(l);
    return () => void this.replyListeners.delete(l);
  }

  onUart(l: UartListener): () => void {
    this.uartListeners.add(l);
    return () => void this.uartListeners.delete(l);
  }
}

export const machine = new MachineClient();

window.__mlk = {
  terminalText: () => machine.terminalText(),
  status: () => machine.latest(),
  traceCount: () => machine.trace.total,
  // The trace records of one kind the page holds (from absolute record `from` on): tests assert
  // what the machine did with these, never what the page shows.
  records: (kind: string, from = 0) => {
    const k = kindOf(kind);
    const t = machine.trace;
    const out: number[][] = [];
    if (k === undefined) return out;
    for (let n = Math.max(from, t.first); n < t.total; n++) if (t.kindAt(n) === k) out.push(t.record(n).args);
    return out;
  },
  traceFirst: () => machine.trace.first,
  // The held records with sequence numbers in [from, to): the kind's name, its sequence number, its args
  seqRecords: (from: number, to: number) => {
    const t = machine.trace;
    const out: { seq: number; kind: string; args: number[] }[] = [];
    for (let n = t.first; n < t.total; n++) {
      const seq = t.seqAt(n);
      if (seq >= from && seq < to) out.push({ seq, kind: kindName(t.kindAt(n)), args: t.record(n).args });
    }
    return out;
  },
  input: (text: string) => machine.input(text),
  // The network (web/src/net): the frames on the wire the page holds, machine k's terminal, typing into it
  frames: () => machine.net.frames.map((f) => ({ n: f.n, ticks: f.ticks, bytes: Array.from(f.bytes) })),
  framesTotal: () => machine.net.total,
  netTerminalText: (k: number) => machine.net.terminalText.get(k)?.() ?? '',
  netInput: (k: number, text: string) => machine.netInput(k, text),
  // Load test of the messages panel: appends n synthetic IPC_SEND records to the page's trace
  // store (never to the machine) and returns the milliseconds the append took.
  benchMessages: (n: number) => {
    const kind = kindOf('IPC_SEND') ?? 0;
    const data = new Float64Array(n * TRACE_STRIDE);
    const base = machine.latest().ticks;
    for (let i = 0; i < n; i++) data.set([1e9 + i, base + i, kind, 1 + (i % 3), 2 + (i % 3), 1, 0x401, i, 0], i * TRACE_STRIDE);
    const t0 = performance.now();
    machine.trace.append(data);
    return performance.now() - t0;
  },
};

export function useMachineStatus(): MachineStatus {
  return useSyncExternalStore(machine.subscribe, machine.getSnapshot);
}

/** Re-renders when new trace records arrive (at most every UI_REFRESH_MS); returns the store's version. */
export function useTraceVersion(): number {
  return useSyncExternalStore(machine.trace.subscribe, machine.trace.getVersion);
}

/**
 * The kernel's answer for one introspection view, refreshed with the status while mounted.
 * undefined until the worker has answered once; `null` view = watch nothing.
 */
export function useIntro<W extends KiView>(view: IntroView<W> | null): IntroResult<KiViews[W]> | undefined {
  const key = view ? introKey(view) : '';
  useEffect(() => (view ? machine.watch(view) : undefined), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  return useSyncExternalStore(machine.subscribe, () => (view ? machine.intro(view) : undefined));
}

/** Several views at once (a list whose length changes, e.g. one per process). */
export function useIntros<W extends KiView>(views: IntroView<W>[]): (IntroResult<KiViews[W]> | undefined)[] {
  const keys = views.map(introKey).join(',');
  useEffect(() => {
    const offs = views.map((v) => machine.watch(v));
    return () => offs.forEach((off) => off());
  }, [keys]); // eslint-disable-line react-hooks/exhaustive-deps
  useMachineStatus();
  return views.map((v) => machine.intro(v));
}
