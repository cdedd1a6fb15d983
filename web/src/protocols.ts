// Typed message decoding for the messages panel and the composer (D8). The protocols are defined
// once in abi/protocols/*.json; scripts/abi.mjs generates services/gen/protocols.ts, whose `wire`
// (host/wire.ts) decodes and encodes messages: request label = protocol id << 8 | op id,
// reply label = 0 (ok) or an error code. This file only loads it — when the build has no
// generated protocols, labels are shown as numbers and the composer sends raw labels.

import { Wire, type Protocol } from '../../host/wire';

export type { Protocol };

const gen = Object.values(import.meta.glob<{ wire?: Wire; PROTOCOLS?: Protocol[] }>('../../services/gen/protocols.ts', { eager: true }))[0];

/** The decoder: the system's protocols and those students declared (a live binding: see below). */
export let wire: Wire | null = gen?.wire ?? null;
export let PROTOCOLS: Protocol[] = gen?.PROTOCOLS ?? [];
const SYSTEM_PROTOCOLS = PROTOCOLS;

/**
 * Adds a protocol declared in the Code panel (web/src/code/protocolDecl.ts) to the decoder, in
 * place of an earlier one of the same name or id: messages decode through it from now on.
 */
export function registerUserProtocol(p: Protocol): void {
  if (!wire || SYSTEM_PROTOCOLS.some((s) => s.id === p.id || s.protocol === p.protocol)) return;
  PROTOCOLS = [...PROTOCOLS.filter((x) => x.id !== p.id && x.protocol !== p.protocol), p];
  wire = new Wire(PROTOCOLS, wire.errors);
}

export const protocolByName = (name: string | undefined): Protocol | undefined => PROTOCOLS.find((p) => p.protocol === name);

/** Protocol name of a request label, when it names a known protocol. */
export function protocolOf(label: number): string | undefined {
  return wire?.opOf(label)?.protocol.protocol;
}

/** "vfs.open" for a request label of a known protocol, else "label 0x…". */
export function opText(label: number): string {
  const found = wire?.opOf(label);
  return found ? `${found.protocol.protocol}.${found.op.name}` : `label 0x${label.toString(16)}`;
}

/** A reply label: "ok" or the protocol error's name. */
export function replyText(label: number): string {
  if (label === 0) return 'ok';
  return wire ? `err(${wire.errName(label)})` : `err ${label}`;
}

/**
 * A reply, the same way everywhere (composer and messages): decoded against the request it answers
 * when that is an operation of a known protocol, else its label as a status ("ok" / "err(NAME)")
 * and its raw words.
 */
export function replyTo(request: number | bigint, label: number | bigint, words: bigint[], length?: number): string {
  if (wire?.opOf(Number(request))) return wire.decodeReply(Number(request), Number(label), words, length === undefined ? undefined : { length }).text;
  return `${replyText(Number(label))}${words.length ? ` [${words.map((w) => `0x${w.toString(16)}`).join(', ')}]` : ''}`;
}

/** A string argument as typed: `\n`, `\t` and `\\` stand for a newline, a tab and a backslash. */
export function unescapeArg(v: string): string {
  return v.replace(/\\(n|t|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}
