// protocols.mjs — the protocol generator (DESIGN D8), run by scripts/abi.mjs. Reads
// abi/protocols/*.json (one protocol each) and abi/errors.json and writes
//   services/gen/<protocol>.ts  AssemblyScript client stubs, server base class and dispatcher
//   services/gen/errors.ts      AssemblyScript error codes and names
//   services/gen/protocols.ts   TypeScript: the descriptions bound to the decoder in
//                               host/wire.ts (used by the playground and the tests)
//   services/gen/manifest.ts    AssemblyScript: services/manifest.json as tables for init
// The wire format is in docs/SERVICES.md "Messages"; services/lib/msg.ts implements it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const idlDir = join(root, 'abi', 'protocols');
const errorsPath = join(root, 'abi', 'errors.json');
/** Words of one message (abi/layout.json MSG_MAX_WORDS). */
const MSG_WORDS = JSON.parse(readFileSync(join(root, 'abi', 'layout.json'), 'utf8')).groups
  .find((g) => g.prefix === 'MSG_').values.find((v) => v.name === 'MAX_WORDS').value;
const TYPES = new Set(['u32', 'i32', 'u64', 'bool', 'string', 'bytes', 'cap']);

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const pascal = (s) => camel(s).replace(/^./, (c) => c.toUpperCase());
const upper = (s) => s.toUpperCase();

export function loadIdl(dir = idlDir, errors = JSON.parse(readFileSync(errorsPath, 'utf8')).errors) {
  const protocols = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ file: f, ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
  protocols.sort((a, b) => a.id - b.id);
  validate(protocols, errors);
  return { protocols, errors };
}

function wordsMax(fields) {
  let n = 0;
  for (const f of fields) {
    if (f.type === 'string' || f.type === 'bytes') n += 1 + Math.ceil(f.max / 8);
    else if (f.type !== 'cap') n += 1;
  }
  return n;
}

function validate(protocols, errors) {
  const errNames = new Set(errors.map((e) => e.name));
  const seen = new Map();
  for (const p of protocols) {
    const where = `abi/protocols/${p.file}`;
    const fail = (m) => { throw new Error(`${where}: ${m}`); };
    if (!/^[a-z][a-z0-9_]*$/.test(p.protocol)) fail(`bad protocol name ${p.protocol}`);
    if (!Number.isInteger(p.id) || p.id < 1 || p.id > 255) fail('id must be 1..255');
    if (seen.has(p.id)) fail(`id ${p.id} also used by ${seen.get(p.id)}`);
    seen.set(p.id, p.protocol);
    const ops = new Set();
    const ids = new Set();
    for (const o of p.ops) {
      if (!/^[a-z][a-z0-9_]*$/.test(o.name)) fail(`bad op name ${o.name}`);
      if (ops.has(o.name) || ids.has(o.id)) fail(`duplicate op ${o.name}/${o.id}`);
      if (!Number.isInteger(o.id) || o.id < 1 || o.id > 255) fail(`${o.name}: id must be 1..255`);
      ops.add(o.name); ids.add(o.id);
      for (const [kind, fields] of [['args', o.args], ['reply', o.reply]]) {
        if (!Array.isArray(fields)) fail(`${o.name}: ${kind} must be a list`);
        const names = new Set();
        let caps = 0;
        for (const f of fields) {
          if (!TYPES.has(f.type)) fail(`${o.name}.${f.name}: unknown type ${f.type}`);
          if (names.has(f.name)) fail(`${o.name}: duplicate field ${f.name}`);
          names.add(f.name);
          if ((f.type === 'string' || f.type === 'bytes') && !(f.max > 0)) fail(`${o.name}.${f.name}: needs max`);
          if (f.enum && !p.enums?.[f.enum]) fail(`${o.name}.${f.name}: no enum ${f.enum}`);
          if (f.flags && !p.flags?.[f.flags]) fail(`${o.name}.${f.name}: no flag set ${f.flags}`);
          if (f.type === 'cap') caps++;
        }
        if (caps > (kind === 'reply' ? 1 : 3)) fail(`${o.name}: too many caps in ${kind}`);
        const w = wordsMax(fields);
        if (w > MSG_WORDS) fail(`${o.name}: ${kind} can take ${w} words, more than ${MSG_WORDS}`);
      }
      for (const e of o.errors) if (!errNames.has(e)) fail(`${o.name}: unknown error ${e}`);
    }
  }
}

