// A Share recording (issue 15 part 3): the outside inputs of a run from its boot, each with the
// virtual time it reached the machine — UART bytes typed, host-mailbox posts — and what decides the
// boot (the build, the boot arguments, a blank disk). Carried in a Share URL (`#rec=…`),
// deflated and base64url-encoded; the page that opens it boots the same machine on a blank disk
// held in memory and feeds the inputs at their times (TimeTravelSession.preload), so the run
// unfolds exactly as recorded: the same output, the same trace, at the same virtual times.

import type { HostInput } from '../../../hw/machine';
import type { LoggedInput } from './session';

export const RECORDING_VERSION = 1;
/** A recording longer than this (base64 characters) is not put in a URL. */
export const MAX_URL_RECORDING = 16_000;

export interface ShareRecording {
  /** The build id's first 16 hex digits: a recording from another build is refused. */
  build: string;
  bootargs: string;
  inputs: LoggedInput[];
}

type Wire = { v: number; build: string; bootargs: string; inputs: ([number, 'u', string] | [number, 'm', number[]] | [number, 'g', [number, number]])[] };

const latin1 = (b: Uint8Array) => Array.from(b, (c) => String.fromCharCode(c)).join('');

async function pipe(bytes: Uint8Array, stream: TransformStream<Uint8Array, Uint8Array>): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

const toBase64Url = (b: Uint8Array) => btoa(latin1(b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromBase64Url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

export async function encodeRecording(r: ShareRecording): Promise<string> {
  const wire: Wire = {
    v: RECORDING_VERSION,
    build: r.build,
    bootargs: r.bootargs,
    inputs: r.inputs.map((i): Wire['inputs'][number] => {
      const x = i.input;
      if (x.kind === 'uart') return [i.ticks, 'u', latin1(x.bytes)];
      if (x.kind === 'mailbox') return [i.ticks, 'm', Array.from(x.words)];
      return [i.ticks, 'g', [x.button, x.down ? 1 : 0]]; // a GPIO button pressed or released
    }),
  };
  const json = new TextEncoder().encode(JSON.stringify(wire));
  return toBase64Url(await pipe(json, new CompressionStream('deflate') as unknown as TransformStream<Uint8Array, Uint8Array>));
}

/** Parses a recording from a URL; throws an Error saying why it is not one. */
export async function decodeRecording(text: string): Promise<ShareRecording> {
  let wire: Wire;
  try {
    const json = await pipe(fromBase64Url(text), new DecompressionStream('deflate') as unknown as TransformStream<Uint8Array, Uint8Array>);
    wire = JSON.parse(new TextDecoder().decode(json));
  } catch {
    throw new Error('the shared recording is damaged (it does not inflate to JSON)');
  }
  if (wire?.v !== RECORDING_VERSION) throw new Error(`shared recording version ${String(wire?.v)} is not supported (this page reads ${RECORDING_VERSION})`);
  if (typeof wire.build !== 'string' || typeof wire.bootargs !== 'string' || !Array.isArray(wire.inputs)) throw new Error('the shared recording is damaged (bad fields)');
  const inputs: LoggedInput[] = [];
  let last = 0;
  for (const e of wire.inputs) {
    const [ticks, kind, data] = Array.isArray(e) ? e : [];
    if (!Number.isSafeInteger(ticks) || (ticks as number) < last) throw new Error('the shared recording is damaged (input times out of order)');
    let input: HostInput;
    if (kind === 'u' && typeof data === 'string') input = { kind: 'uart', bytes: Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff) };
    else if (kind === 'm' && Array.isArray(data) && data.every((w) => Number.isInteger(w))) input = { kind: 'mailbox', words: Uint32Array.from(data as number[]) };
    else if (kind === 'g' && Array.isArray(data) && data.length === 2 && data.every((w) => Number.isInteger(w))) input = { kind: 'gpio', button: data[0] as number, down: data[1] !== 0 };
    else throw new Error('the shared recording is damaged (an input is neither UART bytes, a mailbox post nor a GPIO button)');
    inputs.push({ ticks: ticks as number, input });
    last = ticks as number;
  }
  return { build: wire.build, bootargs: wire.bootargs, inputs };
}
