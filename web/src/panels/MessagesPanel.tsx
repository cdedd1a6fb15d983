// Messages: live IPC traffic from the kernel's trace records (IPC_SEND / IPC_RECV / IPC_REPLY /
// FASTPATH / SIGNAL, abi/trace.json), decoded through the typed protocols (D8,
// services/gen): the label names the operation, and the message words that the kernel records next
// to a send or reply (IPC_WORDS / IPC_WORDS2 for MR0..MR3, IPC_WORDS_MORE for the words in the IPC
// buffer, strings included) give its arguments — `proc.kill(tid=5)`, `vfs.open(path="/etc/motd", …)`,
// and for a reply the request it answers: `proc.kill → ok()`. Filter by process and protocol;
// the list is virtualised (VirtualList), and the sequence diagram draws the last N messages.

import { useRef, useState } from 'react';
import { machine, useIntro, useMachineStatus, useTraceVersion } from '../machineClient';
import { messageAtMoment } from '../timetravel/moment';
import { KI_VIEW, threadLabel, threadNames } from '../kernelViews';
import { IPC_KINDS } from '../../../host/traceKinds';
import { protocolOf, PROTOCOLS } from '../protocols';
import { isFast, isMessage, messageAt, msgText, type Message } from '../messages';
import { useSettings } from '../settings';
import { VirtualList } from '../components/VirtualList';
import { CNTFRQ } from '../../../hw/memmap';
import './panels.css';
import './MessagesPanel.css';

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
  const threads = useIntro({ what: KI_VIEW.THREADS, arg: 0 });
  const [filter, setFilter] = useState<Filter>({ tid: null, protocol: '' });
  const [view, setView] = useState<'list' | 'sequence'>('list');
  const [lastN, setLastN] = useState(20);

  const names = threads?.ok ? threadNames(threads.json) : new Map<number, string>();
  const name = (tid: number) => (tid === 0 ? 'kernel' : threadLabel(tid, names));
  const protoOf = (m: Message) => (m.kind === 'IPC_REPLY' ? undefined : protocolOf(m.label));

  const matches = useMatches(filter, protoOf);
  const t = machine.trace;
  // after going back in time: the message of that moment (time travel, web/src/timetravel)
  const selected = messageAtMoment(t, matches, useMachineStatus().timeTravel);
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
          selected={selected}
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
                <span className="msg-who">
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