// ---- AssemblyScript --------------------------------------------------------------------------

const asType = (f) => ({ u32: 'u32', i32: 'i32', u64: 'u64', bool: 'bool', string: 'string', cap: 'u64' })[f.type];
/** Parameters for a field: bytes become (ptr, len). */
const asParams = (f) => f.type === 'bytes' ? [`${camel(f.name)}: usize`, `${camel(f.name)}Len: i32`] : [`${camel(f.name)}: ${asType(f)}`];
const putField = (f, v, lenV) => {
  switch (f.type) {
    case 'u32': return `m.putU32(${v});`;
    case 'i32': return `m.putI32(${v});`;
    case 'u64': return `m.putU64(${v});`;
    case 'bool': return `m.putBool(${v});`;
    case 'string': return `m.putStr(${v}, ${f.max});`;
    case 'bytes': return `m.putBytes(${v}, ${lenV}, ${f.max});`;
    case 'cap': return `m.putCap(${v});`;
  }
};
const getField = (f) => ({
  u32: 'm.getU32()', i32: 'm.getI32()', u64: 'm.getU64()', bool: 'm.getBool()',
  string: `m.getStr(${f.max})`, bytes: `m.getBytes(${f.max})`, cap: 'm.getCap()',
})[f.type];

function genAsProtocol(p) {
  const L = [];
  const P = p.protocol;
  L.push(`// GENERATED by scripts/abi.mjs from abi/protocols/${p.file} — do not edit.`);
  L.push(`// ${P} (protocol ${p.id}): ${(p.doc ?? '').replace(/\n/g, ' ')}`);
  L.push(`//`);
  L.push(`// Client: \`${P}.op(ep, args…, out?)\` returns 0 or an error code (services/gen/errors.ts); reply`);
  L.push(`// fields land in \`out\`; bytes fields point into the shared client message (valid until the next call).`);
  L.push(`// Server: extend \`Server\`, implement every op (return 0, an error code, or DEFER and reply later`);
  L.push(`// with \`reply<Op>\`), and hand an instance to \`serve\` (services/lib/server.ts), which passes each`);
  L.push(`// request to \`dispatch\`.`);
  L.push(`import { Msg, clientMsg, DEFER } from "../lib/msg";`);
  L.push(`import { ipcCall } from "../lib/ipc";`);
  L.push(`import { Service } from "../lib/server";`);
  L.push(`import { BAD_MESSAGE, INVALID, NAME_TOO_LONG } from "./errors";`);
  L.push('');
  L.push(`export const PROTOCOL: u32 = ${p.id};`);
  for (const o of p.ops) L.push(`export const OP_${upper(o.name)}: u32 = ${o.id};`);
  for (const o of p.ops) L.push(`export const LABEL_${upper(o.name)}: u64 = ${(p.id << 8) | o.id};`);
  for (const [kind, sets] of [['enum', p.enums ?? {}], ['flags', p.flags ?? {}]]) {
    for (const [name, vals] of Object.entries(sets)) {
      L.push('');
      L.push(`/** ${kind} ${name} */`);
      for (const [k, v] of Object.entries(vals)) L.push(`export const ${upper(name.replace(/([a-z])([A-Z])/g, '$1_$2'))}_${k}: u32 = ${v};`);
    }
  }
  // reply classes
  for (const o of p.ops) {
    if (!o.reply.length) continue;
    L.push('');
    L.push(`/** Reply of ${P}.${o.name}. */`);
    L.push(`export class ${pascal(o.name)}Reply {`);
    for (const f of o.reply) {
      if (f.type === 'bytes') { L.push(`  ${camel(f.name)}: usize = 0;`); L.push(`  ${camel(f.name)}Len: i32 = 0;`); }
      else if (f.type === 'string') L.push(`  ${camel(f.name)}: string = "";`);
      else if (f.type === 'bool') L.push(`  ${camel(f.name)}: bool = false;`);
      else L.push(`  ${camel(f.name)}: ${asType(f)} = 0;`);
    }
    L.push('}');
  }
  // client stubs
  for (const o of p.ops) {
    const params = ['ep: u64', ...o.args.flatMap(asParams)];
    const capReply = o.reply.some((f) => f.type === 'cap');
    if (capReply) params.push('recvSlot: u64');
    if (o.reply.length) params.push(`out: ${pascal(o.name)}Reply`);
    L.push('');
    L.push(`/** ${P}.${o.name}(${o.args.map((f) => `${f.name}: ${f.type}`).join(', ')}) → (${o.reply.map((f) => `${f.name}: ${f.type}`).join(', ')})${o.doc ? ' — ' + o.doc.replace(/\n/g, ' ') : ''} */`);
    L.push(`export function ${camel(o.name)}(${params.join(', ')}): u32 {`);
    L.push(`  const m = clientMsg();`);
    L.push(`  m.reset(LABEL_${upper(o.name)});`);
    for (const f of o.args) {
      const v = camel(f.name);
      if (f.type === 'string') L.push(`  if (!${putField(f, v).slice(0, -1)}) return NAME_TOO_LONG;`);
      else if (f.type === 'bytes') L.push(`  if (!${putField(f, v, v + 'Len').slice(0, -1)}) return INVALID;`);
      else L.push(`  ${putField(f, v)}`);
    }
    L.push(`  m.recvSlot = ${capReply ? 'recvSlot' : '0'};`);
    L.push(`  const e = ipcCall(ep, m);`);
    L.push(`  if (e != 0) return e;`);
    L.push(`  if (m.label != 0) return m.label > 0xffff_ffff || m.len != 0 ? BAD_MESSAGE : <u32>m.label;`);
    L.push(`  m.begin();`);
    for (const f of o.reply) {
      const v = camel(f.name);
      if (f.type === 'bytes') { L.push(`  out.${v} = ${getField(f)};`); L.push(`  out.${v}Len = m.lastLen;`); }
      else L.push(`  out.${v} = ${getField(f)};`);
    }
    L.push(`  if (!m.done() || m.capIndex != m.ncaps) return BAD_MESSAGE;`);
    L.push(`  return 0;`);
    L.push('}');
  }
  // server
  L.push('');
  L.push(`/** Implement every op; \`badge\` identifies the client (the badge on its capability). */`);
  L.push(`export abstract class Server extends Service {`);
  L.push(`  /** Decodes a ${P} request and calls its op (serve calls this). */`);
  L.push(`  handle(m: Msg): bool { return dispatch(m, this); }`);
  for (const o of p.ops) {
    const params = ['badge: u64', ...o.args.flatMap(asParams)];
    if (o.reply.length) params.push(`out: ${pascal(o.name)}Reply`);
    L.push(`  abstract ${camel(o.name)}(${params.join(', ')}): u32;`);
  }
  L.push('}');
  for (const o of p.ops) {
    L.push('');
    if (o.reply.length) {
      L.push(`/** Encodes the ok reply of ${o.name} into m. */`);
      L.push(`export function reply${pascal(o.name)}(m: Msg, out: ${pascal(o.name)}Reply): void {`);
      L.push(`  m.reset(0);`);
      for (const f of o.reply) L.push(`  ${putField(f, 'out.' + camel(f.name), 'out.' + camel(f.name) + 'Len')}`);
      L.push('}');
      L.push(`let r${pascal(o.name)}: ${pascal(o.name)}Reply | null = null; // made on first use: a program that only imports this file allocates nothing`);
    } else {
      L.push(`/** Encodes the ok reply of ${o.name} into m. */`);
      L.push(`export function reply${pascal(o.name)}(m: Msg): void { m.reset(0); }`);
    }
  }
  L.push('');
  L.push(`/**`);
  L.push(` * Decodes the request in m, calls the handler and leaves the reply in m. Returns false when the`);
  L.push(` * handler deferred the reply. A message that does not match the protocol gets BAD_MESSAGE.`);
  L.push(` */`);
  L.push(`export function dispatch(m: Msg, s: Server): bool {`);
  L.push(`  if ((m.label >> 8) != <u64>PROTOCOL) { m.error(BAD_MESSAGE); return true; }`);
  L.push(`  m.begin();`);
  L.push(`  let e: u32 = BAD_MESSAGE;`);
  L.push(`  switch (<u32>(m.label & 0xff)) {`);
  for (const o of p.ops) {
    L.push(`    case OP_${upper(o.name)}: {`);
    const args = [];
    for (const f of o.args) {
      const v = camel(f.name);
      L.push(`      const ${v} = ${getField(f)};`);
      args.push(v);
      if (f.type === 'bytes') { L.push(`      const ${v}Len = m.lastLen;`); args.push(v + 'Len'); }
    }
    L.push(`      if (!m.done() || m.capIndex != m.ncaps) break;`);
    if (o.reply.length) {
      L.push(`      let out = r${pascal(o.name)};`);
      L.push(`      if (out == null) { out = new ${pascal(o.name)}Reply(); r${pascal(o.name)} = out; }`);
      L.push(`      e = s.${camel(o.name)}(${['m.badge', ...args, 'out'].join(', ')});`);
      L.push(`      if (e == 0) { reply${pascal(o.name)}(m, out); return true; }`);
    } else {
      L.push(`      e = s.${camel(o.name)}(${['m.badge', ...args].join(', ')});`);
      L.push(`      if (e == 0) { reply${pascal(o.name)}(m); return true; }`);
    }
    L.push(`      break;`);
    L.push(`    }`);
  }
  L.push(`  }`);
  L.push(`  if (e == DEFER) return false;`);
  L.push(`  m.error(e);`);
  L.push(`  return true;`);
  L.push('}');
  return L.join('\n') + '\n';
}

