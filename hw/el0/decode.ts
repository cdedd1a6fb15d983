// Decoder and validator of user programs (.wasm binaries, WebAssembly 2.0 subset): parses every
// section once, type-checks every function body (spec "Validation" appendix algorithm) and compiles
// it to the internal code stream of hw/el0/module.ts. Anything malformed or unsupported is a
// ProgramError naming the section, the byte offset and the reason; nothing else escapes.

import {
  T, OP, FRAME_HEADER, is32, typeName, instructionMap,
  type ConstExpr, type DataSegment, type ElemSegment, type Func, type FuncType, type Global, type Import,
  type Limits, type Program, type Table, type ValType,
} from './module';
import { OPCODES, sigParts } from './opcodes';

export class ProgramError extends Error {
  constructor(readonly section: string, readonly offset: number, readonly reason: string) {
    super(`${section} section, offset ${offset}: ${reason}`);
    this.name = 'ProgramError';
  }
}

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount'];
/** Binary order of the known sections (datacount sits between import... actually before code). */
const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 12: 10, 10: 11, 11: 12 };

const MAX_PAGES = 65536;
const MAX_LOCALS = 50000;
const MAX_FUNC_SLOTS = 1 << 20;

class Reader {
  pos: number;
  section = 'header';
  constructor(readonly b: Uint8Array, pos = 0, public end = b.length) { this.pos = pos; }

  fail(reason: string, at = this.pos): never { throw new ProgramError(this.section, at, reason); }
  eof(): boolean { return this.pos >= this.end; }
  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.b[this.pos++];
  }
  u32(): number {
    let result = 0, shift = 0;
    const start = this.pos;
    for (;;) {
      const byte = this.u8();
      if (shift === 28 && (byte & 0x70) !== 0) this.fail('integer too large', start);
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 28) this.fail('integer representation too long', start);
    }
    return result >>> 0;
  }
  s32(): number { return Number(this.sN(32)); }
  /** signed LEB128 of up to `bits` bits as a BigInt */
  sN(bits: number): bigint {
    let result = 0n, shift = 0n, byte = 0;
    const start = this.pos;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; ; i++) {
      byte = this.u8();
      if (i === maxBytes - 1) {
        if ((byte & 0x80) !== 0) this.fail('integer representation too long', start);
        // the unused bits must be a sign extension of the last used bit
        const used = bits - 7 * (maxBytes - 1); // bits of payload in the last byte
        const signBit = (byte >> (used - 1)) & 1;
        const rest = byte >> used & (0x7f >> used);
        if (rest !== (signBit ? 0x7f >> used : 0)) this.fail('integer too large', start);
      }
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) break;
    }
    if ((byte & 0x40) !== 0) result -= 1n << shift;
    return BigInt.asIntN(bits, result);
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.end) this.fail('unexpected end of section or function');
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  name(): string {
    const n = this.u32();
    const at = this.pos;
    const bytes = this.bytes(n);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      this.fail('malformed UTF-8 encoding', at);
    }
  }
  valType(): ValType {
    const at = this.pos;
    const t = this.u8();
    if (t === T.I32 || t === T.I64 || t === T.F32 || t === T.F64 || t === T.FUNCREF || t === T.EXTERNREF) return t;
    if (t === T.V128) this.fail('unsupported: SIMD (v128)', at);
    this.fail(`malformed value type 0x${t.toString(16)}`, at);
  }
  limits(maxAllowed: number, what: string): Limits {
    const at = this.pos;
    const flag = this.u8();
    if (flag > 1) {
      if (flag === 2 || flag === 3) this.fail('unsupported: shared memory (threads)', at);
      this.fail('integer too large', at);
    }
    const min = this.u32();
    const max = flag === 1 ? this.u32() : null;
    if (what === 'memory') {
      if (min > maxAllowed) this.fail('memory size must be at most 65536 pages (4GiB)', at);
      if (max !== null && max > maxAllowed) this.fail('memory size must be at most 65536 pages (4GiB)', at);
    }
    if (max !== null && max < min) this.fail('size minimum must not be greater than maximum', at);
    return { min, max };
  }
}

/** Decode, validate and compile a .wasm binary. Throws ProgramError. */
export function decodeProgram(bytes: Uint8Array): Program {
  try {
    return decodeInner(bytes);
  } catch (e) {
    if (e instanceof ProgramError) throw e;
    throw new ProgramError('?', 0, `internal decoder error: ${(e as Error).message}`);
  }
}

/** What the sections declared so far: each section reader adds to it. */
interface Sections {
  types: FuncType[];
  imports: Import[];
  /** the type of every function, imports first */
  funcTypeIdx: number[];
  tables: Table[];
  memory: Program['memory'];
  globals: Global[];
  exports: Map<string, { kind: number; index: number }>;
  start: number | null;
  elems: ElemSegment[];
  datas: DataSegment[];
  dataCount: number | null;
  nImportedFuncs: number;
  nImportedGlobals: number;
  declaredFuncs: number;
  bodies: { start: number; end: number }[];
  codeSeen: boolean;
  /** functions that may be referenced by ref.func */
  refs: Set<number>;
}

