// The page's time-travel requests to the worker: save and load a state, reverse commands, jumps,
// the Share recording. Answers come back by request id (machineClient.onReply).

import { machine } from '../machineClient';
import type { Event, ReverseTarget } from '../worker/protocol';

let nextId = 1;

function ask<T extends Extract<Event, { id: number }>['type']>(type: T, send: (id: number) => void): Promise<Extract<Event, { type: T }>> {
  const id = nextId++;
  return new Promise((resolve) => {
    const off = machine.onReply((ev) => {
      if (ev.type === type && 'id' in ev && ev.id === id) {
        off();
        resolve(ev as Extract<Event, { type: T }>);
      }
    });
    send(id);
  });
}

/** The machine's state now as a page state file. */
export async function saveState(): Promise<Uint8Array> {
  const ev = await ask('state', (id) => machine.send({ type: 'saveState', id }));
  if (!ev.bytes) throw new Error(ev.error ?? 'the state could not be saved');
  return ev.bytes;
}

/** Loads a state file; resolves with null, or with the reason it was refused (the machine unchanged). */
export async function loadState(bytes: Uint8Array): Promise<string | null> {
  const copy = bytes.slice();
  const ev = await ask('loaded', (id) => machine.send({ type: 'loadState', id, bytes: copy }));
  return ev.error ?? null;
}

/** The inputs since boot as a Share recording (text for `#rec=`). */
export async function recording(): Promise<string> {
  const ev = await ask('recording', (id) => machine.send({ type: 'recording', id }));
  if (ev.text === undefined) throw new Error(ev.error ?? 'no recording');
  return ev.text;
}

export const reverse = (target: ReverseTarget) => machine.send({ type: 'reverse', target });

/** Goes to the end of the kernel entry that wrote trace record `seq`. */
export const seek = (seq: number, ticks: number) => machine.send({ type: 'seek', seq, ticks });
