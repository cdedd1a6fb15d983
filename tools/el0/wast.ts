// Script reader for the WebAssembly spec testsuite (.wast) running on the EL0 core through the
// standalone harness. Module texts are turned into binaries by wabt's parseWat; binary and quoted
// modules are handled as the spec interpreter does. Float literals are converted to raw bits by wabt
// too (all the constants of a file go through one generated module), so NaN payloads survive.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ProgramError } from '../../hw/el0/decode';
import { ExhaustionError, LinkError, TrapError, World, type HostExtern, type Instance } from './harness';
import { T, type Import } from '../../hw/el0/module';

export interface WastResult {
  file: string; passed: number; failed: number; skipped: number; failures: string[]; skips: string[];
  /** assert_invalid / assert_malformed text modules that wabt itself refused to encode (neither passed nor failed: they never reach the EL0 core) */
  rejectedByWabt: number;
  /** bare actions (invoke/get outside an assertion) run: not assertions, so not counted as passed */
  actions: number;
}

// ---------------------------------------------------------------- s-expressions

interface Atom { kind: 'atom'; text: string; pos: number }
interface Str { kind: 'str'; bytes: Uint8Array; pos: number }
interface List { kind: 'list'; items: Node[]; start: number; end: number }
type Node = Atom | Str | List;

function parseSexprs(src: string): List[] {
  let i = 0;
  const out: List[] = [];
  const stack: List[] = [];
  const enc = new TextEncoder();
  while (i < src.length) {
    const c = src[i];
    if (c === ';' && src[i + 1] === ';') { while (i < src.length && src[i] !== '\n') i++; continue; }
    if (c === '(' && src[i + 1] === ';') {
      let depth = 1; i += 2;
      while (i < src.length && depth > 0) {
        if (src[i] === '(' && src[i + 1] === ';') { depth++; i += 2; }
        else if (src[i] === ';' && src[i + 1] === ')') { depth--; i += 2; }
        else i++;
      }
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '(') { stack.push({ kind: 'list', items: [], start: i, end: -1 }); i++; continue; }
    if (c === ')') {
      const l = stack.pop();
      if (!l) throw new Error(`unbalanced ) at ${i}`);
      l.end = i + 1;
      i++;
      if (stack.length) stack[stack.length - 1].items.push(l); else out.push(l);
      continue;
    }
    if (c === '"') {
      const pos = i;
      i++;
      const bytes: number[] = [];
      while (src[i] !== '"') {
        if (src[i] === '\\') {
          const d = src[i + 1];
          if (d === 'n') { bytes.push(10); i += 2; }
          else if (d === 't') { bytes.push(9); i += 2; }
          else if (d === 'r') { bytes.push(13); i += 2; }
          else if (d === '\\' || d === '"' || d === "'") { bytes.push(d.charCodeAt(0)); i += 2; }
          else if (d === 'u') {
            const close = src.indexOf('}', i);
            const cp = parseInt(src.slice(i + 3, close).replace(/_/g, ''), 16);
            bytes.push(...enc.encode(String.fromCodePoint(cp)));
            i = close + 1;
          } else { bytes.push(parseInt(src.slice(i + 1, i + 3), 16)); i += 3; }
        } else {
          const cp = src.codePointAt(i)!;
          const ch = String.fromCodePoint(cp);
          bytes.push(...enc.encode(ch));
          i += ch.length;
        }
      }
      i++;
      const s: Str = { kind: 'str', bytes: Uint8Array.from(bytes), pos };
      if (stack.length) stack[stack.length - 1].items.push(s);
      continue;
    }
    const pos = i;
    while (i < src.length && !' \n\t\r()";'.includes(src[i])) i++;
    const a: Atom = { kind: 'atom', text: src.slice(pos, i), pos };
    if (stack.length) stack[stack.length - 1].items.push(a);
  }
  return out;
}

