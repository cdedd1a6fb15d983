// wire.ts — the TypeScript side of the typed-message format (DESIGN D8): decodes and encodes
// messages from the protocol descriptions in abi/protocols/*.json, for the playground's message
// panel, the composer, and tests. The AssemblyScript side is services/lib/msg.ts (the user library) plus the
// generated services/gen/<protocol>.ts; both follow docs/SERVICES.md "Messages":
//   request label = protocol id << 8 | op id; reply label = 0 (ok) or an error code
//   u32/i32/u64/bool: one word · string/bytes: a length word + bytes packed LE into words ·
//   cap: an extra capability, no word.
// Import the bound instance from services/gen/protocols.ts rather than this file.

import { MSG_MAX_WORDS } from './abi';

export type FieldType = 'u32' | 'i32' | 'u64' | 'bool' | 'string' | 'bytes' | 'cap';

export interface Field {
  name: string;
  type: FieldType;
  /** Maximum length in bytes (string, bytes). */
  max?: number;
  /** Name of an enum of the protocol (u32): shown by name. */
  enum?: string;
  /** Name of a flag set of the protocol (u32): shown as A|B. */
  flags?: string;
}

export interface Op {
  name: string;
  id: number;
  doc?: string;
  args: Field[];
  reply: Field[];
  errors: string[];
}

export interface Protocol {
  protocol: string;
  id: number;
  doc?: string;
  enums?: Record<string, Record<string, number>>;
  flags?: Record<string, Record<string, number>>;
  ops: Op[];
}

export interface ErrorDef { name: string; code: number; doc?: string }

export type Value = number | bigint | boolean | string | Uint8Array | null;

export interface Decoded {
  /** true when the message matches its protocol exactly. */
  ok: boolean;
  protocol?: string;
  op?: string;
  /** Request arguments or reply fields by name (cap fields are null). */
  fields: Record<string, Value>;
  /** For replies: the error name when the label is not 0. */
  error?: string;
  /** Why the message does not match (when !ok). */
  problem?: string;
  /** The message words ran out before the fields did (a trace holding only the first words). */
  truncated?: boolean;
  /** `vfs.open(path="/etc/motd", flags=READ)` or `ok(fd=3)` / `err(NO_ENTRY)`. */
  text: string;
}

/** Words of one message (abi/layout.json MSG_MAX_WORDS). */
export const MSG_WORDS = MSG_MAX_WORDS;
const U32_MAX = 0xffff_ffffn;

/** Words of a message from its bytes (little-endian u64s). */
export function wordsFromBytes(bytes: Uint8Array): bigint[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: bigint[] = [];
  for (let i = 0; i + 8 <= bytes.byteLength; i += 8) out.push(dv.getBigUint64(i, true));
  return out;
}

function packBytes(data: Uint8Array): bigint[] {
  const words = Math.ceil(data.length / 8);
  const buf = new Uint8Array(words * 8);
  buf.set(data);
  return wordsFromBytes(buf);
}

function unpackBytes(words: readonly bigint[], at: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    const w = words[at + (i >> 3)] ?? 0n;
    out[i] = Number((w >> BigInt((i & 7) * 8)) & 0xffn);
  }
  return out;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

function isPrintable(b: Uint8Array): boolean {
  for (const c of b) if ((c < 0x20 && c !== 10 && c !== 13 && c !== 9) || c === 0x7f) return false;
  return true;
}

export class Wire {
  readonly byId = new Map<number, Protocol>();
  readonly byName = new Map<string, Protocol>();
  readonly errorByCode = new Map<number, string>();
  readonly errorByName = new Map<string, number>();

  constructor(readonly protocols: Protocol[], readonly errors: ErrorDef[]) {
    for (const p of protocols) {
      this.byId.set(p.id, p);
      this.byName.set(p.protocol, p);
    }
    for (const e of errors) {
      this.errorByCode.set(e.code, e.name);
      this.errorByName.set(e.name, e.code);
    }
  }

  errName(code: number | bigint): string {
    return this.errorByCode.get(Number(code)) ?? `E${code}`;
  }

  label(protocol: string, op: string): bigint {
    const { p, o } = this.find(protocol, op);
    return (BigInt(p.id) << 8n) | BigInt(o.id);
  }

  /** The protocol and op a request label names, if any. */
  opOf(label: number | bigint): { protocol: Protocol; op: Op } | undefined {
    const l = BigInt(label);
    const p = this.byId.get(Number(l >> 8n));
    const o = p?.ops.find((x) => x.id === Number(l & 0xffn));
    return p && o ? { protocol: p, op: o } : undefined;
  }

  private find(protocol: string, op: string): { p: Protocol; o: Op } {
    const p = this.byName.get(protocol);
    if (!p) throw new Error(`unknown protocol ${protocol}`);
    const o = p.ops.find((x) => x.name === op);
    if (!o) throw new Error(`unknown op ${protocol}.${op}`);
    return { p, o };
  }

