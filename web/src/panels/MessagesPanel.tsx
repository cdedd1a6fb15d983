// Messages: live IPC traffic from the kernel's trace records (IPC_SEND / IPC_RECV / IPC_REPLY /
// FASTPATH / SIGNAL, abi/trace.json), decoded through the typed protocols (D8,
// services/gen): the label names the operation, and the message words MR0..MR3 that the kernel
// records next to a send or reply (IPC_WORDS / IPC_WORDS2) give its arguments — `proc.kill(pid=5)`,
// and for a reply the request it answers: `proc.kill → ok()`. Filter by process and protocol;
// the list is virtualised (VirtualList), and the sequence diagram draws the last N messages.

import { useRef, useState } from 'react';
import { machine, useIntro, useTraceVersion } from '../machineClient';
import { VIEW, threadLabel, threadNames } from '../kernelViews';
import { kindInfo, kindName, kindOf, IPC_KINDS } from '../traceKinds';
import { opText, protocolOf, replyText, replyTo, wire, PROTOCOLS } from '../protocols';
import { useSettings } from '../settings';
import { VirtualList } from '../components/VirtualList';
import { CNTFRQ } from '../../../hw/memmap';
import type { TraceStore } from '../traceStore';
import './panels.css';
import './MessagesPanel.css';

export interface Message {
  n: number;
  seq: number;
  ticks: number;
  kind: string;
  from: number;
  to: number;
  object: number;
  label: number;
  badge: number;
}

/** One IPC record as a message; argument names come from the kind's definition. */
export function messageAt(t: TraceStore, n: number): Message {
  const kind = t.kindAt(n);
  const args = kindInfo(kind)?.args ?? [];
  const a = (...names: string[]) => {
    for (const name of names) {
      const i = args.indexOf(name);
      if (i >= 0) return t.argAt(n, i);
    }
    return 0;
  };
  const recv = kindName(kind) === 'IPC_RECV';
  return {
    n,
    seq: t.seqAt(n),
    ticks: t.ticksAt(n),
    kind: kindName(kind),
    from: recv ? a('from_tid') : a('from_tid', 'tid'),
    to: recv ? a('tid') : a('to_tid', 'woken_tid'),
    object: a('endpoint', 'object', 'notification'),
    label: a('label'),
    badge: a('badge_lo') + a('badge_hi') * 2 ** 32,
  };
}

const K_WORDS = kindOf('IPC_WORDS');
const K_WORDS2 = kindOf('IPC_WORDS2');
const K_SEND = kindOf('IPC_SEND');
const K_RECV = kindOf('IPC_RECV');
const K_FASTPATH = kindOf('FASTPATH');
/** How far back (in records) a reply looks for its request, a receive for its queued send. */
const LOOKBACK = 4096;

const word = (t: TraceStore, n: number, lo: number) => BigInt(t.argAt(n, lo)) | (BigInt(t.argAt(n, lo + 1)) << 32n);

/** The message words recorded at record w (an IPC_WORDS record, maybe followed by IPC_WORDS2). */
function wordsFrom(t: TraceStore, w: number): { length: number; words: bigint[] } {
  const length = t.argAt(w, 1);
  const words = [word(t, w, 2), word(t, w, 4)];
  if (t.has(w + 1) && t.kindAt(w + 1) === K_WORDS2 && t.argAt(w + 1, 0) === t.argAt(w, 0)) words.push(word(t, w + 1, 2), word(t, w + 1, 4));
  return { length, words: words.slice(0, Math.min(length, words.length)) };
}

/**
 * MR0..MR3 of a message: the IPC_WORDS record the kernel wrote next to the send or reply (after an
 * IPC_SEND / IPC_REPLY, before a FASTPATH; a receive that took a queued send finds that send).
 * `length` 0 without words; null when the trace has no words for it (an older kernel, a fault).
 */