function genAsErrors(errors) {
  const L = [`// GENERATED by scripts/abi.mjs from abi/errors.json — do not edit.`, ''];
  for (const e of errors) L.push(`export const ${e.name}: u32 = ${e.code}; // ${e.doc ?? ''}`);
  L.push('');
  L.push(`/** The name of an error code ("E<n>" when unknown). */`);
  L.push(`export function errName(code: u32): string {`);
  L.push(`  switch (code) {`);
  for (const e of errors) L.push(`    case ${e.code}: return "${e.name}";`);
  L.push(`  }`);
  L.push(`  return "E" + code.toString();`);
  L.push(`}`);
  L.push('');
  L.push(`/** A short human message for an error code. */`);
  L.push(`export function errText(code: u32): string {`);
  L.push(`  switch (code) {`);
  for (const e of errors) L.push(`    case ${e.code}: return ${JSON.stringify((e.doc ?? e.name).replace(/^kernel: /, ''))};`);
  L.push(`  }`);
  L.push(`  return "error " + code.toString();`);
  L.push(`}`);
  return L.join('\n') + '\n';
}

function genTs(protocols, errors) {
  const data = protocols.map(({ file, ...p }) => p);
  return [
    `// GENERATED by scripts/abi.mjs from abi/protocols/*.json — do not edit.`,
    `// The protocol descriptions bound to the decoder (host/wire.ts), for the playground's`,
    `// message panel and composer: wire.decodeRequest(label, words) → "vfs.open(path=\\"/etc/motd\\", flags=READ)".`,
    `import { Wire, type ErrorDef, type Protocol } from '../../host/wire';`,
    `export { Wire, wordsFromBytes, MSG_WORDS } from '../../host/wire';`,
    `export type { Decoded, Field, FieldType, Op, Protocol, ErrorDef, Value } from '../../host/wire';`,
    '',
    `export const PROTOCOLS: Protocol[] = ${JSON.stringify(data, null, 2)};`,
    '',
    `export const ERRORS: ErrorDef[] = ${JSON.stringify(errors.map(({ name, code, doc }) => ({ name, code, doc })), null, 2)};`,
    '',
    `export const wire = new Wire(PROTOCOLS, ERRORS);`,
    '',
  ].join('\n');
}

