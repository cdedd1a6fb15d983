// Reading the kernel's introspection export (D10): ki_json(what, arg) writes one JSON value into
// the buffer at ki_buf() and returns its length. This module reads that text out of RAM and checks
// it against the view's schema (abi/introspection.json, generated into host/kiViews.ts), so every
// reader — the page's worker, `mlk`, the tests — gets a typed value or a clear error, never a
// guess about field names.

import { KI_SCHEMA, type KiView, type KiViews } from './kiViews';

export * from './kiViews';

type SchemaType = string | readonly SchemaType[] | { readonly [field: string]: SchemaType };
const RECORDS = KI_SCHEMA.records as unknown as Record<string, { readonly [field: string]: SchemaType }>;

/** What is wrong with `value` as a `type` (empty when it conforms); `path` names it in the messages. */
export function schemaErrors(type: SchemaType, value: unknown, path = '$'): string[] {
  if (typeof type === 'string') {
    const alts = type.split('|');
    const tries = alts.map((alt) => scalarOrRecordErrors(alt, value, path));
    return tries.find((e) => e.length === 0) ?? tries[0];
  }
  if (Array.isArray(type)) {
    if (!Array.isArray(value)) return [`${path}: expected a list, got ${describe(value)}`];
    return value.flatMap((v, i) => schemaErrors(type[0], v, `${path}[${i}]`));
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object, got ${describe(value)}`];
  const obj = value as Record<string, unknown>;
  const fields = type as { readonly [field: string]: SchemaType };
  if ('*' in fields) return Object.entries(obj).flatMap(([k, v]) => schemaErrors(fields['*'], v, `${path}.${k}`));
  const errors: string[] = [];
  const declared = new Set<string>();
  for (const [decl, t] of Object.entries(fields)) {
    const optional = decl.endsWith('?');
    const name = optional ? decl.slice(0, -1) : decl;
    declared.add(name);
    if (!(name in obj)) { if (!optional) errors.push(`${path}.${name}: missing`); continue; }
    errors.push(...schemaErrors(t, obj[name], `${path}.${name}`));
  }
  for (const k of Object.keys(obj)) if (!declared.has(k)) errors.push(`${path}.${k}: not in the schema`);
  return errors;
}

function scalarOrRecordErrors(type: string, value: unknown, path: string): string[] {
  const ok = (() => {
    switch (type) {
      case 'number': return typeof value === 'number' && Number.isFinite(value);
      case 'hex': return typeof value === 'string' && /^0x[0-9a-f]+$/i.test(value);
      case 'string': return typeof value === 'string';
      case 'bool': return typeof value === 'boolean';
      case 'rights': return typeof value === 'string' && /^[R-][W-][GX-]$/.test(value);
      case 'null': return value === null;
      default: return undefined;
    }
  })();
  if (ok === undefined) return schemaErrors(RECORDS[type], value, path);
  return ok ? [] : [`${path}: expected ${type}, got ${describe(value)}`];
}

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : typeof v);

export type KiResult<W extends KiView> = { ok: true; value: KiViews[W] } | { ok: false; error: string };

/** Parses and checks the text of view `what`. */
export function parseKiView<W extends KiView>(what: W, text: string): KiResult<W> {
  const type = KI_SCHEMA.views[what] as SchemaType | undefined;
  if (type === undefined) return { ok: false, error: `ki_json(${what}): no such view` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `ki_json(${what}): not JSON (${(e as Error).message})` };
  }
  const errors = schemaErrors(type, value);
  if (errors.length) return { ok: false, error: `ki_json(${what}) does not match abi/introspection.json: ${errors.slice(0, 3).join('; ')}${errors.length > 3 ? ` (+${errors.length - 3} more)` : ''}` };
  return { ok: true, value: value as KiViews[W] };
}

/** The kernel exports the reader needs: ki_json writes the answer, ki_buf says where (a RAM offset). */
export interface KiExports { ki_json(what: number, arg: number): number; ki_buf(): number | bigint }

/** The raw answer of ki_json(what, arg), read from RAM; an error when the kernel gives none. */
export function readKiText(ex: KiExports, ram: Uint8Array, what: number, arg = 0): { ok: true; text: string } | { ok: false; error: string } {
  if (typeof ex.ki_json !== 'function' || typeof ex.ki_buf !== 'function') return { ok: false, error: 'kernel introspection not available (the kernel exports no ki_json)' };
  try {
    const len = ex.ki_json(what >>> 0, arg >>> 0) >>> 0;
    const at = Number(ex.ki_buf());
    if (at + len > ram.length) return { ok: false, error: `ki_json(${what}, ${arg}): answer outside RAM` };
    if (len === 0) return { ok: false, error: `ki_json(${what}, ${arg}) returned nothing` };
    return { ok: true, text: new TextDecoder().decode(ram.subarray(at, at + len)) };
  } catch (e) {
    return { ok: false, error: `ki_json(${what}, ${arg}): ${(e as Error).message}` };
  }
}

/** View `what` of a machine's kernel, parsed and checked against its schema. */
export function readKiView<W extends KiView>(ex: KiExports, ram: Uint8Array, what: W, arg = 0): KiResult<W> {
  const raw = readKiText(ex, ram, what, arg);
  return raw.ok ? parseKiView(what, raw.text) : raw;
}