export function messageWords(t: TraceStore, m: Message): { length: number; words: bigint[] } | null {
  if (K_WORDS === undefined) return null;
  const isWords = (n: number) => t.has(n) && t.kindAt(n) === K_WORDS && t.argAt(n, 0) === m.from;
  if (m.kind === 'IPC_SEND' || m.kind === 'IPC_REPLY') {
    if (isWords(m.n + 1)) return wordsFrom(t, m.n + 1);
    return { length: 0, words: [] };
  }
  if (m.kind === 'FASTPATH') {
    for (let n = m.n - 1; n >= m.n - 4; n--) if (isWords(n)) return wordsFrom(t, n);
    return { length: 0, words: [] };
  }
  if (m.kind === 'IPC_RECV' && m.from !== 0) {
    // the queued send this receive took: IPC_SEND from the sender to nobody on the same endpoint
    for (let n = m.n - 1; n >= Math.max(t.first, m.n - LOOKBACK); n--) {
      if (t.kindAt(n) === K_SEND && t.argAt(n, 0) === m.from && t.argAt(n, 1) === 0 && t.argAt(n, 2) === m.object) return isWords(n + 1) ? wordsFrom(t, n + 1) : { length: 0, words: [] };
    }
  }
  return null;
}

/** The request label a reply answers: the latest call from the replier's client to it. */
function requestOf(t: TraceStore, m: Message): number | null {
  for (let n = m.n - 1; n >= Math.max(t.first, m.n - LOOKBACK); n--) {
    const k = t.kindAt(n);
    let client = -1, server = -1, label = 0;
    if (k === K_SEND || k === K_FASTPATH) { client = t.argAt(n, 0); server = t.argAt(n, 1); label = t.argAt(n, k === K_SEND ? 3 : 2); }
    else if (k === K_RECV) { server = t.argAt(n, 0); client = t.argAt(n, 1); label = t.argAt(n, 3); }
    else continue;
    if (client === m.to && server === m.from && label >= 0x100) return label;
  }
  return null;
}

/** What a record says: the decoded operation, a reply's status, or what kind of event it is. */
export function msgText(m: Message, t?: TraceStore): string {
  if (m.kind === 'SIGNAL') return 'signal';
  if (m.kind === 'IPC_RECV' && m.from === 0) return 'waits';
  const w = t && wire ? messageWords(t, m) : null;
  // Request labels are protocol << 8 | op; a smaller label is a (deferred) reply: 0 ok or an error.
  if (m.kind === 'IPC_REPLY' || m.label < 0x100) {
    if (!t || !wire) return replyText(m.label);
    const req = requestOf(t, m);
    if (req === null) return replyText(m.label);
    const text = replyTo(req, m.label, w?.words ?? [], w?.length);
    return `${opText(req)} → ${text}`;
  }
  if (w && wire && wire.opOf(m.label)) return wire.decodeRequest(m.label, w.words, { length: w.length }).text;
  return opText(m.label);
}

/**
 * One row (and one arrow) per message: a send that met a waiting receiver, the receive that took a
 * queued send, a reply, a signal. A send that was queued (to 0) and a receive that started waiting
 * (from 0) are the two halves of one message, shown once when it is delivered. The kernel's FASTPATH
 * record follows the IPC_SEND / IPC_REPLY of the same message: it is a mark on that row, not a row.
 */
export const isMessage = (m: Message) => m.kind !== 'FASTPATH' && !((m.kind === 'IPC_SEND' && m.to === 0) || (m.kind === 'IPC_RECV' && m.from === 0));

/** Whether the send or reply at m took the kernel's fast path (a FASTPATH record of the same from/to follows it). */
export function isFast(t: TraceStore, m: Message): boolean {
  if (K_FASTPATH === undefined || (m.kind !== 'IPC_SEND' && m.kind !== 'IPC_REPLY')) return false;
  for (let n = m.n + 1; n <= m.n + 4 && t.has(n); n++) {
    if (t.kindAt(n) === K_FASTPATH) return t.argAt(n, 0) === m.from && t.argAt(n, 1) === m.to;
  }
  return false;
}