// ---- the boot manifest for init ---------------------------------------------------------------

// boot-info device names (docs/SYSCALLS.md §8): `timebase` is a read-only page (the system
// counter), `vtimer` has no page and is only an `irqs` entry (the EL1 virtual timer)
const DEVICES = new Set(['uart', 'block', 'mailbox', 'timebase', 'net']);
const IRQ_DEVICES = new Set(['uart', 'block', 'mailbox', 'vtimer', 'net']);

export function loadManifest(path = join(root, 'services', 'manifest.json')) {
  const m = JSON.parse(readFileSync(path, 'utf8'));
  const fail = (msg) => { throw new Error(`services/manifest.json: ${msg}`); };
  const shared = m.shared ?? [];
  const sharedNames = new Set(shared.map((x) => x.name));
  const names = new Set();
  if (!Array.isArray(m.boot) || m.boot[0]?.name !== 'init') fail('boot must be a list starting with init');
  const num = (v, what) => {
    const n = typeof v === 'string' ? Number(v) : v;
    if (!Number.isInteger(n)) fail(`${what}: not a number: ${v}`);
    return n;
  };
  const entries = m.boot.map((e) => {
    if (!/^[a-z][a-z0-9_-]*$/.test(e.name ?? '') || e.name.length > 23) fail(`bad name ${e.name}`);
    if (names.has(e.name)) fail(`duplicate name ${e.name}`);
    names.add(e.name);
    const program = e.program ?? e.name;
    if (!existsSync(join(root, 'services', program, 'main.ts'))) fail(`${e.name}: no program services/${program}/main.ts`);
    const va = (x, what) => {
      const v = num(x, what);
      if (v % 4096 !== 0 || v < 0x4000 || v >= 0x10000) fail(`${e.name}: ${what} ${x} must be a page in 0x4000..0xffff`);
      return v;
    };
    const devices = (e.devices ?? []).map((d) => {
      if (!DEVICES.has(d.device)) fail(`${e.name}: unknown device ${d.device}`);
      return { device: d.device, va: va(d.va, 'device va') };
    });
    const irqs = (e.irqs ?? []).map((d) => {
      if (!IRQ_DEVICES.has(d.device)) fail(`${e.name}: unknown irq device ${d.device}`);
      return { device: d.device };
    });
    if (irqs.length > 1) fail(`${e.name}: at most one irq`);
    const iospaces = (e.iospace ?? []).map((d) => {
      if (!DEVICES.has(d.device)) fail(`${e.name}: unknown iospace device ${d.device}`);
      return { device: d.device };
    });
    if (iospaces.length > 1) fail(`${e.name}: at most one iospace`);
    const frames = (e.frames ?? []).map((f) => {
      if (!sharedNames.has(f.shared)) fail(`${e.name}: no shared frame ${f.shared}`);
      return { shared: f.shared, va: va(f.va, 'frame va') };
    });
    const heartbeat = num(e.heartbeat ?? 0, `${e.name} heartbeat`);
    if (heartbeat < 0 || heartbeat > 100000) fail(`${e.name}: heartbeat 0..100000 ticks`);
    // pings arrive through the Recv on the served endpoint (the notification bound to the thread)
    if (heartbeat > 0 && !e.serves) fail(`${e.name}: a heartbeat needs "serves": the service answers pings from its Recv`);
    if (e.admin !== undefined && typeof e.admin !== 'boolean') fail(`${e.name}: admin must be true or false`);
    if (e.notification !== undefined && typeof e.notification !== 'boolean') fail(`${e.name}: notification must be true or false`);
    // the notification is bound to the thread and shares slot 6 with an IRQ handler
    if (e.notification === true && ((e.irqs ?? []).length > 0 || !e.serves)) fail(`${e.name}: notification needs "serves" and no irqs`);
    if (e.capReplies !== undefined && typeof e.capReplies !== 'boolean') fail(`${e.name}: capReplies must be true or false`);
    if (e.capReplies === true && !e.serves) fail(`${e.name}: capReplies needs "serves"`);
    const prio = num(e.priority ?? 10, `${e.name} priority`);
    if (prio < 1 || prio > 31) fail(`${e.name}: priority 1..31`);
    return {
      name: e.name, program, prio, serves: !!e.serves, uses: Object.entries(e.uses ?? {}), devices, irqs, iospaces, frames,
      limit: num(e.restart?.limit ?? 3, `${e.name} restart limit`), autostart: e.autostart !== false && e.name !== 'init', args: e.args ?? '',
      admin: e.admin === true, heartbeat, notification: e.notification === true, capReplies: e.capReplies === true,
    };
  });
  for (const e of entries) {
    for (const [alias, target] of e.uses) {
      const t = entries.find((x) => x.name === target);
      if (!t || !t.serves) fail(`${e.name}: uses ${alias} = ${target}, which serves nothing`);
    }
  }
  for (const x of shared) if (!(num(x.pages, `${x.name} pages`) >= 1)) fail(`shared ${x.name}: pages`);
  return { shared, entries };
}