function decodeInner(bytes: Uint8Array): Program {
  const r = new Reader(bytes);
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) r.fail('magic header not detected', 0);
  if (bytes.length < 8) r.fail('unexpected end', 4);
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) r.fail('unknown binary version', 4);
  r.pos = 8;
  const m: Sections = {
    types: [], imports: [], funcTypeIdx: [], tables: [], memory: null, globals: [], exports: new Map(), start: null,
    elems: [], datas: [], dataCount: null, nImportedFuncs: 0, nImportedGlobals: 0, declaredFuncs: 0, bodies: [],
    codeSeen: false, refs: new Set(),
  };
  let lastOrder = 0;
  while (!r.eof()) {
    r.section = 'header';
    const idAt = r.pos;
    const id = r.u8();
    const size = r.u32();
    const bodyStart = r.pos;
    const bodyEnd = bodyStart + size;
    if (bodyEnd > bytes.length) r.fail('section size mismatch: unexpected end', idAt);
    if (id > 12) r.fail(`malformed section id ${id}`, idAt);
    r.section = SECTION_NAMES[id];
    if (id !== 0) {
      const order = SECTION_ORDER[id];
      if (order <= lastOrder) r.fail('unexpected content after last section (junk or misordered section)', idAt);
      lastOrder = order;
    }
    const sr = new Reader(bytes, bodyStart, bodyEnd);
    sr.section = r.section;
    SECTION_READERS[id](sr, m, bodyEnd);
    if (sr.pos !== bodyEnd) sr.fail('section size mismatch', sr.pos);
    r.pos = bodyEnd;
  }
  r.section = 'code';
  if (!m.codeSeen && m.declaredFuncs !== 0) r.fail('function and code section have inconsistent lengths', bytes.length);
  if (m.dataCount !== null && m.dataCount !== m.datas.length) {
    r.section = 'data';
    r.fail('data count and data section have inconsistent lengths', bytes.length);
  }
  return buildProgram(bytes, m);
}

const checkType = (r: Reader, m: Sections, idx: number, at: number): FuncType => {
  if (idx >= m.types.length) r.fail(`unknown type ${idx}`, at);
  return m.types[idx];
};

/** The readers of sections 0..12, by id: each reads its section's body from `sr` into `m`. */
const SECTION_READERS: ((sr: Reader, m: Sections, bodyEnd: number) => void)[] = [
  // 0 custom: a name, then any bytes up to the section's end (the section size says where)
  (sr, _m, bodyEnd) => { sr.name(); sr.pos = bodyEnd; },
  typeSection,
  importSection,
  (sr, m) => { // 3 function
    const n = sr.u32();
    for (let i = 0; i < n; i++) {
      const at = sr.pos;
      const ti = sr.u32();
      checkType(sr, m, ti, at);
      m.funcTypeIdx.push(ti);
    }
    m.declaredFuncs = n;
  },
  (sr, m) => { // 4 table
    const n = sr.u32();
    for (let i = 0; i < n; i++) {
      const at = sr.pos;
      const et = sr.valType();
      if (et !== T.FUNCREF && et !== T.EXTERNREF) sr.fail('malformed reference type', at);
      m.tables.push({ elemType: et, limits: sr.limits(0xffffffff, 'table'), imported: false });
    }
  },
  (sr, m) => { // 5 memory
    const n = sr.u32();
    for (let i = 0; i < n; i++) {
      const at = sr.pos;
      const limits = sr.limits(MAX_PAGES, 'memory');
      if (m.memory) sr.fail('multiple memories', at);
      m.memory = { limits, imported: false };
    }
  },
  (sr, m) => { // 6 global
    const n = sr.u32();
    for (let i = 0; i < n; i++) {
      const t = sr.valType();
      const mutAt = sr.pos;
      const mu = sr.u8();
      if (mu > 1) sr.fail('malformed mutability', mutAt);
      const init = constExpr(sr, t, m.globals, m.nImportedGlobals, m.funcTypeIdx.length, m.refs);
      m.globals.push({ type: t, mutable: mu === 1, init });
    }
  },
  exportSection,
  (sr, m) => { // 8 start
    const at = sr.pos;
    const f = sr.u32();
    if (f >= m.funcTypeIdx.length) sr.fail(`unknown function ${f}`, at);
    const ft = m.types[m.funcTypeIdx[f]];
    if (ft.params.length || ft.results.length) sr.fail('start function must have type [] -> []', at);
    m.start = f;
  },
  (sr, m) => { // 9 element
    const n = sr.u32();
    for (let i = 0; i < n; i++) m.elems.push(elemSegment(sr, m.tables, m.globals, m.nImportedGlobals, m.funcTypeIdx.length, m.refs));
  },
  codeSection,
  dataSection,
  (sr, m) => { m.dataCount = sr.u32(); }, // 12 datacount
];

function typeSection(sr: Reader, m: Sections): void {
  const n = sr.u32();
  for (let i = 0; i < n; i++) {
    const at = sr.pos;
    if (sr.u8() !== 0x60) sr.fail('malformed function type', at);
    const np = sr.u32();
    const params: ValType[] = [];
    for (let j = 0; j < np; j++) params.push(sr.valType());
    const nr = sr.u32();
    const results: ValType[] = [];
    for (let j = 0; j < nr; j++) results.push(sr.valType());
    m.types.push({ params, results });
  }
}