  /** Encodes a request: the label, the words and how many capabilities go with it. */
  encodeRequest(protocol: string, op: string, args: Record<string, Value | undefined>): { label: bigint; words: bigint[]; caps: number } {
    const { p, o } = this.find(protocol, op);
    const { words, caps } = this.encodeFields(p, o.args, args, `${protocol}.${op}`);
    return { label: (BigInt(p.id) << 8n) | BigInt(o.id), words, caps };
  }

  /** Encodes the ok reply of an op. */
  encodeReply(protocol: string, op: string, fields: Record<string, Value | undefined>): { label: bigint; words: bigint[]; caps: number } {
    const { p, o } = this.find(protocol, op);
    const { words, caps } = this.encodeFields(p, o.reply, fields, `${protocol}.${op} reply`);
    return { label: 0n, words, caps };
  }

  private encodeFields(p: Protocol, fields: Field[], values: Record<string, Value | undefined>, what: string): { words: bigint[]; caps: number } {
    const words: bigint[] = [];
    let caps = 0;
    for (const f of fields) {
      const v = values[f.name];
      if (f.type === 'cap') { caps++; continue; }
      if (v === undefined) throw new Error(`${what}: missing ${f.name}`);
      switch (f.type) {
        case 'u32': case 'i32': case 'u64': {
          let n: bigint;
          if (typeof v === 'string' && (f.enum || f.flags)) n = BigInt(this.parseSymbolic(p, f, v));
          else if (typeof v === 'number' || typeof v === 'bigint') n = BigInt(v);
          else throw new Error(`${what}: ${f.name} must be a number`);
          if (f.type === 'u32' && (n < 0n || n > U32_MAX)) throw new Error(`${what}: ${f.name} out of u32 range`);
          if (f.type === 'i32' && (n < -0x8000_0000n || n > 0x7fff_ffffn)) throw new Error(`${what}: ${f.name} out of i32 range`);
          if (f.type === 'u64' && (n < 0n || n >= 1n << 64n)) throw new Error(`${what}: ${f.name} out of u64 range`);
          words.push(BigInt.asUintN(64, n));
          break;
        }
        case 'bool':
          words.push(v ? 1n : 0n);
          break;
        case 'string': case 'bytes': {
          const data = typeof v === 'string' ? new TextEncoder().encode(v) : v instanceof Uint8Array ? v : null;
          if (!data) throw new Error(`${what}: ${f.name} must be a string or bytes`);
          if (data.length > (f.max ?? 0)) throw new Error(`${what}: ${f.name} longer than ${f.max} bytes`);
          words.push(BigInt(data.length), ...packBytes(data));
          break;
        }
      }
    }
    if (words.length > MSG_WORDS) throw new Error(`${what}: ${words.length} words is more than ${MSG_WORDS}`);
    return { words, caps };
  }

  private parseSymbolic(p: Protocol, f: Field, v: string): number {
    if (f.enum) {
      const n = p.enums?.[f.enum]?.[v];
      if (n === undefined) throw new Error(`${p.protocol}: ${v} is not a ${f.enum}`);
      return n;
    }
    const set = p.flags?.[f.flags!] ?? {};
    let n = 0;
    for (const part of v.split('|').map((s) => s.trim()).filter(Boolean)) {
      if (set[part] === undefined) throw new Error(`${p.protocol}: ${part} is not one of ${f.flags}`);
      n |= set[part];
    }
    return n;
  }

  /** `vfs.open` for a request label, or undefined. */
  nameOf(label: number | bigint): string | undefined {
    const f = this.opOf(label);
    return f ? `${f.protocol.protocol}.${f.op.name}` : undefined;
  }

  /**
   * Decodes a request. `words` may be shorter than `length` (the message's word count) when only
   * the first words were captured; the result is then marked truncated, not refused. Pass
   * `length: Infinity` when the count is unknown (a trace record with the label only).
   */
  decodeRequest(label: number | bigint, words: readonly bigint[], opts: { length?: number; caps?: number } = {}): Decoded {
    const l = BigInt(label);
    const p = this.byId.get(Number(l >> 8n));
    if (!p || l >> 8n > 0xffn) return { ok: false, fields: {}, problem: `unknown protocol in label 0x${l.toString(16)}`, text: `?(label=0x${l.toString(16)})` };
    const o = p.ops.find((x) => x.id === Number(l & 0xffn));
    if (!o) return { ok: false, protocol: p.protocol, fields: {}, problem: `unknown op ${Number(l & 0xffn)}`, text: `${p.protocol}.?(op=${Number(l & 0xffn)})` };
    const r = this.decodeFields(p, o.args, words, opts);
    const body = this.body(p, o.args, r);
    return { ...r, protocol: p.protocol, op: o.name, text: `${p.protocol}.${o.name}(${body})${r.ok || r.truncated ? '' : ' ✗ ' + r.problem}` };
  }

