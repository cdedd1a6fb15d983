// Disassembler for the CPU panel: a function body of a .wasm image as (byte offset, mnemonic,
// immediates) lines, with names and immediates from the opcode table (opcodes.ts) and function names
// from the name section. Offsets are byte offsets in the image, as `wasm-objdump -d` prints them and
// as El0Core.location() reports the current instruction. It reads an image the decoder accepted (the
// service binaries); on a malformed one it stops at the first byte it cannot read, never throws.

import { OPCODES, type Imm } from './opcodes';

export interface DisasmLine {
  offset: number;
  mnemonic: string;
  /** the immediates as text ("" when none) */
  operands: string;
}

export interface WasmInfo {
  /** imported functions come first in the function index space */
  importedFuncs: number;
  /** function index → name: the name section's, else an export's, else module.field for an import */
  names: Map<number, string>;
  /** defined function bodies: [start, end) byte offsets of the body (locals and code), by function index */
  bodies: Map<number, { start: number; end: number }>;
}

class Bytes {
  pos: number;
  constructor(readonly b: Uint8Array, pos: number, readonly end: number) { this.pos = pos; }
  u8(): number {
    if (this.pos >= this.end) throw new RangeError('end of data');
    return this.b[this.pos++];
  }
  /** unsigned LEB128 up to 32 bits */
  u32(): number {
    let v = 0, shift = 0, x: number;
    do { x = this.u8(); v += (x & 0x7f) * 2 ** shift; shift += 7; } while (x & 0x80 && shift < 35);
    return v;
  }
  /** signed LEB128 as a bigint (up to 64 bits) */
  sN(): bigint {
    let v = 0n, shift = 0n, x: number;
    do { x = this.u8(); v |= BigInt(x & 0x7f) << shift; shift += 7n; } while (x & 0x80 && shift < 70n);
    if (x & 0x40 && shift < 64n) v -= 1n << shift;
    return BigInt.asIntN(64, v);
  }
  name(): string {
    const n = this.u32();
    if (this.pos + n > this.end) throw new RangeError('end of data');
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

/** The function index space of an image: import count, names, body ranges. */
export function wasmInfo(bytes: Uint8Array): WasmInfo {
  const info: WasmInfo = { importedFuncs: 0, names: new Map(), bodies: new Map() };
  const r = new Bytes(bytes, 8, bytes.length);
  try {
    while (r.pos < bytes.length) {
      const id = r.u8(), size = r.u32(), end = r.pos + size;
      const s = new Bytes(bytes, r.pos, end);
      if (id === 2) readImports(s, info);
      else if (id === 7) readExports(s, info);
      else if (id === 10) {
        const n = s.u32();
        for (let i = 0; i < n; i++) { const len = s.u32(); info.bodies.set(info.importedFuncs + i, { start: s.pos, end: s.pos + len }); s.pos += len; }
      } else if (id === 0 && s.name() === 'name') readNames(s, info);
      r.pos = end;
    }
  } catch { /* a truncated image: what was read so far */ }
  return info;
}

function readImports(s: Bytes, info: WasmInfo): void {
  const n = s.u32();
  for (let i = 0; i < n; i++) {
    const mod = s.name(), field = s.name(), kind = s.u8();
    if (kind === 0) { s.u32(); info.names.set(info.importedFuncs++, `${mod}.${field}`); }
    else if (kind === 1) { s.u8(); limits(s); }
    else if (kind === 2) limits(s);
    else { s.u8(); s.u8(); }
  }
}

/** Exported functions are named by their export name until the name section (it comes last) says otherwise. */
function readExports(s: Bytes, info: WasmInfo): void {
  const n = s.u32();
  for (let i = 0; i < n; i++) {
    const name = s.name(), kind = s.u8(), index = s.u32();
    if (kind === 0 && !info.names.has(index)) info.names.set(index, name);
  }
}

function limits(s: Bytes): void {
  const flags = s.u8();
  s.u32();
  if (flags & 1) s.u32();
}

function readNames(s: Bytes, info: WasmInfo): void {
  while (s.pos < s.end) {
    const id = s.u8(), size = s.u32(), end = s.pos + size;
    if (id === 1) {
      const n = s.u32();
      for (let i = 0; i < n; i++) { const idx = s.u32(); info.names.set(idx, s.name()); }
    }
    s.pos = end;
  }
}

/** The name of function `index`: from the name section, else `func[index]` (wasm-objdump's style). */
export function funcName(info: WasmInfo, index: number): string {
  return info.names.get(index) ?? `func[${index}]`;
}

const VALTYPES: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };

/** Read one immediate and give it as text. */
function immediate(r: Bytes, kind: Imm, info: WasmInfo): string {
  switch (kind) {
    case 'blocktype': {
      const b = r.b[r.pos];
      if (b === 0x40) { r.pos++; return ''; }
      if (VALTYPES[b]) { r.pos++; return VALTYPES[b]; }
      return `type[${r.sN()}]`;
    }
    case 'labels': {
      const n = r.u32();
      const ts: number[] = [];
      for (let i = 0; i <= n; i++) ts.push(r.u32());
      return ts.join(' ');
    }
    case 'func': { const f = r.u32(); return `${f} <${funcName(info, f)}>`; }
    case 'memarg': { const align = r.u32(), off = r.u32(); return off ? `${align} ${off}` : `${align} 0`; }
    case 'zero': r.u8(); return '0';
    case 'i32': return String(Number(BigInt.asIntN(32, r.sN())));
    case 'i64': return String(r.sN());
    case 'f32': { const v = new DataView(r.b.buffer, r.b.byteOffset + r.pos, 4).getFloat32(0, true); r.pos += 4; return String(v); }
    case 'f64': { const v = new DataView(r.b.buffer, r.b.byteOffset + r.pos, 8).getFloat64(0, true); r.pos += 8; return String(v); }
    case 'valtypes': { const n = r.u32(); const ts: string[] = []; for (let i = 0; i < n; i++) ts.push(VALTYPES[r.u8()] ?? '?'); return ts.join(' '); }
    case 'reftype': return VALTYPES[r.u8()] ?? '?';
    default: return String(r.u32()); // label, type, table, local, global, data, elem
  }
}

/** Disassemble the body of defined function `index` (its code, after the local declarations). */
export function disassemble(bytes: Uint8Array, index: number, info: WasmInfo = wasmInfo(bytes)): DisasmLine[] {
  const body = info.bodies.get(index);
  if (!body) return [];
  const r = new Bytes(bytes, body.start, body.end);
  const out: DisasmLine[] = [];
  try {
    const groups = r.u32();
    for (let i = 0; i < groups; i++) { r.u32(); r.u8(); }
    while (r.pos < body.end) {
      const offset = r.pos;
      let code = r.u8();
      if (code === 0xfc) code = 0xfc00 | r.u32();
      const d = OPCODES.get(code);
      if (!d) { out.push({ offset, mnemonic: `<unknown 0x${code.toString(16)}>`, operands: '' }); break; }
      const ops = d.imm.map((k) => immediate(r, k, info)).filter((t) => t !== '');
      out.push({ offset, mnemonic: d.name, operands: ops.join(' ') });
    }
  } catch { /* truncated: the lines read so far */ }
  return out;
}