const head = (n: Node): string => (n.kind === 'list' && n.items[0]?.kind === 'atom' ? (n.items[0] as Atom).text : '');
const atomText = (n: Node | undefined): string | undefined => (n && n.kind === 'atom' ? n.text : undefined);
const strText = (n: Node): string => new TextDecoder().decode((n as Str).bytes);

// ---------------------------------------------------------------- values

/** An expected result: exact bits, or a NaN class, or "any non-null reference". */
type Expected = { bits: bigint; type: number } | { nan: 'canonical' | 'arithmetic'; type: number } | { anyRef: true; type: number };

function parseIntLit(text: string, bits: number): bigint {
  let t = text.replace(/_/g, '');
  let neg = false;
  if (t[0] === '-') { neg = true; t = t.slice(1); } else if (t[0] === '+') t = t.slice(1);
  let v = BigInt(t); // handles 0x
  if (neg) v = -v;
  return BigInt.asUintN(bits, v);
}

interface ConstRef { type: 'f32' | 'f64'; text: string; bits?: bigint }

async function wabtModule() {
  const wabt = await (await import('wabt')).default();
  return wabt;
}
type Wabt = Awaited<ReturnType<typeof wabtModule>>;
let wabtP: Promise<Wabt> | null = null;
const getWabt = () => (wabtP ??= wabtModule());

const FEATURES = {
  multi_value: true, bulk_memory: true, reference_types: true, sign_extension: true,
  sat_float_to_int: true, mutable_globals: true,
};

function watToBinary(wabt: Wabt, text: string): Uint8Array {
  const m = wabt.parseWat('module.wat', text, FEATURES);
  try {
    m.resolveNames();
    return m.toBinary({}).buffer;
  } finally {
    m.destroy();
  }
}

/** Raw bits of every float literal, via one generated module. */
function resolveFloats(wabt: Wabt, consts: ConstRef[]): void {
  if (consts.length === 0) return;
  const body = consts.map((c) => `(drop (${c.type}.const ${c.text}))`).join('\n');
  const bin = watToBinary(wabt, `(module (func ${body}))`);
  // find the code section: scan for the constant opcodes in order
  let p = bin.length - 1;
  // locate start of function body: search from the code section id
  p = findCodeStart(bin);
  const dv = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  for (const c of consts) {
    while (bin[p] !== 0x43 && bin[p] !== 0x44) p++;
    if (bin[p] === 0x43) { c.bits = BigInt(dv.getUint32(p + 1, true)); p += 5; }
    else { c.bits = dv.getBigUint64(p + 1, true); p += 9; }
    if (bin[p] !== 0x1a) throw new Error('resolveFloats: unexpected layout');
    p++;
  }
}

function findCodeStart(bin: Uint8Array): number {
  let p = 8;
  const leb = (): number => { let r = 0, s = 0; for (;;) { const b = bin[p++]; r |= (b & 0x7f) << s; s += 7; if (!(b & 0x80)) return r >>> 0; } };
  while (p < bin.length) {
    const id = bin[p++];
    const size = leb();
    if (id === 10) {
      leb(); // count
      leb(); // body size
      leb(); // local groups (0)
      return p;
    }
    p += size;
  }
  throw new Error('no code section');
}

// ---------------------------------------------------------------- running a script

const SPECTEST_FUNCS: Record<string, number[]> = {
  print: [], print_i32: [T.I32], print_i64: [T.I64], print_f32: [T.F32], print_f64: [T.F64],
  print_i32_f32: [T.I32, T.F32], print_f64_f64: [T.F64, T.F64],
};

/** assertion kinds skipped on purpose (docs/EL0.md) */
const SKIP_REASONS: { match: RegExp; reason: string }[] = [
  { match: /unsupported: importing a mutable global/, reason: 'mutable globals shared between instances' },
];

export interface WastOptions {
  /** instructions per run() slice: small values make every instruction a preemption point */
  fuelPerRun?: number;
  /** translation threshold (hw/el0/core.ts jitThreshold): Infinity = interpreter only, 0 = always */
  jitThreshold?: number;
}