function importSection(sr: Reader, m: Sections): void {
  const n = sr.u32();
  for (let i = 0; i < n; i++) {
    const module = sr.name();
    const name = sr.name();
    const at = sr.pos;
    const kind = sr.u8();
    if (kind === 0) {
      const ti = sr.u32();
      checkType(sr, m, ti, at);
      m.imports.push({ module, name, kind: 0, type: ti });
      m.funcTypeIdx.push(ti);
      m.nImportedFuncs++;
    } else if (kind === 1) {
      const et = sr.valType();
      if (et !== T.FUNCREF && et !== T.EXTERNREF) sr.fail('malformed reference type', at + 1);
      const limits = sr.limits(0xffffffff, 'table');
      m.imports.push({ module, name, kind: 1, type: et, limits });
      m.tables.push({ elemType: et, limits, imported: true });
    } else if (kind === 2) {
      const limits = sr.limits(MAX_PAGES, 'memory');
      if (m.memory) sr.fail('multiple memories', at);
      m.imports.push({ module, name, kind: 2, type: 0, limits });
      m.memory = { limits, imported: true };
    } else if (kind === 3) {
      const t = sr.valType();
      const mutAt = sr.pos;
      const mu = sr.u8();
      if (mu > 1) sr.fail('malformed mutability', mutAt);
      m.imports.push({ module, name, kind: 3, type: t, mutable: mu === 1 });
      m.globals.push({ type: t, mutable: mu === 1, init: null });
      m.nImportedGlobals++;
    } else sr.fail(`malformed import kind ${kind}`, at);
  }
}

function exportSection(sr: Reader, m: Sections): void {
  const n = sr.u32();
  for (let i = 0; i < n; i++) {
    const name = sr.name();
    const at = sr.pos;
    const kind = sr.u8();
    const index = sr.u32();
    if (kind > 3) sr.fail(`malformed export kind ${kind}`, at);
    const limit = [m.funcTypeIdx.length, m.tables.length, m.memory ? 1 : 0, m.globals.length][kind];
    if (index >= limit) sr.fail(`unknown ${['function', 'table', 'memory', 'global'][kind]} ${index}`, at + 1);
    if (m.exports.has(name)) sr.fail('duplicate export name', at);
    m.exports.set(name, { kind, index });
    if (kind === 0) m.refs.add(index);
  }
}

/** The code section is only delimited here: the bodies are compiled once all sections are read. */
function codeSection(sr: Reader, m: Sections, bodyEnd: number): void {
  m.codeSeen = true;
  const at = sr.pos;
  const n = sr.u32();
  if (n !== m.declaredFuncs) sr.fail('function and code section have inconsistent lengths', at);
  for (let i = 0; i < n; i++) {
    const size = sr.u32();
    const s = sr.pos;
    if (s + size > bodyEnd) sr.fail('unexpected end of section or function', s);
    m.bodies.push({ start: s, end: s + size });
    sr.pos = s + size;
  }
}

function dataSection(sr: Reader, m: Sections): void {
  const at = sr.pos;
  const n = sr.u32();
  if (m.dataCount !== null && n !== m.dataCount) sr.fail('data count and data section have inconsistent lengths', at);
  for (let i = 0; i < n; i++) {
    const fAt = sr.pos;
    const flag = sr.u32();
    let mode: 'active' | 'passive' = 'active';
    let offset: ConstExpr | null = null;
    if (flag === 0) offset = constExpr(sr, T.I32, m.globals, m.nImportedGlobals, m.funcTypeIdx.length, m.refs);
    else if (flag === 1) mode = 'passive';
    else if (flag === 2) {
      const mAt = sr.pos;
      const mi = sr.u32();
      if (mi !== 0) sr.fail(`unknown memory ${mi}`, mAt);
      offset = constExpr(sr, T.I32, m.globals, m.nImportedGlobals, m.funcTypeIdx.length, m.refs);
    } else sr.fail('malformed data segment kind', fAt);
    if (mode === 'active' && !m.memory) sr.fail('unknown memory 0', fAt);
    const len = sr.u32();
    const imageOffset = sr.pos;
    const b = sr.bytes(len);
    m.datas.push({ mode, offset, imageOffset, bytes: b.slice() });
  }
}

/** The program from its sections: canonical type ids, the globals area's layout, the functions compiled. */
function buildProgram(bytes: Uint8Array, m: Sections): Program {
  const { types, imports, funcTypeIdx, tables, globals, elems, datas, nImportedFuncs } = m;
  // canonical type ids
  const typeCanon = new Int32Array(types.length);
  const canon = new Map<string, number>();
  types.forEach((t, i) => {
    const key = t.params.join(',') + '>' + t.results.join(',');
    if (!canon.has(key)) canon.set(key, i);
    typeCanon[i] = canon.get(key)!;
  });

  // globals area layout
  const tableBase: number[] = [];
  let slot = globals.length;
  for (const t of tables) { tableBase.push(slot); slot += t.limits.min; }
  const dataDropped = slot; slot += datas.length;
  const elemDropped = slot; slot += elems.length;

  const funcs: Func[] = [];
  let importI = 0;
  for (let i = 0; i < funcTypeIdx.length; i++) {
    const typeIndex = funcTypeIdx[i];
    const type = types[typeIndex];
    let importIndex = -1;
    let special: Func['special'] = null;
    if (i < nImportedFuncs) {
      while (imports[importI].kind !== 0) importI++;
      importIndex = importI++;
      const im = imports[importIndex];
      if (im.module === 'mlk' && im.name === 'svc') special = 'svc';
      if (im.module === 'mlk' && im.name === 'reg') special = 'reg';
    }
    funcs.push({
      index: i, typeIndex, type, importIndex, special,
      nparams: type.params.length, nresults: type.results.length,
      nlocals: type.params.length, localTypes: type.params.slice(), maxStack: 0, frameSlots: 0,
      code: new Int32Array(0), insn: new Uint8Array(0), srcOffset: new Int32Array(0), brk: null, bodyOffset: 0, hot: 0, jit: null, jitEntry: null,
    });
  }

  const prog: Program = {
    types, typeCanon, imports, funcs, nImportedFuncs, tables, memory: m.memory, globals, exports: m.exports, start: m.start, elems, datas,
    layout: { tableBase, dataDropped, elemDropped, slots: slot }, byteLength: bytes.length, image: bytes,
  };
  const ctx: ValidationContext = { prog, refs: m.refs, dataCount: m.dataCount };
  for (let i = 0; i < m.bodies.length; i++) compileFunction(bytes, m.bodies[i].start, m.bodies[i].end, funcs[nImportedFuncs + i], ctx);
  return prog;
}

