// Messages decoded from the kernel's trace records (D10): one IPC record (IPC_SEND / IPC_RECV /
// IPC_REPLY / FASTPATH / SIGNAL) as a message, its words (IPC_WORDS / IPC_WORDS2 for MR0..MR3,
// IPC_WORDS_MORE for words 4.. from the sender's IPC buffer, strings included), the request a
// reply answers, and the text the messages panel and the sequence diagram show, decoded through
// the typed protocols (D8): `vfs.open(path="/etc/motd", flags=0)`, `vfs.read → ok(data="…")`.

import { kindInfo, kindName, kindOf } from '../../host/traceKinds';
import { opText, replyText, replyTo, wire } from './protocols';
import type { TraceStore } from './traceStore';

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
const K_WORDS_MORE = kindOf('IPC_WORDS_MORE');
const K_SEND = kindOf('IPC_SEND');
const K_RECV = kindOf('IPC_RECV');
const K_FASTPATH = kindOf('FASTPATH');
/** How far back (in records) a reply looks for its request, a receive for its queued send. */
const LOOKBACK = 4096;

const word = (t: TraceStore, n: number, lo: number) => BigInt(t.argAt(n, lo)) | (BigInt(t.argAt(n, lo + 1)) << 32n);

/**
 * The message words recorded at record w: an IPC_WORDS record (MR0, MR1), maybe followed by
 * IPC_WORDS2 (MR2, MR3) and IPC_WORDS_MORE records (words 4.. from the sender's IPC buffer, two
 * each, in order). Words the trace does not hold are left out: the decoder marks the message cut.
 */
function wordsFrom(t: TraceStore, w: number): { length: number; words: bigint[] } {
  const tid = t.argAt(w, 0);
  const length = t.argAt(w, 1);
  const words = [word(t, w, 2), word(t, w, 4)];
  let n = w + 1;
  if (t.has(n) && t.kindAt(n) === K_WORDS2 && t.argAt(n, 0) === tid) {
    words.push(word(t, n, 2), word(t, n, 4));
    for (n++; t.has(n) && t.kindAt(n) === K_WORDS_MORE && t.argAt(n, 0) === tid && t.argAt(n, 1) === words.length; n++) words.push(word(t, n, 2), word(t, n, 4));
  }
  return { length, words: words.slice(0, Math.min(length, words.length)) };
}

/**
 * The words of a message: from the IPC_WORDS record the kernel wrote next to the send or reply (after an
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