export async function runWast(src: string, file: string, opts: WastOptions = {}): Promise<WastResult> {
  const wabt = await getWabt();
  const res: WastResult = { file, passed: 0, failed: 0, skipped: 0, failures: [], skips: [], rejectedByWabt: 0, actions: 0 };
  const cmds = parseSexprs(src);
  const line = (pos: number) => src.slice(0, pos).split('\n').length;

  // collect float constants of the whole file
  const floatMap = new Map<Node, ConstRef>();
  const floats: ConstRef[] = [];
  const collect = (n: Node) => {
    if (n.kind !== 'list') return;
    const h = head(n);
    if ((h === 'f32.const' || h === 'f64.const') && n.items.length === 2) {
      const t = atomText(n.items[1])!;
      if (!t.startsWith('nan:canonical') && !t.startsWith('nan:arithmetic')) {
        const c: ConstRef = { type: h.slice(0, 3) as 'f32' | 'f64', text: t };
        floatMap.set(n, c);
        floats.push(c);
      }
      return;
    }
    if (h === 'module') return;
    n.items.forEach(collect);
  };
  cmds.forEach(collect);
  resolveFloats(wabt, floats);

  const world = new World({ ramSize: 256 * 1024 * 1024, fuelPerRun: opts.fuelPerRun, jitThreshold: opts.jitThreshold });
  const named = new Map<string, Instance>();
  const registered = new Map<string, Instance>();
  let current: Instance | null = null;

  const value = (n: Node): bigint => {
    const h = head(n);
    const l = n as List;
    switch (h) {
      case 'i32.const': return parseIntLit(atomText(l.items[1])!, 32);
      case 'i64.const': return parseIntLit(atomText(l.items[1])!, 64);
      case 'f32.const': case 'f64.const': return floatMap.get(n)!.bits!;
      case 'ref.null': return 0n;
      case 'ref.extern': return BigInt(atomText(l.items[1])!) + 1n;
      default: throw new Error(`unsupported value ${h}`);
    }
  };
  const expected = (n: Node): Expected => {
    const h = head(n);
    const l = n as List;
    const types: Record<string, number> = { 'i32.const': T.I32, 'i64.const': T.I64, 'f32.const': T.F32, 'f64.const': T.F64 };
    if ((h === 'f32.const' || h === 'f64.const')) {
      const t = atomText(l.items[1])!;
      if (t === 'nan:canonical' || t === 'nan:arithmetic') return { nan: t.slice(4) as 'canonical' | 'arithmetic', type: types[h] };
    }
    if (h === 'ref.func' && l.items.length === 1) return { anyRef: true, type: T.FUNCREF };
    if (h === 'ref.extern' && l.items.length === 1) return { anyRef: true, type: T.EXTERNREF };
    return { bits: value(n), type: types[h] ?? T.I32 };
  };
  const matches = (got: bigint, e: Expected): boolean => {
    if ('bits' in e) return got === e.bits;
    if ('anyRef' in e) return got !== 0n;
    if (e.type === T.F32) {
      const v = Number(got & 0xffffffffn);
      if ((v & 0x7f800000) !== 0x7f800000 || (v & 0x7fffff) === 0) return false;
      return e.nan === 'canonical' ? (v & 0x7fffff) === 0x400000 : (v & 0x400000) !== 0;
    }
    const exp = (got >> 52n) & 0x7ffn, frac = got & 0xfffffffffffffn;
    if (exp !== 0x7ffn || frac === 0n) return false;
    return e.nan === 'canonical' ? frac === 0x8000000000000n : (frac & 0x8000000000000n) !== 0n;
  };

  const resolver = (imp: Import): HostExtern | undefined => {
    if (imp.module === 'spectest') {
      if (imp.kind === 0 && imp.name in SPECTEST_FUNCS) return { kind: 'func', type: { params: SPECTEST_FUNCS[imp.name], results: [] }, call: () => [] };
      if (imp.kind === 3) {
        const g: Record<string, [number, bigint]> = {
          global_i32: [T.I32, 666n], global_i64: [T.I64, 666n],
          global_f32: [T.F32, 0x4426a666n], global_f64: [T.F64, 0x4084d4cccccccccdn],
        };
        if (imp.name in g) return { kind: 'global', type: g[imp.name][0], mutable: false, value: g[imp.name][1] };
      }
      if (imp.kind === 1 && imp.name === 'table') return { kind: 'table', elemType: T.FUNCREF, min: 10, max: 20 };
      if (imp.kind === 2 && imp.name === 'memory') return { kind: 'memory', min: 1, max: 2 };
      return undefined;
    }
    const inst = registered.get(imp.module);
    if (!inst) return undefined;
    const e = inst.prog.exports.get(imp.name);
    if (!e) return undefined;
    if (e.kind === 0) {
      const fi = e.index;
      return { kind: 'func', type: inst.prog.funcs[fi].type, call: (args) => inst.callIndex(fi, args) };
    }
    if (e.kind === 3) {
      const g = inst.prog.globals[e.index];
      return { kind: 'global', type: g.type, mutable: g.mutable, value: inst.globalValue(e.index) };
    }
    if (e.kind === 2) {
      const m = inst.prog.memory!;
      return { kind: 'memory', min: Number(inst.regs[14]), max: m.limits.max };
    }
    const t = inst.prog.tables[e.index];
    return { kind: 'table', elemType: t.elemType, min: t.limits.min, max: t.limits.max };
  };

  /** module binary for a (module ...) node; throws on wabt rejection */
  const moduleBytes = (n: List): { bytes: Uint8Array; name?: string; quoteText?: string } => {
    let idx = 1;
    let name: string | undefined;
    const a = atomText(n.items[1]);
    if (a && a.startsWith('$')) { name = a; idx = 2; }
    const kind = atomText(n.items[idx]);
    if (kind === 'binary') {
      const parts = n.items.slice(idx + 1).map((s) => (s as Str).bytes);
      const len = parts.reduce((x, p) => x + p.length, 0);
      const bytes = new Uint8Array(len);
      let o = 0;
      for (const p of parts) { bytes.set(p, o); o += p.length; }
      return { bytes, name };
    }
    if (kind === 'quote') {
      const text = n.items.slice(idx + 1).map(strText).join(' ');
      return { bytes: watToBinary(wabt, `(module ${text})`), name };
    }
    return { bytes: watToBinary(wabt, src.slice(n.start, n.end)), name };
  };

  const instantiate = (n: List): Instance => {
    const { bytes, name } = moduleBytes(n);
    const inst = world.instantiate(bytes, resolver);
    current = inst;
    if (name) named.set(name, inst);
    return inst;
  };

  const action = (n: List): bigint[] => {
    const h = head(n);
    let idx = 1;
    let inst = current;
    const a = atomText(n.items[1]);
    if (a && a.startsWith('$')) { inst = named.get(a) ?? null; idx = 2; }
    if (!inst) throw new Error('no module');
    const name = strText(n.items[idx]);
    if (h === 'get') {
      const e = inst.prog.exports.get(name);
      if (!e || e.kind !== 3) throw new Error(`unknown global export ${name}`);
      return [inst.globalValue(e.index)];
    }
    const args = n.items.slice(idx + 1).map(value);
    return inst.invoke(name, args);
  };

  const fmt = (v: bigint) => `0x${v.toString(16)}`;

  for (const cmd of cmds) {
    const h = head(cmd);
    const where = `${file}:${line(cmd.start)}`;
    const pass = () => { res.passed++; };
    const fail = (why: string) => { res.failed++; res.failures.push(`${where}: ${h}: ${why}`); };
    const skip = (why: string) => { res.skipped++; res.skips.push(`${where}: ${h}: ${why}`); };
    const skipReason = (e: unknown): string | null => {
      const m = (e as Error)?.message ?? '';
      for (const s of SKIP_REASONS) if (s.match.test(m)) return s.reason;
      return null;
    };
    try {
      switch (h) {
        case 'module': {
          try { instantiate(cmd); } catch (e) {
            const s = skipReason(e);
            if (s) { skip(s); current = null; break; }
            fail(`instantiation failed: ${(e as Error).message}`); current = null;
          }
          break;
        }
        case 'register': {
          const as = strText(cmd.items[1]);
          const nm = atomText(cmd.items[2]);
          const inst = nm ? named.get(nm) : current;
          if (inst) registered.set(as, inst);
          break;
        }
        case 'invoke': case 'get': {
          // a bare action is not an assertion: it must not trap, but it counts as nothing passed
          res.actions++;
          try { action(cmd); } catch (e) {
            const s = skipReason(e);
            if (s) skip(s); else fail(`action failed: ${(e as Error).message}`);
          }
          break;
        }
        case 'assert_return': {
          const act = cmd.items[1] as List;
          let got: bigint[];
          try { got = action(act); } catch (e) {
            const s = skipReason(e);
            if (s) { skip(s); break; }
            fail(`${(e as Error).message}`); break;
          }
          const exp = cmd.items.slice(2).map((n) => {
            if (head(n) === 'either') return (n as List).items.slice(1).map(expected);
            return [expected(n)];
          });
          if (got.length !== exp.length) { fail(`got ${got.length} results, expected ${exp.length}`); break; }
          const ok = got.every((g, i) => exp[i].some((e) => matches(g, e)));
          if (ok) pass(); else fail(`got [${got.map(fmt).join(', ')}], expected ${src.slice(cmd.items[2]?.kind === 'list' ? (cmd.items[2] as List).start : cmd.start, cmd.end - 1)}`);
          break;
        }
        case 'assert_trap': case 'assert_exhaustion': {
          const target = cmd.items[1] as List;
          const msg = strText(cmd.items[2]);
          try {
            if (head(target) === 'module') instantiate(target); else action(target);
            fail(`expected trap "${msg}", got a result`);
          } catch (e) {
            if (h === 'assert_exhaustion') {
              if (e instanceof ExhaustionError) pass(); else fail(`expected exhaustion, got ${(e as Error).message}`);
            } else if (e instanceof TrapError) {
              if (msg.startsWith(e.message) || e.message.startsWith(msg)) pass(); else fail(`expected trap "${msg}", got "${e.message}"`);
            } else fail(`expected trap "${msg}", got ${(e as Error).message}`);
          }
          break;
        }
        case 'assert_invalid': case 'assert_malformed': {
          const m = cmd.items[1] as List;
          const msg = strText(cmd.items[2]);
          let bytes: Uint8Array;
          try { bytes = moduleBytes(m).bytes; } catch {
            // rejected by the text toolchain (wabt) before our loader could see it: nothing of the
            // EL0 core was tested, so it is counted apart, neither passed nor failed
            res.rejectedByWabt++;
            break;
          }
          try {
            world.instantiate(bytes, resolver);
            fail(`module accepted, expected "${msg}"`);
          } catch (e) {
            if (e instanceof ProgramError) pass();
            else fail(`expected "${msg}", got ${(e as Error).name}: ${(e as Error).message}`);
          }
          break;
        }
        case 'assert_unlinkable': {
          const m = cmd.items[1] as List;
          try { world.instantiate(moduleBytes(m).bytes, resolver); fail('module linked'); } catch (e) {
            if (e instanceof LinkError) pass(); else fail(`expected link error, got ${(e as Error).message}`);
          }
          break;
        }
        default:
          skip(`unknown command ${h}`);
      }
    } catch (e) {
      fail(`harness error: ${(e as Error).stack ?? e}`);
    }
  }
  return res;
}

/** Run one .wast file; `file` in the result is its base name. */
export async function runWastFile(path: string, opts: WastOptions = {}): Promise<WastResult> {
  return runWast(readFileSync(path, 'utf8'), basename(path), opts);
}