function constExpr(r: Reader, expected: ValType, globals: Global[], nImportedGlobals: number, nFuncs: number, refs: Set<number>): ConstExpr {
  const at = r.pos;
  const op = r.u8();
  let e: ConstExpr;
  switch (op) {
    case 0x41: e = { op: 'const', type: T.I32, value: BigInt.asUintN(64, BigInt(r.s32() >>> 0)) }; break;
    case 0x42: e = { op: 'const', type: T.I64, value: BigInt.asUintN(64, r.sN(64)) }; break;
    case 0x43: { const b = r.bytes(4); e = { op: 'const', type: T.F32, value: BigInt(new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true)) }; break; }
    case 0x44: { const b = r.bytes(8); e = { op: 'const', type: T.F64, value: new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true) }; break; }
    case 0x23: {
      const gAt = r.pos;
      const g = r.u32();
      if (g >= globals.length) r.fail(`unknown global ${g}`, gAt);
      if (g >= nImportedGlobals) r.fail('unknown global: constant expression may only use imported globals', gAt);
      if (globals[g].mutable) r.fail('constant expression required', gAt);
      e = { op: 'global', type: globals[g].type, value: BigInt(g) };
      break;
    }
    case 0xd0: { const t = r.valType(); e = { op: 'null', type: t, value: 0n }; break; }
    case 0xd2: {
      const fAt = r.pos;
      const f = r.u32();
      if (f >= nFuncs) r.fail(`unknown function ${f}`, fAt);
      refs.add(f);
      e = { op: 'func', type: T.FUNCREF, value: BigInt(f) };
      break;
    }
    default:
      if (op === 0x0b) r.fail('type mismatch: empty constant expression', at);
      r.fail('constant expression required', at);
  }
  const endAt = r.pos;
  const end = r.u8();
  if (end !== 0x0b) {
    if ([0x41, 0x42, 0x43, 0x44, 0x23, 0xd0, 0xd2].includes(end)) r.fail('type mismatch: constant expression has too many values', endAt);
    r.fail('constant expression required', endAt);
  }
  if (e.type !== expected) r.fail(`type mismatch: constant expression of type ${typeName(e.type)}, expected ${typeName(expected)}`, at);
  return e;
}

function elemSegment(r: Reader, tables: Table[], globals: Global[], nig: number, nFuncs: number, refs: Set<number>): ElemSegment {
  const at = r.pos;
  const flag = r.u32();
  if (flag > 7) r.fail('malformed elements segment kind', at);
  const passiveOrDecl = (flag & 1) !== 0;
  const explicitTable = (flag & 2) !== 0;
  const usesExprs = (flag & 4) !== 0;
  let mode: ElemSegment['mode'] = passiveOrDecl ? (explicitTable ? 'declarative' : 'passive') : 'active';
  let table = 0;
  let offset: ConstExpr | null = null;
  if (!passiveOrDecl) {
    if (explicitTable) table = r.u32();
    offset = constExpr(r, T.I32, globals, nig, nFuncs, refs);
  }
  let elemType: ValType = T.FUNCREF;
  if (passiveOrDecl || explicitTable) {
    const kAt = r.pos;
    if (usesExprs) elemType = r.valType();
    else if (r.u8() !== 0) r.fail('malformed element kind', kAt);
  }
  const n = r.u32();
  const items: ConstExpr[] = [];
  for (let i = 0; i < n; i++) {
    if (usesExprs) items.push(constExpr(r, elemType, globals, nig, nFuncs, refs));
    else {
      const fAt = r.pos;
      const f = r.u32();
      if (f >= nFuncs) r.fail(`unknown function ${f}`, fAt);
      refs.add(f);
      items.push({ op: 'func', type: T.FUNCREF, value: BigInt(f) });
    }
  }
  if (mode === 'active') {
    if (table >= tables.length) r.fail(`unknown table ${table}`, at);
    if (tables[table].elemType !== elemType) r.fail('type mismatch: element segment type', at);
  }
  if (mode === 'declarative') mode = 'declarative';
  return { mode, table, offset, items };
}

// ---------------------------------------------------------------------------------------------
// Function bodies: validation (spec appendix algorithm) fused with compilation.