const SHORT: Record<string, string> = { IPC_SEND: 'send', IPC_RECV: 'recv', IPC_REPLY: 'reply', FASTPATH: 'call', SIGNAL: 'signal' };
const LEGEND: [string, string][] = [
  ['send', 'a send that met a waiting receiver'],
  ['recv', 'a queued send, taken by a receive'],
  ['reply', 'a reply to a call'],
  ['signal', 'a notification signal'],
];

interface Filter {
  tid: number | null;
  protocol: string;
}

/** Keeps the indices (into the IPC index) of messages matching the filter, extended incrementally. */
function useMatches(filter: Filter, protoOf: (m: Message) => string | undefined): number[] {
  const t = machine.trace;
  const key = `${filter.tid}|${filter.protocol}`;
  const state = useRef({ key: '', scanned: 0, matches: [] as number[], total: -1 });
  const s = state.current;
  if (s.key !== key || t.ipcTotal < s.scanned) {
    s.key = key;
    s.scanned = t.ipcFirst;
    s.matches = [];
  }
  for (let i = Math.max(s.scanned, t.ipcFirst); i < t.ipcTotal; i++) {
    const n = t.ipcAt(i);
    if (n < 0) continue;
    const m = messageAt(t, n);
    if (!isMessage(m)) continue;
    if (filter.tid !== null || filter.protocol) {
      if (filter.tid !== null && m.from !== filter.tid && m.to !== filter.tid) continue;
      if (filter.protocol && protoOf(m) !== filter.protocol) continue;
    }
    s.matches.push(i);
  }
  s.scanned = t.ipcTotal;
  // Drop what the ring no longer holds.
  let drop = 0;
  while (drop < s.matches.length && s.matches[drop] < t.ipcFirst) drop++;
  if (drop) s.matches = s.matches.slice(drop);
  return s.matches;
}

