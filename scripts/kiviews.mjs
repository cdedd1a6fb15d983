// kiviews.mjs — the typed views of the kernel's introspection export, generated from
// abi/introspection.json (run by scripts/abi.mjs). It writes host/kiViews.ts: one TypeScript
// type per record, KiViews (view number → its type), KI_VIEW (names → numbers) and the schema
// as data for the validating reader in host/introspection.ts.

const SCALARS = { number: 'number', hex: 'string', string: 'string', bool: 'boolean', rights: 'string', null: 'null' };
const typeName = (record) => 'Ki' + record.split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join('');

/** Throws unless `t` is a type of the schema language over `records`. */
function checkType(t, records, where) {
  if (typeof t === 'string') {
    for (const alt of t.split('|')) if (!(alt in SCALARS) && !(alt in records)) throw new Error(`abi/introspection.json ${where}: unknown type ${alt}`);
  } else if (Array.isArray(t)) {
    if (t.length !== 1) throw new Error(`abi/introspection.json ${where}: a list type has one element type`);
    checkType(t[0], records, where);
  } else if (t && typeof t === 'object') {
    for (const [k, v] of Object.entries(t)) checkType(v, records, `${where}.${k}`);
  } else throw new Error(`abi/introspection.json ${where}: bad type ${JSON.stringify(t)}`);
}

/** The TypeScript spelling of a schema type. */
function tsType(t) {
  if (typeof t === 'string') return t.split('|').map((a) => SCALARS[a] ?? typeName(a)).join(' | ');
  if (Array.isArray(t)) return /\|/.test(tsType(t[0])) ? `(${tsType(t[0])})[]` : `${tsType(t[0])}[]`;
  if ('*' in t) return `Record<string, ${tsType(t['*'])}>`;
  return `{ ${Object.entries(t).map(([k, v]) => `${fieldName(k)}: ${tsType(v)}`).join('; ')} }`;
}
const fieldName = (k) => (k.endsWith('?') ? `${k.slice(0, -1)}?` : k);

/** Checks the declaration and returns host/kiViews.ts. */
export function generateKiViews(decl, header) {
  const { records, views } = decl;
  for (const [name, fields] of Object.entries(records)) checkType(fields, records, name);
  const seen = new Set();
  for (const v of views) {
    if (seen.has(v.what) || !Number.isInteger(v.what)) throw new Error(`abi/introspection.json: view ${v.name}: what must be a unique integer`);
    seen.add(v.what);
    checkType(v.type, records, v.name);
  }
  const L = [header, `// Typed views of the kernel's introspection export ki_json(what, arg); read them with host/introspection.ts.`, ''];
  for (const [name, fields] of Object.entries(records)) {
    // a type alias, not an interface: it stays assignable to Record<string, unknown> (generic tables)
    L.push(`export type ${typeName(name)} = {`);
    for (const [k, v] of Object.entries(fields)) L.push(`  ${fieldName(k)}: ${tsType(v)};`);
    L.push('};', '');
  }
  L.push(`/** View numbers, the \`what\` of ki_json. */`);
  L.push(`export const KI_VIEW = {`, ...views.map((v) => `  ${v.name}: ${v.what}, // ${v.doc}; arg: ${v.arg}`), `} as const;`, '');
  L.push(`/** The type of each view's answer. */`);
  L.push(`export interface KiViews {`, ...views.map((v) => `  ${v.what}: ${tsType(v.type)};`), `}`, '');
  L.push(`export type KiView = keyof KiViews;`, '');
  L.push(`/** The schema as data (abi/introspection.json), for the validating reader. */`);
  L.push(`export const KI_SCHEMA = ${JSON.stringify({ records, views: Object.fromEntries(views.map((v) => [v.what, v.type])) })} as const;`);
  return L.join('\n') + '\n';
}