interface ValidationContext { prog: Program; refs: Set<number>; dataCount: number | null }

interface Ctrl {
  op: number; // 0x02 block, 0x03 loop, 0x04 if, 0 function
  params: ValType[];
  results: ValType[];
  height: number;
  unreachable: boolean;
  /** loop: the instruction index of its start */
  loopPc: number;
  /** code positions whose target is this label's end */
  patches: number[];
  /** if: the position of IF_FALSE's target to patch at else/end */
  elsePatch: number;
  sawElse: boolean;
}

const U = 0; // unknown type (polymorphic stack)

/** Value type of a signature letter of the opcode table (opcodes.ts). */
const CH: Record<string, ValType> = { i: T.I32, l: T.I64, f: T.F32, F: T.F32, d: T.F64, D: T.F64 };

/** Validate a numeric or memory instruction against its table signature: pop the operands, push the result. */
function applyTableSig(sig: string, pop: (t: ValType) => ValType, push: (t: ValType) => void): void {
  const [p, q] = sigParts(sig);
  for (let i = p.length - 1; i >= 0; i--) pop(CH[p[i]]);
  if (q) push(CH[q]);
}

/** Validates and compiles one function body: the operand and control stacks of the spec's
 * validation algorithm, and the internal code being emitted (module.ts). One instruction per step(). */
class FunctionCompiler {
  readonly code: number[] = [];
  readonly vals: ValType[] = [];
  readonly ctrls: Ctrl[] = [];
  maxStack = 0;
  /** byte offset of the instruction being compiled */
  opAt = 0;
  // wasm byte offset of the instruction that produced each internal instruction (Func.srcOffset)
  readonly srcPc: number[] = [];
  readonly srcAt: number[] = [];
  readonly prog: Program;
  readonly locals: ValType[];
  /** slot of operand height 0 */
  readonly base: number;

  constructor(readonly bytes: Uint8Array, readonly r: Reader, readonly fn: Func, readonly ctx: ValidationContext) {
    this.prog = ctx.prog;
    this.locals = fn.localTypes;
    this.base = fn.nlocals + FRAME_HEADER;
    this.pushCtrl(0, [], fn.type.results);
    this.ctrls[0].height = 0;
    this.vals.length = 0;
  }


  readonly fail = (reason: string): never => this.r.fail(reason, this.opAt);
  readonly push = (t: ValType) => { this.vals.push(t); if (this.vals.length > this.maxStack) this.maxStack = this.vals.length; };
  readonly pop = (expect?: ValType): ValType => {
    const c = this.ctrls[this.ctrls.length - 1];
    if (this.vals.length === c.height) {
      if (c.unreachable) return expect ?? U;
      this.fail(`type mismatch: expected ${expect !== undefined ? typeName(expect) : 'a value'} but the stack is empty`);
    }
    const t = this.vals.pop()!;
    if (expect !== undefined && t !== U && expect !== U && t !== expect) this.fail(`type mismatch: expected ${typeName(expect)}, got ${typeName(t)}`);
    return t === U ? (expect ?? U) : t;
  };
  readonly popN = (ts: ValType[]) => { for (let i = ts.length - 1; i >= 0; i--) this.pop(ts[i]); };
  readonly pushN = (ts: ValType[]) => { for (const t of ts) this.push(t); };
  readonly pushCtrl = (op: number, params: ValType[], results: ValType[]): Ctrl => {
    const c: Ctrl = { op, params, results, height: this.vals.length, unreachable: false, loopPc: this.code.length, patches: [], elsePatch: -1, sawElse: false };
    this.ctrls.push(c);
    this.pushN(params);
    return c;
  };
  readonly popCtrl = (): Ctrl => {
    if (this.ctrls.length === 0) this.fail('unexpected end');
    const c = this.ctrls[this.ctrls.length - 1];
    this.popN(c.results);
    if (this.vals.length !== c.height) this.fail('type mismatch: block leaves extra values on the stack');
    this.ctrls.pop();
    return c;
  };
  readonly labelTypes = (c: Ctrl) => (c.op === 0x03 ? c.params : c.results);
  readonly setUnreachable = () => { const c = this.ctrls[this.ctrls.length - 1]; this.vals.length = c.height; c.unreachable = true; };
  readonly blockType = (): FuncType => {
    const at = this.r.pos;
    const b = this.bytes[this.r.pos];
    if (b === 0x40) { this.r.pos++; return { params: [], results: [] }; }
    if (b === T.I32 || b === T.I64 || b === T.F32 || b === T.F64 || b === T.FUNCREF || b === T.EXTERNREF) { this.r.pos++; return { params: [], results: [b] }; }
    const idx = this.r.sN(33);
    if (idx < 0n || idx >= BigInt(this.prog.types.length)) this.r.fail(`unknown type ${idx}`, at);
    return this.prog.types[Number(idx)];
  };
  readonly label = (depth: number): Ctrl => {
    if (depth >= this.ctrls.length) this.fail(`unknown label ${depth}`);
    return this.ctrls[this.ctrls.length - 1 - depth];
  };
  /** emit the (target, height, arity) triple of a branch to c */
  readonly emitTarget = (c: Ctrl) => {
    const arity = this.labelTypes(c).length;
    if (c.op === 0x03) this.code.push(c.loopPc);
    else { c.patches.push(this.code.length); this.code.push(-1); }
    this.code.push(this.base + c.height, arity);
  };
  readonly local = (): number => {
    const at = this.r.pos;
    const i = this.r.u32();
    if (i >= this.locals.length) this.r.fail(`unknown local ${i}`, at);
    return i;
  };
  readonly memarg = (natural: number): number => {
    const at = this.r.pos;
    let align = this.r.u32();
    if (align >= 64) this.r.fail('malformed memop flags (multi-memory unsupported)', at);
    if (align >= 32) { align -= 64; }
    if (align > natural) this.r.fail('alignment must not be larger than natural', at);
    const offset = this.r.u32();
    if (!this.prog.memory) this.r.fail('unknown memory 0', at);
    return offset;
  };
  readonly needMemory = () => { if (!this.prog.memory) this.fail('unknown memory 0'); };
  readonly needData = (seg: number) => {
    if (this.ctx.dataCount === null) this.fail('data count section required');
    if (seg >= this.prog.datas.length && seg >= (this.ctx.dataCount ?? 0)) this.fail(`unknown data segment ${seg}`);
  };

