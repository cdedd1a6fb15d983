// The page's end of the playground agent (D9): the requests sent through the host mailbox and the
// agent's hello and replies, kept outside the components so switching tabs loses nothing. The
// composer shows it; the lessons send through it. Frames: agent.ts.

import { useEffect, useState } from 'react';
import { machine } from './machineClient';
import { decodeAgent, encodeRequest, errorText } from './agent';
import { replyTo } from './protocols';

export interface Sent {
  tag: number;
  text: string;
  label: bigint;
  state: 'waiting' | 'refused' | 'reply';
  err?: number;
  reply?: string;
}

let nextTag = 1;
/** The agent's hello (the slots it holds) and every request sent, with its reply once it came. */
const log: { hello: number[] | null; sent: Sent[]; listeners: Set<() => void> } = { hello: null, sent: [], listeners: new Set() };
const changed = () => log.listeners.forEach((l) => l());
machine.onMailbox((words, accepted) => {
  if (!accepted) {
    const s = [...log.sent].reverse().find((x) => x.state === 'waiting');
    if (s) s.state = 'refused';
    return changed();
  }
  const m = decodeAgent(words);
  if (!m) return;
  if (m.type === 'hello') log.hello = m.slots;
  else {
    const s = log.sent.find((x) => x.tag === m.tag);
    if (s) {
      s.state = 'reply';
      s.err = m.err;
      s.reply = m.err ? errorText(m.err) : replyTo(s.label, m.label, m.words);
    }
  }
  changed();
});
machine.onReset(() => {
  log.hello = null;
  log.sent = [];
  changed();
});

/** The log, for a component: it re-renders on every change. */
export function useAgentLog() {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => set((n) => n + 1);
    log.listeners.add(l);
    return () => void log.listeners.delete(l);
  }, []);
  return log;
}

/** Sends through the agent (the composer and the lessons). Returns the tag. */
export function sendThroughAgent(slot: number, label: bigint, words: bigint[], text: string): number {
  const tag = nextTag++;
  log.sent.push({ tag, text, label, state: 'waiting' });
  changed();
  machine.postMailbox(encodeRequest(tag, slot, label, words));
  return tag;
}