  /** Decodes a reply to a request with label requestLabel. */
  decodeReply(requestLabel: number | bigint, label: number | bigint, words: readonly bigint[], opts: { length?: number; caps?: number } = {}): Decoded {
    const found = this.opOf(requestLabel);
    const l = BigInt(label);
    if (l !== 0n) {
      const len = opts.length ?? words.length;
      const name = this.errName(l);
      return { ok: len === 0, protocol: found?.protocol.protocol, op: found?.op.name, fields: {}, error: name, text: `err(${name})`, ...(len !== 0 ? { problem: 'error reply with words' } : {}) };
    }
    if (!found) return { ok: false, fields: {}, problem: 'reply to an unknown request', text: `ok(?)` };
    const { protocol: p, op: o } = found;
    const r = this.decodeFields(p, o.reply, words, opts);
    const body = this.body(p, o.reply, r);
    return { ...r, protocol: p.protocol, op: o.name, text: `ok(${body})${r.ok || r.truncated ? '' : ' ✗ ' + r.problem}` };
  }

  /** `a=1, b="x"`; a truncated message shows the fields it has, then `…`. */
  private body(p: Protocol, fields: Field[], r: { fields: Record<string, Value>; truncated?: boolean }): string {
    const shown = (r.truncated ? fields.filter((f) => f.name in r.fields) : fields).map((f) => `${f.name}=${this.show(p, f, r.fields[f.name])}`);
    if (r.truncated) shown.push('…');
    return shown.join(', ');
  }

  private decodeFields(p: Protocol, fields: Field[], words: readonly bigint[], opts: { length?: number; caps?: number }): { ok: boolean; fields: Record<string, Value>; problem?: string; truncated?: boolean } {
    const length = opts.length ?? words.length;
    const out: Record<string, Value> = {};
    let at = 0;
    let caps = 0;
    const fail = (problem: string) => ({ ok: false, fields: out, problem });
    for (const f of fields) {
      if (f.type === 'cap') { out[f.name] = null; caps++; continue; }
      if (at >= length) return fail(`missing ${f.name}`);
      if (at >= words.length) return { ok: false, fields: out, truncated: true };
      const w = words[at++];
      switch (f.type) {
        case 'u32':
          if (w > U32_MAX) return fail(`${f.name} is not a u32`);
          out[f.name] = Number(w);
          break;
        case 'i32': {
          const s = BigInt.asIntN(64, w);
          if (s < -0x8000_0000n || s > 0x7fff_ffffn) return fail(`${f.name} is not an i32`);
          out[f.name] = Number(s);
          break;
        }
        case 'u64': out[f.name] = w; break;
        case 'bool':
          if (w > 1n) return fail(`${f.name} is not a bool`);
          out[f.name] = w === 1n;
          break;
        case 'string': case 'bytes': {
          if (w > BigInt(f.max ?? 0)) return fail(`${f.name} is longer than ${f.max}`);
          const n = Number(w);
          const nw = Math.ceil(n / 8);
          if (at + nw > length) return fail(`${f.name} runs past the message`);
          if (at + nw > words.length) { at += nw; return { ok: false, fields: out, truncated: true }; }
          const b = unpackBytes(words, at, n);
          at += nw;
          out[f.name] = f.type === 'string' ? new TextDecoder().decode(b) : b;
          break;
        }
      }
    }
    if (at !== length && length !== Infinity) return fail(`${length - at} extra words`);
    if (opts.caps !== undefined && opts.caps !== caps) return fail(`${opts.caps} capabilities, expected ${caps}`);
    return { ok: true, fields: out };
  }

  /** One value as the message panel shows it. */
  show(p: Protocol, f: Field, v: Value | undefined): string {
    if (v === undefined) return '…';
    if (f.type === 'cap') return 'cap';
    if (f.type === 'string') return quote(String(v));
    if (f.type === 'bytes') {
      const b = v as Uint8Array;
      if (isPrintable(b)) return quote(new TextDecoder().decode(b));
      const hex = [...b.slice(0, 16)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
      return `<${b.length} bytes: ${hex}${b.length > 16 ? ' …' : ''}>`;
    }
    if (f.enum && typeof v === 'number') {
      const e = Object.entries(p.enums?.[f.enum] ?? {}).find(([, n]) => n === v);
      return e ? e[0] : String(v);
    }
    if (f.flags && typeof v === 'number') {
      if (v === 0) return '0';
      const names: string[] = [];
      let rest = v;
      for (const [name, bit] of Object.entries(p.flags?.[f.flags] ?? {})) {
        if (bit && (v & bit) === bit) { names.push(name); rest &= ~bit; }
      }
      if (rest) names.push(`0x${rest.toString(16)}`);
      return names.join('|');
    }
    return String(v);
  }
}
