// Code generators over the opcode table (opcodes.ts): the interpreter's numeric and memory cases (as
// TypeScript source, written into core.ts by scripts/el0-gen.ts) and the translator's JavaScript for
// the same instructions (called by jit.ts while it translates a function). One semantics, two tiers:
// the interpreter reads operands from the shadow stack (s32/f32/f64 views of slot `sp - n + k`), the
// translator from JS variables (i64 as two int32s, f32 as raw bits, f64 as a number).

import { OPCODES, internalOp, sigParts, type OpDef } from './opcodes';

type Operand = { lo: string; hi: string };

/** Replace $a/$ah/$b/$bh/$lo and Q(…) in a semantics expression. */
function subst(e: string, ops: Operand[], lo: string, q: (inner: string) => string): string {
  let out = e.replace(/\$(a|b)(h?)/g, (_, which: string, h: string) => {
    const o = ops[which === 'a' ? 0 : 1];
    return h ? o.hi : o.lo;
  }).replace(/\$lo/g, lo);
  // Q(...) with balanced parentheses
  for (let i = out.indexOf('Q('); i >= 0; i = out.indexOf('Q(')) {
    let depth = 0, j = i + 1;
    for (; j < out.length; j++) {
      if (out[j] === '(') depth++;
      else if (out[j] === ')' && --depth === 0) break;
    }
    out = out.slice(0, i) + q(out.slice(i + 2, j)) + out.slice(j + 1);
  }
  return out;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const hasHi = (k: string): boolean => k === 'l' || k === 'D';

// ---------------------------------------------------------------- interpreter (core.ts exec)

/** The operand k of n as the interpreter reads it (w = (sp - n) << 1). */
function interpOperand(kind: string, k: number, n: number): Operand {
  const w = k === 0 ? 'w' : `w + ${2 * k}`;
  const w1 = `w + ${2 * k + 1}`;
  if (kind === 'f') return { lo: `f32[${w}]`, hi: '' };
  if (kind === 'd') return { lo: `f64[sp - ${n - k}]`, hi: '' };
  return { lo: `s32[${w}]`, hi: `s32[${w1}]` };
}

const TRAP_AT = (name: string): string => `{ this.fn = fn; this.pc = pc; this.trap(TRAP.${name}); break loop; }`;

function interpNumeric(d: OpDef): string {
  const [p, r] = sigParts(d.sig!);
  const n = p.length;
  const ops = [...p].map((k, i) => interpOperand(k, i, n));
  const q = (e: string) => `qnan(${e})`;
  let c = `w = (sp - ${n}) << 1;`;
  for (const [cond, trap] of d.traps ?? []) c += ` if (${subst(cond, ops, 'x', q)}) ${TRAP_AT(trap)}`;
  const lo = subst(d.lo!, ops, 'x', q);
  if (hasHi(r)) c += ` x = ${lo}; s32[w + 1] = ${subst(d.hi!, ops, 'x', q)}; s32[w] = x;`;
  else if (r === 'f') c += ` f32[w] = ${lo};`;
  else if (r === 'd') c += ` f64[sp - ${n}] = ${lo};`;
  else c += ` s32[w] = ${lo};`;
  if (n > 1) c += ` sp -= ${n - 1};`;
  return `${c} pc++; break;`;
}

/** Read a loaded value: from RAM (dv/m8 at `o`) or from the slow path's scratch (sdv/sc8 at 0). */
function readValue(size: number, ext: string | undefined, fast: boolean): string {
  const dv = fast ? 'dv' : 'sdv', at = fast ? 'o' : '0';
  if (size === 1) {
    const b = fast ? 'this.m8[o]' : 'this.sc8[0]';
    return ext === 's' ? `(${b} << 24) >> 24` : b;
  }
  if (size === 2) return `${dv}.get${ext === 's' ? 'Int16' : 'Uint16'}(${at}, true)`;
  return `${dv}.getInt32(${at}, true)`;
}

function interpLoad(d: OpDef): string {
  const { size, ext } = d.mem!;
  const wide = sigParts(d.sig!)[1];
  const fast = size === 8
    ? '{ o = rOff[h] + (ea & 0xfff); s32[w] = dv.getInt32(o, true); s32[w + 1] = dv.getInt32(o + 4, true); }'
    : `{ o = rOff[h] + (ea & 0xfff); x = ${readValue(size, ext, true)}; }`;
  const slow = size === 8 ? 's32[w] = sdv.getInt32(0, true); s32[w + 1] = sdv.getInt32(4, true);' : `x = ${readValue(size, ext, false)};`;
  const put = size === 8 ? '' : ` s32[w] = x;${hasHi(wide) ? ` s32[w + 1] = ${ext === 's' ? 'x >> 31' : '0'};` : ''}`;
  return `w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + ${size} > memBytes) ${TRAP_AT('OUT_OF_BOUNDS')}
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn${size > 1 ? ` && (ea & 0xfff) <= ${4096 - size}` : ''}) ${fast}
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, ${size})) break loop; ${slow} }
         ${put} pc += 2; break;`;
}

function writeValue(size: number, fast: boolean): string {
  const dv = fast ? 'dv' : 'sdv', at = fast ? 'o' : '0';
  if (size === 1) return `${fast ? 'this.m8[o]' : 'this.sc8[0]'} = s32[w + 2];`;
  if (size === 2) return `${dv}.setInt16(${at}, s32[w + 2], true);`;
  if (size === 4) return `${dv}.setInt32(${at}, s32[w + 2], true);`;
  return `${dv}.setInt32(${at}, s32[w + 2], true); ${dv}.setInt32(${fast ? 'o + 4' : '4'}, s32[w + 3], true);`;
}

function interpStore(d: OpDef): string {
  const { size } = d.mem!;
  return `w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + ${size} > memBytes) ${TRAP_AT('OUT_OF_BOUNDS')}
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn${size > 1 ? ` && (ea & 0xfff) <= ${4096 - size}` : ''}) { o = wOff[h] + (ea & 0xfff); ${writeValue(size, true)} }
          else {
            this.fn = fn; this.pc = pc; ${writeValue(size, false)}
            if (!this.storeSlow(ea, ${size})) break loop;
            // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
            if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;`;
}

/** The interpreter's cases for every table instruction with semantics (TypeScript source). */
export function interpreterCases(indent = '        '): string {
  const out: string[] = [];
  for (const d of OPCODES.values()) {
    if (!d.sig) continue;
    const body = d.mem ? (sigParts(d.sig)[1] ? interpLoad(d) : interpStore(d)) : interpNumeric(d);
    out.push(`${indent}case ${hex(internalOp(d.code))}: { // ${d.name}\n${indent}  ${body.replace(/\n\s*/g, `\n${indent}  `)}\n${indent}}`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------- translator (jit.ts)

/** Names the translator's generated code uses for the operand slots and scratch. */
export interface JitSlots {
  /** low word (or the value) of stack slot k */
  s(k: number): string;
  /** high word of stack slot k (i64) */
  t(k: number): string;
}

const f32In = (v: string) => `(SI[0]=${v},SF[0])`;
const f32Out = (v: string) => `(SF[0]=${v},SI[0])`;

/** JavaScript for a numeric instruction whose operands are the top `sig` slots of a stack of height h. */
export function jitNumeric(d: OpDef, h: number, v: JitSlots, bail: () => string): string {
  const [p, r] = sigParts(d.sig!);
  const n = p.length, base = h - n;
  let c = '';
  const ops: Operand[] = [...p].map((k, i) => {
    const lo = v.s(base + i), hi = v.t(base + i);
    if (k === 'f') { c += `f${i}=${f32In(lo)};`; return { lo: `f${i}`, hi: '' }; }
    if (k === 'D') { c += `SD[0]=${lo};g${i}=SI[0];k${i}=SI[1];`; return { lo: `g${i}`, hi: `k${i}` }; }
    return { lo, hi };
  });
  const q = (e: string) => `(qn=${e},qn!==qn?NaN:qn)`;
  const traps = (d.traps ?? []).map(([cond]) => `(${subst(cond, ops, 'rl', q)})`);
  if (traps.length) c += `if(${traps.join('||')})${bail()}`;
  const lo = subst(d.lo!, ops, 'rl', q);
  const dst = v.s(base), dsth = v.t(base);
  if (r === 'l') c += `rl=${lo};rh=${subst(d.hi!, ops, 'rl', q)};${dst}=rl;${dsth}=rh;`;
  else if (r === 'D') c += `rl=${lo};rh=${subst(d.hi!, ops, 'rl', q)};SI[0]=rl;SI[1]=rh;${dst}=SD[0];`;
  else if (r === 'f') c += `${dst}=${f32Out(lo)};`;
  else c += `${dst}=${lo};`;
  return c;
}

/** Scratch variables jitNumeric's code uses (declared by the translated function). */
export const JIT_SCRATCH = ['f0=0', 'f1=0', 'g0=0', 'g1=0', 'k0=0', 'k1=0', 'rl=0', 'rh=0', 'qn=0'];

/** JavaScript for a load or store; `e` holds the RAM offset once the address checks passed. */
export function jitMemAccess(d: OpDef, h: number, v: JitSlots): string {
  const { size, ext } = d.mem!;
  const [p, r] = sigParts(d.sig!);
  if (r) { // load: address in slot h-1, value replaces it
    const dst = v.s(h - 1), dsth = v.t(h - 1);
    if (r === 'D') return `${dst}=DV.getFloat64(e,true);`;
    if (size === 8) return `${dst}=DV.getInt32(e,true);${dsth}=DV.getInt32(e+4,true);`;
    const val = size === 1 ? (ext === 's' ? '(M8[e]<<24)>>24' : 'M8[e]') : size === 2 ? `DV.get${ext === 's' ? 'Int16' : 'Uint16'}(e,true)` : 'DV.getInt32(e,true)';
    return `${dst}=${val};` + (r === 'l' ? `${dsth}=${ext === 's' ? `${dst}>>31` : '0'};` : '');
  }
  const val = v.s(h - 1), valh = v.t(h - 1);
  if (p[1] === 'D') return `DV.setFloat64(e,${val},true);`;
  if (size === 8) return `DV.setInt32(e,${val},true);DV.setInt32(e+4,${valh},true);`;
  return size === 1 ? `M8[e]=${val};` : size === 2 ? `DV.setInt16(e,${val},true);` : `DV.setInt32(e,${val},true);`;
}