function genManifest() {
  const { shared, entries } = loadManifest();
  const q = JSON.stringify;
  const L = [
    `// GENERATED by scripts/abi.mjs from services/manifest.json — do not edit.`,
    `// The boot manifest as tables for init (docs/SERVICES.md "The boot manifest").`,
    '',
    `export class Mapping { constructor(public name: string, public va: u64) {} }`,
    `export class ServiceDef {`,
    `  name: string = "";`,
    `  program: string = "";`,
    `  prio: u32 = 10;`,
    `  serves: bool = false;`,
    `  /** alias, target pairs */`,
    `  uses: Array<string> = new Array<string>();`,
    `  devices: Array<Mapping> = new Array<Mapping>();`,
    `  irqs: Array<string> = new Array<string>();`,
    `  /** devices whose DMA stream (IOSpace capability) the service gets */`,
    `  iospaces: Array<string> = new Array<string>();`,
    `  frames: Array<Mapping> = new Array<Mapping>();`,
    `  restartLimit: u32 = 3;`,
    `  autostart: bool = true;`,
    `  args: string = "";`,
    `  /** holds the privileged badge on init's endpoint: may kill and spawn */`,
    `  admin: bool = false;`,
    `  /** heartbeat period in supervision ticks (10 ms); 0 = not pinged */`,
    `  heartbeat: u32 = 0;`,
    `  /** a notification of its own, bound to its thread, in slot 6 (signals arrive through its Recv) */`,
    `  notification: bool = false;`,
    `  /** its replies carry capabilities (the network stack's sockets): Grant on its own endpoint and on its clients' */`,
    `  capReplies: bool = false;`,
    `}`,
    '',
    `export const SHARED_NAMES: Array<string> = [${shared.map((x) => q(x.name)).join(', ')}];`,
    `export const SHARED_PAGES: Array<u32> = [${shared.map((x) => x.pages).join(', ')}];`,
    '',
    `export function services(): Array<ServiceDef> {`,
    `  const out = new Array<ServiceDef>();`,
    `  let s: ServiceDef;`,
  ];
  for (const e of entries) {
    L.push(`  s = new ServiceDef(); s.name = ${q(e.name)}; s.program = ${q(e.program)}; s.prio = ${e.prio}; s.serves = ${e.serves}; s.restartLimit = ${e.limit}; s.autostart = ${e.autostart}; s.args = ${q(e.args)}; s.admin = ${e.admin}; s.heartbeat = ${e.heartbeat};${e.notification ? ' s.notification = true;' : ''}${e.capReplies ? ' s.capReplies = true;' : ''}`);
    for (const [a, t] of e.uses) L.push(`  s.uses.push(${q(a)}); s.uses.push(${q(t)});`);
    for (const d of e.devices) L.push(`  s.devices.push(new Mapping(${q(d.device)}, 0x${d.va.toString(16)}));`);
    for (const d of e.irqs) L.push(`  s.irqs.push(${q(d.device)});`);
    for (const d of e.iospaces) L.push(`  s.iospaces.push(${q(d.device)});`);
    for (const f of e.frames) L.push(`  s.frames.push(new Mapping(${q(f.shared)}, 0x${f.va.toString(16)}));`);
    L.push(`  out.push(s);`);
  }
  L.push(`  return out;`, `}`, '');
  return L.join('\n');
}

/** Every file the protocols and the manifest generate, by path from the repository root
 * (`errors`: the error list of abi/errors.json, as scripts/abi.mjs loaded it). */
export function generate(errorList) {
  const { protocols, errors } = loadIdl(idlDir, errorList);
  const files = new Map();
  files.set('services/gen/errors.ts', genAsErrors(errors));
  for (const p of protocols) files.set(`services/gen/${p.protocol}.ts`, genAsProtocol(p));
  files.set('services/gen/protocols.ts', genTs(protocols, errors));
  files.set('services/gen/manifest.ts', genManifest());
  return files;
}
