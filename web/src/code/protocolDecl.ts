// protocolDecl.ts — a student's own protocol, declared in the program's source so that the page
// decodes its messages like the system's (issue 13: "a student's own protocol can be declared in
// the editor and decodes too"). The declaration is a block comment holding the same JSON as a file
// of abi/protocols/ (host/wire.ts Protocol), e.g.
//
//   /* @protocol { "protocol": "counter", "id": 200,
//                  "ops": [{ "name": "add", "id": 1, "args": [{ "name": "n", "type": "u64" }],
//                            "reply": [{ "name": "total", "type": "u64" }] }] } */
//
// A request's label is then id << 8 | op id (200 << 8 | 1 = 0xc801), as for every protocol; the
// reply's label is 0 or an error code. The page registers it when the program runs
// (web/src/protocols.ts registerUserProtocol). The ids of the system's protocols are refused.

import type { Field, Op, Protocol } from '../../../host/wire';

const TYPES = new Set(['u32', 'i32', 'u64', 'bool', 'string', 'bytes', 'cap']);
/** Protocol ids a student may use: above the system's (1–127 are kept for abi/protocols). */
export const USER_PROTOCOL_IDS = { min: 128, max: 255 };

const MARK = /\/\*\s*@protocol\b([\s\S]*?)\*\//;

function checkFields(where: string, v: unknown): Field[] | string {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return `${where} must be a list of fields`;
  const out: Field[] = [];
  for (const f of v) {
    const x = f as Record<string, unknown>;
    if (typeof x?.name !== 'string' || !/^[a-z_][a-zA-Z0-9_]*$/.test(x.name)) return `${where}: a field needs a name (letters, digits, _)`;
    if (typeof x.type !== 'string' || !TYPES.has(x.type)) return `${where}.${x.name}: type must be one of ${[...TYPES].join(', ')}`;
    if ((x.type === 'string' || x.type === 'bytes') && !(Number.isInteger(x.max) && (x.max as number) > 0 && (x.max as number) <= 480)) return `${where}.${x.name}: a ${x.type} needs "max" (1–480 bytes)`;
    out.push({ name: x.name, type: x.type as Field['type'], ...(x.max !== undefined ? { max: x.max as number } : {}) });
  }
  return out;
}

/**
 * The protocol declared in `source`, or null when it declares none; a string says what is wrong
 * with a declaration (shown to the student, the program still runs).
 */
export function parseProtocolDecl(source: string, taken: readonly number[] = []): Protocol | null | string {
  const m = MARK.exec(source);
  if (!m) return null;
  let j: Record<string, unknown>;
  try { j = JSON.parse(m[1]); } catch (e) { return `@protocol: not JSON (${(e as Error).message})`; }
  if (typeof j?.protocol !== 'string' || !/^[a-z][a-z0-9_-]{0,23}$/.test(j.protocol)) return '@protocol: "protocol" must be a lower-case name';
  if (!Number.isInteger(j.id) || (j.id as number) < USER_PROTOCOL_IDS.min || (j.id as number) > USER_PROTOCOL_IDS.max) {
    return `@protocol: "id" must be ${USER_PROTOCOL_IDS.min}–${USER_PROTOCOL_IDS.max} (lower ids are the system's)`;
  }
  if (taken.includes(j.id as number)) return `@protocol: id ${j.id} is taken`;
  if (!Array.isArray(j.ops) || j.ops.length === 0) return '@protocol: "ops" must list at least one operation';
  const ops: Op[] = [];
  for (const o of j.ops as Record<string, unknown>[]) {
    if (typeof o?.name !== 'string' || !/^[a-z_][a-zA-Z0-9_]*$/.test(o.name)) return '@protocol: every op needs a name';
    if (!Number.isInteger(o.id) || (o.id as number) < 1 || (o.id as number) > 255) return `@protocol: op ${o.name}: "id" must be 1–255`;
    if (ops.some((x) => x.id === o.id || x.name === o.name)) return `@protocol: op ${o.name}: its name or id is used twice`;
    const args = checkFields(`${o.name} args`, o.args);
    if (typeof args === 'string') return `@protocol: ${args}`;
    const reply = checkFields(`${o.name} reply`, o.reply);
    if (typeof reply === 'string') return `@protocol: ${reply}`;
    ops.push({ name: o.name, id: o.id as number, args, reply, errors: [], ...(typeof o.doc === 'string' ? { doc: o.doc } : {}) });
  }
  return { protocol: j.protocol, id: j.id as number, ops, ...(typeof j.doc === 'string' ? { doc: j.doc } : {}) };
}