  /** Compile the next instruction. */
  step(): void {
    this.opAt = this.r.pos;
    this.srcPc.push(this.code.length); this.srcAt.push(this.opAt);
    if (this.r.pos >= this.r.end) this.fail('unexpected end of section or function');
    const op = this.r.u8();
    if (op <= 0x0f) this.control(op);
    else if (op === 0x10 || op === 0x11) this.call(op);
    else if (op >= 0x1a && op <= 0x26) this.variable(op);
    else if ((op >= 0x3f && op <= 0x44) || (op >= 0xd0 && op <= 0xd2)) this.constant(op);
    else if (op === 0xfc) this.prefixed();
    else this.simple(op);
  }

  /** unreachable, nop, block, loop, if, else, end, br, br_if, br_table, return */
  private control(op: number): void {
    switch (op) {
    case 0x00: this.code.push(OP.UNREACHABLE); this.setUnreachable(); break;
    case 0x01: break;
    case 0x02: case 0x03: {
      const bt = this.blockType();
      this.popN(bt.params);
      this.pushCtrl(op, bt.params, bt.results);
      break;
    }
    case 0x04: {
      const bt = this.blockType();
      this.pop(T.I32);
      this.popN(bt.params);
      this.code.push(OP.IF_FALSE, -1);
      const c = this.pushCtrl(op, bt.params, bt.results);
      c.elsePatch = this.code.length - 1;
      break;
    }
    case 0x05: {
      const c = this.ctrls[this.ctrls.length - 1];
      if (!c || c.op !== 0x04 || c.sawElse) this.fail('else without matching if');
      this.popN(c.results);
      if (this.vals.length !== c.height) this.fail('type mismatch: block leaves extra values on the stack');
      this.code.push(OP.JMP, -1);
      c.patches.push(this.code.length - 1);
      this.code[c.elsePatch] = this.code.length;
      c.elsePatch = -1;
      c.sawElse = true;
      c.unreachable = false;
      this.pushN(c.params);
      break;
    }
    case 0x0b: {
      const c = this.popCtrl();
      if (c.op === 0x04 && !c.sawElse) {
        // an if without else must have matching param and result types
        if (c.params.length !== c.results.length || c.params.some((t, i) => t !== c.results[i])) this.fail('type mismatch: if without else must leave its parameters');
        this.code[c.elsePatch] = this.code.length;
      }
      if (c.op === 0) {
        for (const p of c.patches) this.code[p] = this.code.length;
        this.code.push(OP.RETURN);
      } else {
        for (const p of c.patches) this.code[p] = this.code.length;
        this.pushN(c.results);
      }
      break;
    }
    case 0x0c: {
      const c = this.label(this.r.u32());
      const lt = this.labelTypes(c);
      this.popN(lt);
      if (this.vals.length === c.height) {
        this.code.push(OP.JMP);
        if (c.op === 0x03) this.code.push(c.loopPc); else { c.patches.push(this.code.length); this.code.push(-1); }
      } else { this.code.push(OP.BR); this.emitTarget(c); }
      this.setUnreachable();
      break;
    }
    case 0x0d: {
      const c = this.label(this.r.u32());
      this.pop(T.I32);
      const lt = this.labelTypes(c);
      this.popN(lt);
      if (this.vals.length === c.height) {
        this.code.push(OP.BR_IF_J);
        if (c.op === 0x03) this.code.push(c.loopPc); else { c.patches.push(this.code.length); this.code.push(-1); }
      } else { this.code.push(OP.BR_IF); this.emitTarget(c); }
      this.pushN(lt);
      break;
    }
    case 0x0e: {
      const n = this.r.u32();
      if (n > 100000) this.fail('br_table too large');
      const depths: number[] = [];
      for (let i = 0; i <= n; i++) depths.push(this.r.u32());
      this.pop(T.I32);
      const def = this.label(depths[n]);
      const arity = this.labelTypes(def).length;
      this.code.push(OP.BR_TABLE, n);
      for (const d of depths) {
        const c = this.label(d);
        const lt = this.labelTypes(c);
        if (lt.length !== arity) this.fail('type mismatch: br_table targets have different arities');
        // check the operands against each target's types without consuming them
        const saved = this.vals.slice();
        this.popN(lt);
        this.vals.length = 0; this.vals.push(...saved);
        this.emitTarget(c);
      }
      this.popN(this.labelTypes(def));
      this.setUnreachable();
      break;
    }
    case 0x0f: {
      this.popN(this.fn.type.results);
      this.code.push(OP.RETURN);
      this.setUnreachable();
      break;
    }
      default: this.fail(`illegal opcode 0x${op.toString(16)}`);
    }
  }