function SequenceDiagram({ msgs, name }: { msgs: Message[]; name: (tid: number) => string }) {
  const tids: number[] = [];
  for (const m of msgs) for (const t of [m.from, m.to]) if (!tids.includes(t)) tids.push(t);
  const colW = 120;
  const rowH = 22;
  const w = Math.max(1, tids.length) * colW;
  const h = (msgs.length + 1) * rowH + 10;
  const x = (tid: number) => tids.indexOf(tid) * colW + colW / 2;
  return (
    <svg className="seq" width={w} height={h} role="img" aria-label={`Sequence diagram of the last ${msgs.length} messages`} data-testid="sequence">
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" className="seq-head" />
        </marker>
      </defs>
      {tids.map((t) => (
        <g key={t}>
          <text x={x(t)} y={14} textAnchor="middle" className="seq-name">
            {name(t)}
          </text>
          <line x1={x(t)} x2={x(t)} y1={rowH} y2={h} className="seq-life" />
        </g>
      ))}
      {msgs.map((m, i) => {
        const y = (i + 1) * rowH + 10;
        const self = m.from === m.to;
        return (
          <g key={m.n} className={`seq-msg k-${SHORT[m.kind] ?? 'x'}${isFast(machine.trace, m) ? ' fast' : ''}`}>
            {self ? (
              <circle cx={x(m.from)} cy={y} r={4} />
            ) : (
              <line x1={x(m.from)} x2={x(m.to)} y1={y} y2={y} markerEnd="url(#arrow)" />
            )}
            <text x={(x(m.from) + x(m.to)) / 2} y={y - 4} textAnchor="middle">
              {isFast(machine.trace, m) ? '⚡ ' : ''}{msgText(m, machine.trace)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function MessagesPanel() {
  useTraceVersion();
  const settings = useSettings();
  const threads = useIntro({ what: VIEW.THREADS, arg: 0 });
  const [filter, setFilter] = useState<Filter>({ tid: null, protocol: '' });
  const [view, setView] = useState<'list' | 'sequence'>('list');
  const [lastN, setLastN] = useState(20);

  const names = threads?.ok ? threadNames(threads.json) : new Map<number, string>();
  const name = (tid: number) => (tid === 0 ? 'kernel' : threadLabel(tid, names));
  const protoOf = (m: Message) => (m.kind === 'IPC_REPLY' ? undefined : protocolOf(m.label));

  const matches = useMatches(filter, protoOf);
  const t = machine.trace;
  const rowHeight = settings.large ? 32 : 22;

  if (IPC_KINDS.size === 0)
    return (
      <div className="panel" data-testid="messages">
        <p className="dim" data-testid="messages-unavailable">
          The kernel defines no IPC trace records yet (abi/trace.json has no IPC_SEND/IPC_RECV/IPC_REPLY), so there is no traffic to show.
        </p>
      </div>
    );

  const recent: Message[] = [];
  for (let k = matches.length - 1; k >= 0 && recent.length < lastN; k--) {
    const n = t.ipcAt(matches[k]);
    if (n < 0) break;
    recent.unshift(messageAt(t, n));
  }
  return (
    <div className="panel messages" data-testid="messages">
      <div className="row">
        <label className="field">
          thread
          <select value={filter.tid ?? ''} onChange={(e) => setFilter({ ...filter, tid: e.target.value === '' ? null : Number(e.target.value) })} data-testid="msg-filter-tid">
            <option value="">all</option>
            {[...names].filter(([tid]) => tid >= 0).map(([tid]) => (
              <option key={tid} value={tid}>
                {name(tid)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          protocol
          <select value={filter.protocol} onChange={(e) => setFilter({ ...filter, protocol: e.target.value })} data-testid="msg-filter-protocol">
            <option value="">all</option>
            {PROTOCOLS.map((p) => p.protocol).map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <div role="group" aria-label="View">
          <button aria-pressed={view === 'list'} onClick={() => setView('list')}>
            List
          </button>{' '}
          <button aria-pressed={view === 'sequence'} onClick={() => setView('sequence')} data-testid="msg-sequence">
            Sequence
          </button>
        </div>
        {view === 'sequence' && (
          <label className="field">
            last
            <select value={lastN} onChange={(e) => setLastN(Number(e.target.value))}>
              {[10, 20, 50, 100].map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
        )}
        <span className="dim" data-testid="msg-count">
          {matches.length.toLocaleString('en-US')} messages
        </span>
      </div>
      <div className="row msg-legend dim" data-testid="msg-legend">
        {LEGEND.map(([k, what]) => (
          <span key={k} title={what}>
            <span className={`msg-kind k-${k}`}>{k}</span> {what}
          </span>
        ))}
        <span title="The kernel's IPC fast path carried this call or reply (a FASTPATH trace record)">⚡ fast path</span>
      </div>
      {t.first > 0 && (
        <p className="warn-note" data-testid="msg-dropped">
          Older history dropped: the page keeps the last {t.capacity.toLocaleString('en-US')} trace records; {t.first.toLocaleString('en-US')} older ones are gone.
        </p>
      )}
      {view === 'list' ? (
        <VirtualList
          count={matches.length}
          rowHeight={rowHeight}
          label="IPC messages"
          testId="msg-list"
          row={(i) => {
            const n = t.ipcAt(matches[i]);
            if (n < 0) return <span className="dim">(no longer held)</span>;
            const m = messageAt(t, n);
            return (
              <>
                <span className="dim msg-seq">#{m.seq}</span>
                <span className="dim msg-time">{((m.ticks / CNTFRQ) * 1e3).toFixed(3)} ms</span>
                <span className={`msg-kind k-${SHORT[m.kind] ?? 'x'}`}>{SHORT[m.kind] ?? m.kind}</span>
                <span className="msg-fast" title={isFast(t, m) ? 'fast path' : undefined}>{isFast(t, m) ? '⚡' : ''}</span>
                <span>
                  {name(m.from)} → {name(m.to)}
                </span>
                <span className="msg-op" title={msgText(m, t)}>{msgText(m, t)}</span>
                {m.badge !== 0 && <span className="dim">badge {m.badge}</span>}
              </>
            );
          }}
        />
      ) : (
        <div className="seq-box">
          <SequenceDiagram msgs={recent} name={name} />
        </div>
      )}
    </div>
  );
}