  /** call, call_indirect */
  private call(op: number): void {
    switch (op) {
    case 0x10: {
      const at = this.r.pos;
      const f = this.r.u32();
      if (f >= this.prog.funcs.length) this.r.fail(`unknown function ${f}`, at);
      const callee = this.prog.funcs[f];
      this.popN(callee.type.params);
      if (callee.special === 'svc') this.code.push(OP.SVC, f);
      else if (callee.special === 'reg') this.code.push(OP.REG, f);
      else this.code.push(f < this.prog.nImportedFuncs ? OP.CALL_IMPORT : OP.CALL, f);
      this.pushN(callee.type.results);
      break;
    }
    case 0x11: {
      const at = this.r.pos;
      const ti = this.r.u32();
      const tAt = this.r.pos;
      const table = this.r.u32();
      if (table >= this.prog.tables.length) this.r.fail(`unknown table ${table}`, tAt);
      if (ti >= this.prog.types.length) this.r.fail(`unknown type ${ti}`, at);
      if (this.prog.tables[table].elemType !== T.FUNCREF) this.r.fail('type mismatch: call_indirect table must hold funcref', tAt);
      this.pop(T.I32);
      const ft = this.prog.types[ti];
      this.popN(ft.params);
      this.code.push(OP.CALL_INDIRECT, this.prog.typeCanon[ti], table);
      this.pushN(ft.results);
      break;
    }
    }
  }

  /** drop, select, local.*, global.*, table.get/set */
  private variable(op: number): void {
    switch (op) {
    case 0x1a: this.pop(); this.code.push(OP.DROP); break;
    case 0x1b: case 0x1c: {
      let t: ValType;
      if (op === 0x1c) {
        const n = this.r.u32();
        if (n !== 1) this.fail('invalid result arity for typed select');
        t = this.r.valType();
        this.pop(T.I32); this.pop(t); this.pop(t);
      } else {
        this.pop(T.I32);
        const t1 = this.pop();
        const t2 = this.pop();
        const isNum = (x: ValType) => x === U || x === T.I32 || x === T.I64 || x === T.F32 || x === T.F64;
        if (!isNum(t1) || !isNum(t2)) this.fail('type mismatch: select without type needs numeric operands');
        if (t1 !== U && t2 !== U && t1 !== t2) this.fail('type mismatch: select operands differ');
        t = t1 === U ? t2 : t1;
      }
      this.code.push(t === T.I64 ? OP.SELECT_I64 : t === T.F32 ? OP.SELECT_F32 : t === T.F64 ? OP.SELECT_F64 : OP.SELECT);
      this.push(t);
      break;
    }
    case 0x20: { const i = this.local(); this.push(this.locals[i]); this.code.push(is32(this.locals[i]) ? OP.LOCAL_GET32 : OP.LOCAL_GET, i); break; }
    case 0x21: { const i = this.local(); this.pop(this.locals[i]); this.code.push(is32(this.locals[i]) ? OP.LOCAL_SET32 : OP.LOCAL_SET, i); break; }
    case 0x22: { const i = this.local(); this.pop(this.locals[i]); this.push(this.locals[i]); this.code.push(is32(this.locals[i]) ? OP.LOCAL_TEE32 : OP.LOCAL_TEE, i); break; }
    case 0x23: case 0x24: {
      const at = this.r.pos;
      const g = this.r.u32();
      if (g >= this.prog.globals.length) this.r.fail(`unknown global ${g}`, at);
      const gl = this.prog.globals[g];
      if (op === 0x23) this.push(gl.type);
      else {
        if (!gl.mutable) this.r.fail('global is immutable', at);
        this.pop(gl.type);
      }
      this.code.push(op, g);
      break;
    }
    case 0x25: case 0x26: {
      const at = this.r.pos;
      const t = this.r.u32();
      if (t >= this.prog.tables.length) this.r.fail(`unknown table ${t}`, at);
      const et = this.prog.tables[t].elemType;
      if (op === 0x25) { this.pop(T.I32); this.push(et); } else { this.pop(et); this.pop(T.I32); }
      this.code.push(op, t);
      break;
    }
      default: this.fail(`illegal opcode 0x${op.toString(16)}`);
    }
  }

  /** memory.size/grow, constants, ref.null/is_null/func */
  private constant(op: number): void {
    switch (op) {
    case 0x3f: case 0x40: {
      const at = this.r.pos;
      if (this.r.u8() !== 0) this.r.fail('zero byte expected', at);
      this.needMemory();
      if (op === 0x40) this.pop(T.I32);
      this.push(T.I32);
      this.code.push(op);
      break;
    }
    case 0x41: this.push(T.I32); this.code.push(OP.CONST32, this.r.s32()); break;
    case 0x42: { this.push(T.I64); const v = BigInt.asUintN(64, this.r.sN(64)); this.code.push(OP.CONST64, Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0); break; }
    case 0x43: { this.push(T.F32); const b = this.r.bytes(4); this.code.push(OP.CONST_F32, b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24); break; }
    case 0x44: {
      this.push(T.F64);
      const b = this.r.bytes(8);
      this.code.push(OP.CONST_F64, b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24, b[4] | b[5] << 8 | b[6] << 16 | b[7] << 24);
      break;
    }
    case 0xd0: { const t = this.r.valType(); if (t !== T.FUNCREF && t !== T.EXTERNREF) this.fail('malformed reference type'); this.push(t); this.code.push(OP.CONST32, 0); break; }
    case 0xd1: {
      const t = this.pop();
      if (t !== U && t !== T.FUNCREF && t !== T.EXTERNREF) this.fail('type mismatch: ref.is_null needs a reference');
      this.push(T.I32); this.code.push(0x45); break;
    }
    case 0xd2: {
      const at = this.r.pos;
      const f = this.r.u32();
      if (f >= this.prog.funcs.length) this.r.fail(`unknown function ${f}`, at);
      if (!this.ctx.refs.has(f)) this.r.fail('undeclared function reference', at);
      this.push(T.FUNCREF); this.code.push(OP.CONST32, f + 1); break;
    }
    }
  }

  /** the 0xFC prefix: saturating truncation, bulk memory, table.size */
  private prefixed(): void {
    const sub = this.r.u32();
    if (sub <= 7) {
      applyTableSig(OPCODES.get(0xfc00 | sub)!.sig!, this.pop, this.push);
      this.code.push(OP.TRUNC_SAT + sub);
    } else if (sub === 8) {
      const seg = this.r.u32();
      const at = this.r.pos;
      if (this.r.u8() !== 0) this.r.fail('zero byte expected', at);
      this.needMemory(); this.needData(seg);
      this.pop(T.I32); this.pop(T.I32); this.pop(T.I32);
      this.code.push(OP.MEMORY_INIT, seg);
    } else if (sub === 9) {
      const seg = this.r.u32();
      this.needData(seg);
      this.code.push(OP.DATA_DROP, seg);
    } else if (sub === 10) {
      const at = this.r.pos;
      if (this.r.u8() !== 0 || this.r.u8() !== 0) this.r.fail('zero byte expected', at);
      this.needMemory();
      this.pop(T.I32); this.pop(T.I32); this.pop(T.I32);
      this.code.push(OP.MEMORY_COPY);
    } else if (sub === 11) {
      const at = this.r.pos;
      if (this.r.u8() !== 0) this.r.fail('zero byte expected', at);
      this.needMemory();
      this.pop(T.I32); this.pop(T.I32); this.pop(T.I32);
      this.code.push(OP.MEMORY_FILL);
    } else if (sub === 16) {
      const at = this.r.pos;
      const t = this.r.u32();
      if (t >= this.prog.tables.length) this.r.fail(`unknown table ${t}`, at);
      this.push(T.I32);
      this.code.push(OP.TABLE_SIZE, t);
    } else if (sub >= 12 && sub <= 17) {
      this.fail(`unsupported: table instruction 0xfc ${sub} (reference types: table.init/elem.drop/table.copy/table.grow/table.fill)`);
    } else this.fail(`illegal opcode 0xfc ${sub}`);
  }

  /** numeric and memory instructions: their signature from the opcode table */
  private simple(op: number): void {
    const d = OPCODES.get(op);
    if (d?.mem) {
      const offset = this.memarg(Math.log2(d.mem.size));
      applyTableSig(d.sig!, this.pop, this.push);
      this.code.push(op, offset | 0);
      return;
    }
    if (d?.sig) {
      applyTableSig(d.sig, this.pop, this.push);
      this.code.push(op);
      return;
    }
    if (op === 0xfd) this.fail('unsupported: SIMD (0xfd prefix)');
    this.fail(`illegal opcode 0x${op.toString(16)}`);
  }
}

function compileFunction(bytes: Uint8Array, start: number, end: number, fn: Func, ctx: ValidationContext): void {
  const r = new Reader(bytes, start, end);
  r.section = 'code';
  fn.bodyOffset = start;
  // locals
  const ngroups = r.u32();
  let total = fn.nparams;
  for (let i = 0; i < ngroups; i++) {
    const at = r.pos;
    const n = r.u32();
    const t = r.valType();
    total += n;
    if (total > MAX_LOCALS) r.fail('too many locals', at);
    for (let j = 0; j < n; j++) fn.localTypes.push(t);
  }
  fn.nlocals = total;
  const c = new FunctionCompiler(bytes, r, fn, ctx);
  while (c.ctrls.length > 0) c.step();
  const { code, srcPc, srcAt } = c;
  if (r.pos !== end) r.fail('section size mismatch: operators after the final end', r.pos);
  fn.maxStack = c.maxStack + 1;
  fn.frameSlots = fn.nlocals + FRAME_HEADER + fn.maxStack;
  if (fn.frameSlots > MAX_FUNC_SLOTS) r.fail('function frame too large', start);
  fn.code = Int32Array.from(code);
  fn.insn = instructionMap(fn.code);
  fn.srcOffset = new Int32Array(code.length).fill(-1);
  // block/loop/nop/end emit no code: the last wasm instruction starting at a code index is the one that emitted it
  for (let i = 0; i < srcPc.length; i++) if (srcPc[i] < code.length) fn.srcOffset[srcPc[i]] = srcAt[i];
}
