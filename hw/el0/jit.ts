// Translation tier of the EL0 core: compiles a hot function's internal code (hw/el0/module.ts) to a
// JavaScript function (new Function) whose wasm locals and operand-stack slots are JS variables.
//
// Contract with the interpreter (hw/el0/core.ts):
//  * Translated code only runs fast paths. Anything else -- a TLB miss, a bounds or arithmetic trap,
//    an import call, memory.grow, bulk memory, a callee without translated code, a stack page not yet
//    checked, the instruction budget running out -- is a *bail*: the function writes its frame (locals,
//    operand stack) to the shadow stack exactly as the interpreter keeps it, sets core.fn/pc/sp/fp to
//    the instruction that was not executed, and returns with core.st = 1. The interpreter then executes
//    that instruction itself (raising the exception if there is one). Frames of translated callers
//    that were suspended in a call write themselves (and the callee's frame header) on the way out.
//  * Instruction accounting is exact: each basic block charges its instruction count up front and a
//    bail refunds the instructions it did not execute, so run(fuel) retires the same instructions in
//    both tiers.
//  * Entry: entry >= 0 from the interpreter at pc 0 or a loop header (the frame is in the shadow
//    stack); entry = -1 from translated code, with the parameters as JS arguments. A translated
//    function entered from the interpreter never returns normally: its `return` bails at the RETURN
//    instruction, which the interpreter then executes.
//
// Value representation: i32 and references as int32, f32 as its raw bits (int32), f64 as a JS number,
// i64 as two int32 variables (low, high).

import { FRAME_HEADER, INSN_RETURN_SITE, OP, T, opLength, type Func, type JitFn, type Program, type ValType } from './module';

export { opLength };
import { MEMOP, SATSIG, SIG } from './decode';
import { MAX_CALL_DEPTH } from './limits';

const JIT_STATS = !!(globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.MLK_JIT_STATS;

/** Maximum nesting of translated activations on the JavaScript stack. */
export const JIT_MAX_JS_DEPTH = 256;

/** The part of the core translated code reads and writes. */
export interface JitCore {
  jitXlate(ea: number, write: boolean): boolean;
  jitBulk(op: number, d: number, s: number, n: number): boolean;
  jitGrow(delta: number): number;
  st: number;
  fuel: number;
  depth: number;
  jsd: number;
  validTop: number;
  /** shadow slots >= loadedLow hold the thread's stack; minFp: lowest slot written (written back) */
  loadedLow: number;
  minFp: number;
  stackBase: number;
  memBytes: number;
  gWritable: boolean;
  gDirty: boolean;
  rhi: number;
  fn: Func;
  pc: number;
  sp: number;
  fp: number;
}

type K = 0 | 1 | 2 | 3; // I (i32/ref), L (i64), F (f32 bits), D (f64)
const I = 0, L = 1, F = 2, D = 3;
const kindOf = (t: ValType): K => (t === T.I64 ? L : t === T.F32 ? F : t === T.F64 ? D : I);
const CHK: Record<string, K> = { i: I, l: L, f: F, d: D };

const isTerminator = (op: number) => op === OP.JMP || op === OP.BR || op === OP.BR_TABLE || op === OP.RETURN || op === OP.UNREACHABLE;
const isCall = (op: number) => op === OP.CALL || op === OP.CALL_INDIRECT || op === OP.CALL_IMPORT || op === OP.SVC || op === OP.REG;
const isBlockEnd = (op: number) => isTerminator(op) || op === OP.IF_FALSE || op === OP.BR_IF || op === OP.BR_IF_J || isCall(op);

interface Site { pc: number; h: number; kinds: K[]; kind: 'bail' | 'susp'; calleeNl?: string; retPc?: number }

/** Is `f` mlk.svc with a signature translated code raises itself: (nr: i32, a0..a5: i32/i64), <= 7 params. */
const svcInline = (f: Func): boolean => {
  const p = f.type.params;
  if (p.length < 1 || p.length > 7 || p[0] !== T.I32) return false;
  for (let i = 1; i < p.length; i++) if (p[i] !== T.I32 && p[i] !== T.I64) return false;
  return true;
};

/**
 * Translate `fn`. Returns null when the function cannot be translated (then it stays interpreted).
 * `env` holds what the generated code closes over.
 */
export function translate(prog: Program, fn: Func, env: JitEnv): JitFn | null {
  const src = generate(prog, fn);
  if (src === null) return null;
  const factory = new Function('C', 'E', 'FN', src) as (c: unknown, e: JitEnv, fns: Func[]) => JitFn;
  return factory(env.core, env, prog.funcs);
}

/** Views and helpers the generated code uses (refreshed by the core when they change). */
export interface JitEnv {
  core: JitCore;
  S32: Int32Array;
  S64: Float64Array;
  G32: Int32Array;
  G64: Float64Array;
  DV: DataView;
  M8: Uint8Array;
  RT: Int32Array;
  RO: Int32Array;
  WT: Int32Array;
  WO: Int32Array;
  /** the register file as int32 words (X0 low, X0 high, X1 low, ...) */
  RI: Int32Array;
  tableBase: number[];
  tableSize: number[];
  typeCanon: Int32Array;
  N: typeof import('./num');
  /** bail counts per site (MLK_JIT_STATS=1) */
  bails?: Map<string, number>;
}

export function generate(prog: Program, fn: Func): string | null {
  const code = fn.code;
  const nl = fn.nlocals;
  const BASE = nl + FRAME_HEADER;
  const localKinds = fn.localTypes.map(kindOf);

  // ---- pass 1: instruction starts, block starts, back-edge targets
  const starts: number[] = [];
  const blockStart = new Set<number>([0]);
  for (let pc = 0; pc < code.length; pc += opLength(code, pc)) {
    starts.push(pc);
    const op = code[pc];
    const next = pc + opLength(code, pc);
    const target = (t: number) => { blockStart.add(t); };
    if (op === OP.JMP || op === OP.IF_FALSE || op === OP.BR_IF_J || op === OP.BR || op === OP.BR_IF) target(code[pc + 1]);
    if (op === OP.BR_TABLE) for (let i = 0; i <= code[pc + 1]; i++) target(code[pc + 2 + 3 * i]);
    if (isBlockEnd(op) && next < code.length) blockStart.add(next);
  }
  // dense block numbers (the dispatch switch compiles to a jump table)
  const blockNo = new Map<number, number>();
  [...blockStart].sort((x, y) => x - y).forEach((pc, i) => blockNo.set(pc, i));
  const bn = (pc: number): number => blockNo.get(pc)!;
  /** pcs where the interpreter may enter: every reachable block start */
  const entries = new Uint8Array(code.length);

  // ---- pass 2: abstract interpretation of kinds + code generation
  const out: string[] = [];
  const sites: Site[] = [];
  const entryLoads: string[] = [];
  const pending = new Map<number, K[]>();
  let stack: K[] | null = [];
  let maxH = 0;
  let blockK = 0; // instructions in the current block
  let j = 0; // index of the current instruction in its block
  let fail: string | null = null;

  const s = (k: number) => `s${k}`;
  const t = (k: number) => `t${k}`;
  const bail = (pc: number, h: number, kinds: K[]): string => {
    sites.push({ pc, h, kinds: kinds.slice(0, h), kind: 'bail' });
    return `{F+=${blockK - j};X=${sites.length - 1};break disp;}`;
  };
  const spillSlot = (slot: string, k: K, v: string, hv: string): string => {
    switch (k) {
      case I: case F: return `S32[(${slot})<<1]=${v};`;
      case L: return `S32[(${slot})<<1]=${v};S32[((${slot})<<1)+1]=${hv};`;
      default: return `S64[${slot}]=${v};`;
    }
  };
  const loadSlot = (slot: string, k: K, v: string, hv: string): string => {
    switch (k) {
      case I: case F: return `${v}=S32[(${slot})<<1];`;
      case L: return `${v}=S32[(${slot})<<1];${hv}=S32[((${slot})<<1)+1];`;
      default: return `${v}=S64[${slot}];`;
    }
  };
  const f32 = (v: string) => `(SI[0]=${v},SF[0])`;
  const b32 = (v: string) => `(SF[0]=${v},SI[0])`;
  const qnan = (e: string) => `(x=${e},x!==x?NaN:x)`;

  // block length (instructions) for each block start
  const blockLen = new Map<number, number>();
  {
    let cur = 0, n = 0;
    for (const pc of starts) {
      if (blockStart.has(pc) && pc !== cur) { blockLen.set(cur, n); cur = pc; n = 0; }
      n++;
    }
    blockLen.set(cur, n);
  }

  const moveTo = (dst: number, src: number, ar: number, kinds: K[]): string => {
    let r = '';
    for (let i = 0; i < ar; i++) {
      if (dst + i === src + i) continue;
      r += `${s(dst + i)}=${s(src + i)};`;
      if (kinds[src + i] === L) r += `${t(dst + i)}=${t(src + i)};`;
    }
    return r;
  };
  const branchState = (target: number, st: K[]) => {
    if (!pending.has(target)) pending.set(target, st.slice());
  };

  for (let si = 0; si < starts.length && !fail; si++) {
    const pc = starts[si];
    const op = code[pc];
    if (blockStart.has(pc)) {
      // fallthrough state or a recorded branch state
      if (stack === null) stack = pending.get(pc)?.slice() ?? null;
      if (stack === null) { // unreachable block
        continue;
      }
      blockK = blockLen.get(pc)!;
      j = 0;
      out.push(`case ${bn(pc)}:`);
      out.push(`if((F-=${blockK})<0){F+=${blockK};X=${sites.length};break disp;}`);
      sites.push({ pc, h: stack.length, kinds: stack.slice(), kind: 'bail' });
      {
        // a block that starts with an instruction translated code always bails at when entered from
        // the interpreter (return, import call, SVC) is left to the interpreter: entering would
        // only charge the block, refund it and hand the same instruction back
        const op0 = code[pc];
        entries[pc] = op0 === OP.RETURN || op0 === OP.CALL_IMPORT || op0 === OP.SVC ? 0 : 1;
        let ld = `case ${pc}:`;
        stack.forEach((k, i) => { ld += loadSlot(`fp+${BASE + i}`, k, s(i), t(i)); });
        entryLoads.push(ld + `B=${bn(pc)};break;`);
      }
    } else if (stack === null) continue;
    const st = stack;
    let h = st.length;
    const top = h - 1;
    const emit = (x: string) => out.push(x);
    const B = () => bail(pc, h, st);

    switch (op) {
      case OP.UNREACHABLE: emit(B()); stack = null; break;
      case OP.JMP: {
        const tg = code[pc + 1];
        branchState(tg, st);
        emit(`B=${bn(tg)};continue disp;`);
        stack = null;
        break;
      }
      case OP.IF_FALSE: case OP.BR_IF_J: {
        const tg = code[pc + 1];
        st.pop(); h--;
        branchState(tg, st);
        emit(`if(${s(h)}${op === OP.IF_FALSE ? '===' : '!=='}0){B=${bn(tg)};continue disp;}`);
        break;
      }
      case OP.BR: case OP.BR_IF: {
        const tg = code[pc + 1], dh = code[pc + 2] - BASE, ar = code[pc + 3];
        let cond = '';
        if (op === OP.BR_IF) { st.pop(); h--; cond = `if(${s(h)}!==0)`; }
        const kinds = st.slice();
        const after = kinds.slice(0, dh).concat(kinds.slice(h - ar, h));
        branchState(tg, after);
        emit(`${cond}{${moveTo(dh, h - ar, ar, kinds)}B=${bn(tg)};continue disp;}`);
        if (op === OP.BR) stack = null;
        break;
      }
      case OP.BR_TABLE: {
        const cnt = code[pc + 1];
        st.pop(); h--;
        const kinds = st.slice();
        let sw = `switch(${s(h)}>>>0){`;
        for (let i = 0; i <= cnt; i++) {
          const e = pc + 2 + 3 * i;
          const tg = code[e], dh = code[e + 1] - BASE, ar = code[e + 2];
          branchState(tg, kinds.slice(0, dh).concat(kinds.slice(h - ar, h)));
          sw += `${i === cnt ? 'default' : `case ${i}`}:${moveTo(dh, h - ar, ar, kinds)}B=${bn(tg)};continue disp;`;
        }
        emit(sw + '}');
        stack = null;
        break;
      }
      case OP.RETURN: {
        // called from translated code: return the results; entered from the interpreter: bail here
        const nres = fn.nresults;
        const rk = st.slice(h - nres);
        let ret = 'C.fuel=F;';
        if (nres === 1) {
          if (rk[0] === L) ret += `C.rhi=${t(h - 1)};`;
          ret += `return ${s(h - 1)};`;
        } else {
          for (let i = 0; i < nres; i++) ret += spillSlot(`fp+${i}`, rk[i], s(h - nres + i), t(h - nres + i));
          ret += 'return 0;';
        }
        // entered from the interpreter: return into the caller's translated code when its frame is
        // loaded and valid (the interpreter's RETURN would load or grow it, or trap 12 on a header it
        // cannot return through) -- results at fp..,
        // depth and minFp as the interpreter keeps them -- else bail at the RETURN
        let res = '';
        for (let i = 0; i < nres; i++) res += spillSlot(`fp+${i}`, rk[i], s(h - nres + i), t(h - nres + i));
        const toCaller = `q=(fp+${nl})<<1;x=S32[q+1];cf=x>=0?FN[x]:undefined;` +
          `if(cf!==undefined&&C.jsd<${JIT_MAX_JS_DEPTH}){e=((S32[q+2]>>>0)+(S32[q+3]>>>0)*4294967296-C.stackBase)/8;v=S32[q];` +
          `if(e>=C.loadedLow&&(e|0)===e&&e+cf.frameSlots<=C.validTop&&e+cf.nlocals+${FRAME_HEADER}<=fp&&fp+${nres}<=e+cf.frameSlots&&(cf.insn[v]&${INSN_RETURN_SITE})!==0&&cf.jit&&cf.jitEntry[v]===1){` +
          `${res}C.depth--;if(e<C.minFp)C.minFp=e;C.fuel=F;C.jsd++;r=cf.jit(e,v);C.jsd--;return r;}}`;
        emit(`if(entry>=0){${toCaller}${B()}}${ret}`);
        stack = null;
        break;
      }
      case OP.CALL: case OP.CALL_INDIRECT: {
        let callee: Func | null = null;
        let np: number, params: ValType[], results: ValType[];
        let fexpr: string;
        let pre = '';
        if (op === OP.CALL) {
          callee = prog.funcs[code[pc + 1]];
          params = callee.type.params; results = callee.type.results; np = params.length;
          fexpr = `FN[${callee.index}]`;
          if (callee.importIndex >= 0) { emit(B()); applySig(st, params.length, results); h = st.length; break; }
        } else {
          const ty = prog.types[code[pc + 1]];
          params = ty.params; results = ty.results; np = params.length;
          // resolve the table entry (user memory: it may name no function); anything unusual goes to the interpreter
          const tb = code[pc + 2];
          st.pop(); h--;
          pre = `x=${s(h)}>>>0;if(x>=TS[${tb}])${bail(pc, h + 1, st.concat([I]))}x=G32[(TB[${tb}]+x)<<1];` +
            `if(x===0)${bail(pc, h + 1, st.concat([I]))}cf=FN[x-1];if(cf===undefined||TC[cf.typeIndex]!==${code[pc + 1]}||cf.importIndex>=0)${bail(pc, h + 1, st.concat([I]))}`;
          fexpr = 'cf';
        }
        const argBase = h - np;
        const cfp = `fp+${BASE + argBase}`;
        const bailH = op === OP.CALL ? h : h + 1;
        const bailKinds = op === OP.CALL ? st.slice() : st.concat([I]);
        const bb = bail(pc, bailH, bailKinds);
        let args = '';
        for (let i = 0; i < np; i++) {
          args += `,${s(argBase + i)}`;
          if (kindOf(params[i]) === L) args += `,${t(argBase + i)}`;
        }
        const susp: Site = { pc, h: argBase, kinds: st.slice(0, argBase), kind: 'susp', calleeNl: `${fexpr}.nlocals`, retPc: pc + opLength(code, pc) };
        sites.push(susp);
        const suspId = sites.length - 1;
        emit(`${pre}cj=${fexpr}.jit;if(!cj||${cfp}+${fexpr}.frameSlots>C.validTop||C.depth>=${MAX_CALL_DEPTH}||C.jsd>=${JIT_MAX_JS_DEPTH})${bb}` +
          `C.depth++;C.jsd++;C.fuel=F;r=cj(${cfp},-1${args});C.jsd--;` +
          `if(C.st!==0){CN=${fexpr}.nlocals;X=${suspId};break disp;}C.depth--;F=C.fuel;`);
        for (let i = 0; i < np; i++) st.pop();
        h = st.length;
        if (results.length === 1) {
          const k = kindOf(results[0]);
          emit(`${s(h)}=r;` + (k === L ? `${t(h)}=C.rhi;` : ''));
          st.push(k);
        } else {
          results.forEach((rt, i) => {
            const k = kindOf(rt);
            emit(loadSlot(`${cfp}+${i}`, k, s(h + i), t(h + i)));
            st.push(k);
          });
        }
        h = st.length;
        break;
      }
      case OP.CALL_IMPORT: case OP.SVC: case OP.REG: {
        const f = prog.funcs[code[pc + 1]];
        if (op === OP.REG && f.type.params.length === 1 && f.type.results.length === 1 && f.type.results[0] === T.I64) {
          // mlk.reg(i): Xi from the register file, as the interpreter reads it; the registers it
          // computes from the live state (PC, SP, FP, MEMPAGES, DEPTH) bail to it
          emit(`x=${s(h - 1)}&31;if(x===8||x===9||x===10||x===14||x===19)${B()}`);
          emit(`${s(h - 1)}=RI[x<<1];${t(h - 1)}=RI[(x<<1)+1];`);
        } else if (op === OP.SVC && svcInline(f)) {
          // mlk.svc raised here, as the interpreter's callSvc does: X7 = nr, X0.. = arguments; the
          // frame (arguments popped) is written to the shadow and the core raises the SVC (st = 2)
          // without interpreting the instruction again. The SVC retires: nothing is refunded.
          const np = f.type.params.length, base = h - np;
          let w = `RI[14]=${s(base)};RI[15]=0;`;
          for (let i = 1; i < np; i++) w += `RI[${2 * (i - 1)}]=${s(base + i)};RI[${2 * (i - 1) + 1}]=${st[base + i] === L ? t(base + i) : '0'};`;
          sites.push({ pc, h: base, kinds: st.slice(0, base), kind: 'bail' });
          emit(`{${w}F+=${blockK - j - 1};ST=2;X=${sites.length - 1};break disp;}`);
        } else emit(B());
        applySig(st, f.type.params.length, f.type.results);
        break;
      }
      case OP.DROP: st.pop(); break;
      case OP.SELECT: case OP.SELECT_I64: case OP.SELECT_F32: case OP.SELECT_F64: {
        const k = st[h - 2];
        emit(`if(${s(h - 1)}===0){${s(h - 3)}=${s(h - 2)};${k === L ? `${t(h - 3)}=${t(h - 2)};` : ''}}`);
        st.pop(); st.pop();
        break;
      }
      case OP.LOCAL_GET: case OP.LOCAL_GET32: {
        const i = code[pc + 1], k = localKinds[i];
        emit(`${s(h)}=l${i};` + (k === L ? `${t(h)}=m${i};` : ''));
        st.push(k);
        break;
      }
      case OP.LOCAL_SET: case OP.LOCAL_SET32: case OP.LOCAL_TEE: case OP.LOCAL_TEE32: {
        const i = code[pc + 1], k = localKinds[i];
        emit(`l${i}=${s(top)};` + (k === L ? `m${i}=${t(top)};` : ''));
        if (op === OP.LOCAL_SET || op === OP.LOCAL_SET32) st.pop();
        break;
      }
      case OP.GLOBAL_GET: {
        const g = code[pc + 1], k = kindOf(prog.globals[g].type);
        if (k === D) emit(`${s(h)}=G64[${g}];`);
        else emit(`${s(h)}=G32[${2 * g}];` + (k === L ? `${t(h)}=G32[${2 * g + 1}];` : ''));
        st.push(k);
        break;
      }
      case OP.GLOBAL_SET: {
        const g = code[pc + 1], k = kindOf(prog.globals[g].type);
        let w = k === D ? `G64[${g}]=${s(top)};` : `G32[${2 * g}]=${s(top)};` + (k === L ? `G32[${2 * g + 1}]=${t(top)};` : '');
        emit(`if(!C.gWritable)${B()}${w}C.gDirty=true;`);
        st.pop();
        break;
      }
      case OP.TABLE_GET: {
        const tb = code[pc + 1];
        emit(`x=${s(top)}>>>0;if(x>=TS[${tb}])${B()}${s(top)}=G32[(TB[${tb}]+x)<<1];`);
        break;
      }
      case OP.TABLE_SIZE: emit(`${s(h)}=TS[${code[pc + 1]}];`); st.push(I); break;
      case OP.MEMORY_GROW: emit(`${s(top)}=C.jitGrow(${s(top)});MB=C.memBytes;`); break;
      case OP.MEMORY_COPY: case OP.MEMORY_FILL:
        emit(`if(!C.jitBulk(${op},${s(h - 3)},${s(h - 2)},${s(h - 1)}))${B()}`);
        st.pop(); st.pop(); st.pop();
        break;
      case OP.TABLE_SET: case OP.MEMORY_INIT: case OP.DATA_DROP: {
        emit(B());
        if (op === OP.TABLE_SET) { st.pop(); st.pop(); }
        else if (op !== OP.DATA_DROP) { st.pop(); st.pop(); st.pop(); }
        break;
      }
      case OP.MEMORY_SIZE: emit(`${s(h)}=C.memBytes/65536;`); st.push(I); break;
      case OP.CONST32: case OP.CONST_F32: emit(`${s(h)}=${code[pc + 1]};`); st.push(op === OP.CONST32 ? I : F); break;
      case OP.CONST64: emit(`${s(h)}=${code[pc + 1]};${t(h)}=${code[pc + 2]};`); st.push(L); break;
      case OP.CONST_F64: {
        const buf = new DataView(new ArrayBuffer(8));
        buf.setInt32(0, code[pc + 1], true); buf.setInt32(4, code[pc + 2], true);
        const v = buf.getFloat64(0, true);
        if (v !== v) emit(`SI[0]=${code[pc + 1]};SI[1]=${code[pc + 2]};${s(h)}=SD[0];`);
        else emit(`${s(h)}=${Object.is(v, -0) ? '-0' : String(v)};`);
        st.push(D);
        break;
      }
      default: {
        if (op >= 0x28 && op <= 0x3e) { emit(memOp(op, code[pc + 1] >>> 0, st, B)); break; }
        const sig = op >= OP.TRUNC_SAT && op < OP.TRUNC_SAT + 8 ? SATSIG[op - OP.TRUNC_SAT] : SIG.get(op);
        if (!sig) { fail = `op ${op}`; break; }
        const c = numeric(op, st, B);
        if (c === null) { fail = `numeric op 0x${op.toString(16)}`; break; }
        emit(c);
        for (let i = 0; i < sig[0].length; i++) st.pop();
        st.push(CHK[sig[1]]);
      }
    }
    if (stack) maxH = Math.max(maxH, stack.length + 1);
    j++;
  }
  if (fail) return null;
  fn.jitEntry = entries;

  // ---- assemble
  const decl: string[] = ['x=0', 'e=0', 'v=0', 'q=0', 'r=0', 'B=0', 'X=0', 'CN=0', 'ST=1', 'cj=null', 'cf=null'];
  for (let i = 0; i < nl; i++) { decl.push(`l${i}=0`); if (localKinds[i] === L) decl.push(`m${i}=0`); }
  for (let k = 0; k < maxH + 2; k++) decl.push(`s${k}=0`, `t${k}=0`);
  const params: string[] = [];
  for (let i = 0; i < fn.nparams; i++) { params.push(`a${i}`); if (localKinds[i] === L) params.push(`b${i}`); }
  let prologue = 'let F=C.fuel,MB=C.memBytes;';
  prologue += 'if(entry<0){' + fn.type.params.map((_, i) => `l${i}=a${i};` + (localKinds[i] === L ? `m${i}=b${i};` : '')).join('') + 'B=0;}';
  prologue += 'else{' + localKinds.map((k, i) => loadSlot(`fp+${i}`, k, `l${i}`, `m${i}`)).join('') +
    `switch(entry){${entryLoads.join('')}default:throw new Error('jit: bad entry '+entry);}}`;
  let spill = 'if(X<0)throw new Error("jit: fell out");';
  // suspended in a call: my operand stack below the arguments and the callee's frame header
  let susp = 'switch(X){';
  let bails = 'switch(X){';
  sites.forEach((site, id) => {
    let ops = '';
    site.kinds.forEach((k, i) => { ops += spillSlot(`fp+${BASE + i}`, k, s(i), t(i)); });
    if (site.kind === 'susp') {
      const hd = `(fp+${BASE + site.h}+CN)<<1`;
      susp += `case ${id}:${ops}q=${hd};S32[q]=${site.retPc};S32[q+1]=${fn.index};v=C.stackBase+fp*8;S32[q+2]=v|0;S32[q+3]=(v/4294967296)|0;break;`;
    } else {
      bails += `case ${id}:${ops}C.pc=${site.pc};C.sp=fp+${BASE + site.h};break;`;
    }
  });
  susp += '}';
  bails += '}';
  const spillLocals = localKinds.map((k, i) => spillSlot(`fp+${i}`, k, `l${i}`, `m${i}`)).join('');
  const anySusp = sites.some((x) => x.kind === 'susp');
  spill += (anySusp ? `if(${sites.map((x, i) => (x.kind === 'susp' ? i : -1)).filter((i) => i >= 0).map((i) => `X===${i}`).join('||')}){${susp}${spillLocals}return 0;}` : '');
  spill += `${bails}${spillLocals}C.fn=FN[${fn.index}];C.fp=fp;C.fuel=F;C.st=ST;` +
    (JIT_STATS ? `E.bails.set('f${fn.index}@'+C.pc+' op'+FN[${fn.index}].code[C.pc],(E.bails.get('f${fn.index}@'+C.pc+' op'+FN[${fn.index}].code[C.pc])||0)+1);` : '') + 'return 0;';

  const body = [
    `"use strict";`,
    `const S32=E.S32,S64=E.S64,G32=E.G32,G64=E.G64,DV=E.DV,M8=E.M8,RT=E.RT,RO=E.RO,WT=E.WT,WO=E.WO,RI=E.RI,TB=E.tableBase,TS=E.tableSize,TC=E.typeCanon,N=E.N;`,
    `const SB=new ArrayBuffer(8),SI=new Int32Array(SB),SF=new Float32Array(SB),SD=new Float64Array(SB);`,
    `return function f${fn.index}(fp,entry${params.map((p) => ',' + p).join('')}){`,
    `let ${decl.join(',')};`,
    prologue,
    'disp:for(;;){switch(B){',
    out.join('\n'),
    'default:throw new Error("jit: bad block "+B);}}',
    spill,
    '};',
  ].join('\n');
  return body;

  function applySig(st2: K[], npop: number, results: ValType[]) {
    for (let i = 0; i < npop; i++) st2.pop();
    for (const rt of results) st2.push(kindOf(rt));
  }

  function memOp(op: number, off: number, st2: K[], B: () => string): string {
    const [vt] = MEMOP[op - 0x28];
    const load = op <= 0x35;
    const size = [4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4, 4, 8, 4, 8, 1, 2, 1, 2, 4][op - 0x28];
    const h2 = st2.length;
    const a = load ? h2 - 1 : h2 - 2;
    const tlbT = load ? 'RT' : 'WT', tlbO = load ? 'RO' : 'WO';
    let c = `e=(${s(a)}>>>0)+${off};if(e>MB-${size})${B()}v=e>>>12;x=v&1023;`;
    if (size > 1) c += `if((e&4095)>${4096 - size})${B()}`;
    c += `if(${tlbT}[x]!==v&&!C.jitXlate(e,${load ? 'false' : 'true'}))${B()}`;
    c += `e=${tlbO}[x]+(e&4095);`;
    if (load) {
      const d = s(a), dh = t(a);
      switch (op) {
        case 0x28: case 0x2a: c += `${d}=DV.getInt32(e,true);`; break;
        case 0x29: c += `${d}=DV.getInt32(e,true);${dh}=DV.getInt32(e+4,true);`; break;
        case 0x2b: c += `${d}=DV.getFloat64(e,true);`; break;
        case 0x2c: c += `${d}=(M8[e]<<24)>>24;`; break;
        case 0x2d: c += `${d}=M8[e];`; break;
        case 0x2e: c += `${d}=DV.getInt16(e,true);`; break;
        case 0x2f: c += `${d}=DV.getUint16(e,true);`; break;
        case 0x30: c += `${d}=(M8[e]<<24)>>24;${dh}=${d}>>31;`; break;
        case 0x31: c += `${d}=M8[e];${dh}=0;`; break;
        case 0x32: c += `${d}=DV.getInt16(e,true);${dh}=${d}>>31;`; break;
        case 0x33: c += `${d}=DV.getUint16(e,true);${dh}=0;`; break;
        case 0x34: c += `${d}=DV.getInt32(e,true);${dh}=${d}>>31;`; break;
        case 0x35: c += `${d}=DV.getInt32(e,true);${dh}=0;`; break;
      }
      st2.pop();
      st2.push(kindOf(vt));
    } else {
      const v2 = s(h2 - 1), vh = t(h2 - 1);
      switch (op) {
        case 0x36: case 0x38: case 0x3e: c += `DV.setInt32(e,${v2},true);`; break;
        case 0x37: c += `DV.setInt32(e,${v2},true);DV.setInt32(e+4,${vh},true);`; break;
        case 0x39: c += `DV.setFloat64(e,${v2},true);`; break;
        case 0x3a: case 0x3c: c += `M8[e]=${v2};`; break;
        case 0x3b: case 0x3d: c += `DV.setInt16(e,${v2},true);`; break;
      }
      st2.pop(); st2.pop();
    }
    return c;
  }

  /** JS for a numeric instruction on the top of the abstract stack; null if unsupported */
  function numeric(op: number, st2: K[], B: () => string): string | null {
    const h2 = st2.length;
    const a = s(h2 - 2), b = s(h2 - 1), ah = t(h2 - 2), bh = t(h2 - 1);
    const u = s(h2 - 1), uh = t(h2 - 1);
    const bin = (e: string) => `${a}=${e};`;
    const cmp = (e: string) => `${a}=(${e})?1:0;`;
    switch (op) {
      case 0x45: return `${u}=${u}===0?1:0;`;
      case 0x46: return cmp(`${a}===${b}`);
      case 0x47: return cmp(`${a}!==${b}`);
      case 0x48: return cmp(`${a}<${b}`);
      case 0x49: return cmp(`(${a}>>>0)<(${b}>>>0)`);
      case 0x4a: return cmp(`${a}>${b}`);
      case 0x4b: return cmp(`(${a}>>>0)>(${b}>>>0)`);
      case 0x4c: return cmp(`${a}<=${b}`);
      case 0x4d: return cmp(`(${a}>>>0)<=(${b}>>>0)`);
      case 0x4e: return cmp(`${a}>=${b}`);
      case 0x4f: return cmp(`(${a}>>>0)>=(${b}>>>0)`);
      case 0x50: return `${u}=(${u}|${uh})===0?1:0;`;
      case 0x51: return cmp(`${a}===${b}&&${ah}===${bh}`);
      case 0x52: return cmp(`${a}!==${b}||${ah}!==${bh}`);
      case 0x53: return cmp(`${ah}<${bh}||(${ah}===${bh}&&(${a}>>>0)<(${b}>>>0))`);
      case 0x54: return cmp(`(${ah}>>>0)<(${bh}>>>0)||(${ah}===${bh}&&(${a}>>>0)<(${b}>>>0))`);
      case 0x55: return cmp(`${ah}>${bh}||(${ah}===${bh}&&(${a}>>>0)>(${b}>>>0))`);
      case 0x56: return cmp(`(${ah}>>>0)>(${bh}>>>0)||(${ah}===${bh}&&(${a}>>>0)>(${b}>>>0))`);
      case 0x57: return cmp(`${ah}<${bh}||(${ah}===${bh}&&(${a}>>>0)<=(${b}>>>0))`);
      case 0x58: return cmp(`(${ah}>>>0)<(${bh}>>>0)||(${ah}===${bh}&&(${a}>>>0)<=(${b}>>>0))`);
      case 0x59: return cmp(`${ah}>${bh}||(${ah}===${bh}&&(${a}>>>0)>=(${b}>>>0))`);
      case 0x5a: return cmp(`(${ah}>>>0)>(${bh}>>>0)||(${ah}===${bh}&&(${a}>>>0)>=(${b}>>>0))`);
      case 0x5b: return cmp(`${f32(a)}===${f32(b)}`);
      case 0x5c: return cmp(`${f32(a)}!==${f32(b)}`);
      case 0x5d: return cmp(`${f32(a)}<${f32(b)}`);
      case 0x5e: return cmp(`${f32(a)}>${f32(b)}`);
      case 0x5f: return cmp(`${f32(a)}<=${f32(b)}`);
      case 0x60: return cmp(`${f32(a)}>=${f32(b)}`);
      case 0x61: return cmp(`${a}===${b}`);
      case 0x62: return cmp(`${a}!==${b}`);
      case 0x63: return cmp(`${a}<${b}`);
      case 0x64: return cmp(`${a}>${b}`);
      case 0x65: return cmp(`${a}<=${b}`);
      case 0x66: return cmp(`${a}>=${b}`);
      case 0x67: return `${u}=Math.clz32(${u});`;
      case 0x68: return `${u}=N.ctz32(${u});`;
      case 0x69: return `${u}=N.popcnt32(${u});`;
      case 0x6a: return bin(`(${a}+${b})|0`);
      case 0x6b: return bin(`(${a}-${b})|0`);
      case 0x6c: return bin(`Math.imul(${a},${b})`);
      case 0x6d: return `if(${b}===0||(${b}===-1&&${a}===-2147483648))${B()}${a}=(${a}/${b})|0;`;
      case 0x6e: return `if(${b}===0)${B()}${a}=((${a}>>>0)/(${b}>>>0))|0;`;
      case 0x6f: return `if(${b}===0)${B()}${a}=${b}===-1?0:(${a}%${b})|0;`;
      case 0x70: return `if(${b}===0)${B()}${a}=((${a}>>>0)%(${b}>>>0))|0;`;
      case 0x71: return bin(`${a}&${b}`);
      case 0x72: return bin(`${a}|${b}`);
      case 0x73: return bin(`${a}^${b}`);
      case 0x74: return bin(`${a}<<${b}`);
      case 0x75: return bin(`${a}>>${b}`);
      case 0x76: return bin(`(${a}>>>${b})|0`);
      case 0x77: return `x=${b}&31;${a}=(${a}<<x)|(${a}>>>((32-x)&31));`;
      case 0x78: return `x=${b}&31;${a}=(${a}>>>x)|(${a}<<((32-x)&31));`;
      case 0x79: return `${u}=N.clz64(${u},${uh});${uh}=0;`;
      case 0x7a: return `${u}=N.ctz64(${u},${uh});${uh}=0;`;
      case 0x7b: return `${u}=N.popcnt32(${u})+N.popcnt32(${uh});${uh}=0;`;
      case 0x7c: return `x=(${a}+${b})|0;${ah}=(${ah}+${bh}+((x>>>0)<(${a}>>>0)?1:0))|0;${a}=x;`;
      case 0x7d: return `x=(${a}-${b})|0;${ah}=(${ah}-${bh}-((${a}>>>0)<(${b}>>>0)?1:0))|0;${a}=x;`;
      case 0x7e: return `${a}=N.mul64(${a},${ah},${b},${bh});${ah}=N.r.hi;`;
      case 0x7f: return `if((${b}|${bh})===0||(${a}===0&&${ah}===-2147483648&&${b}===-1&&${bh}===-1))${B()}${a}=N.divS64(${a},${ah},${b},${bh});${ah}=N.r.hi;`;
      case 0x80: return `if((${b}|${bh})===0)${B()}${a}=N.divU64(${a},${ah},${b},${bh});${ah}=N.r.hi;`;
      case 0x81: return `if((${b}|${bh})===0)${B()}if(${b}===-1&&${bh}===-1){${a}=0;${ah}=0;}else{${a}=N.remS64(${a},${ah},${b},${bh});${ah}=N.r.hi;}`;
      case 0x82: return `if((${b}|${bh})===0)${B()}${a}=N.remU64(${a},${ah},${b},${bh});${ah}=N.r.hi;`;
      case 0x83: return `${a}&=${b};${ah}&=${bh};`;
      case 0x84: return `${a}|=${b};${ah}|=${bh};`;
      case 0x85: return `${a}^=${b};${ah}^=${bh};`;
      case 0x86: return `${a}=N.shl64(${a},${ah},${b});${ah}=N.r.hi;`;
      case 0x87: return `${a}=N.shrS64(${a},${ah},${b});${ah}=N.r.hi;`;
      case 0x88: return `${a}=N.shrU64(${a},${ah},${b});${ah}=N.r.hi;`;
      case 0x89: return `${a}=N.rotl64(${a},${ah},${b});${ah}=N.r.hi;`;
      case 0x8a: return `${a}=N.rotr64(${a},${ah},${b});${ah}=N.r.hi;`;
      case 0x8b: return `${u}&=0x7fffffff;`;
      case 0x8c: return `${u}^=-2147483648;`;
      case 0x8d: return `${u}=${b32(qnan(`Math.ceil(${f32(u)})`))};`;
      case 0x8e: return `${u}=${b32(qnan(`Math.floor(${f32(u)})`))};`;
      case 0x8f: return `${u}=${b32(qnan(`Math.trunc(${f32(u)})`))};`;
      case 0x90: return `${u}=${b32(qnan(`N.nearest(${f32(u)})`))};`;
      case 0x91: return `${u}=${b32(`Math.sqrt(${f32(u)})`)};`;
      case 0x92: return `x=${f32(a)};${a}=${b32(`x+${f32(b)}`)};`;
      case 0x93: return `x=${f32(a)};${a}=${b32(`x-${f32(b)}`)};`;
      case 0x94: return `x=${f32(a)};${a}=${b32(`x*${f32(b)}`)};`;
      case 0x95: return `x=${f32(a)};${a}=${b32(`x/${f32(b)}`)};`;
      case 0x96: return `x=${f32(a)};q=${f32(b)};${a}=${b32('(x!==x||q!==q)?NaN:Math.min(x,q)')};`;
      case 0x97: return `x=${f32(a)};q=${f32(b)};${a}=${b32('(x!==x||q!==q)?NaN:Math.max(x,q)')};`;
      case 0x98: return bin(`(${a}&0x7fffffff)|(${b}&-2147483648)`);
      case 0x99: return `SD[0]=${u};SI[1]&=0x7fffffff;${u}=SD[0];`;
      case 0x9a: return `SD[0]=${u};SI[1]^=-2147483648;${u}=SD[0];`;
      case 0x9b: return `${u}=${qnan(`Math.ceil(${u})`)};`;
      case 0x9c: return `${u}=${qnan(`Math.floor(${u})`)};`;
      case 0x9d: return `${u}=${qnan(`Math.trunc(${u})`)};`;
      case 0x9e: return `${u}=${qnan(`N.nearest(${u})`)};`;
      case 0x9f: return `${u}=${qnan(`Math.sqrt(${u})`)};`;
      case 0xa0: return bin(`${a}+${b}`);
      case 0xa1: return bin(`${a}-${b}`);
      case 0xa2: return bin(`${a}*${b}`);
      case 0xa3: return bin(`${a}/${b}`);
      case 0xa4: return bin(`(${a}!==${a}||${b}!==${b})?NaN:Math.min(${a},${b})`);
      case 0xa5: return bin(`(${a}!==${a}||${b}!==${b})?NaN:Math.max(${a},${b})`);
      case 0xa6: return `SD[0]=${a};x=SI[1];SD[0]=${b};q=SI[1];SD[0]=${a};SI[1]=(x&0x7fffffff)|(q&-2147483648);${a}=SD[0];`;
      case 0xa7: return '';
      case 0xa8: case 0xa9: case 0xaa: case 0xab: case 0xae: case 0xaf: case 0xb0: case 0xb1: {
        const src = op === 0xa8 || op === 0xa9 || op === 0xae || op === 0xaf ? f32(u) : u;
        const range = op === 0xa8 || op === 0xaa ? 'x>-2147483649&&x<2147483648'
          : op === 0xa9 || op === 0xab ? 'x>-1&&x<4294967296'
            : op === 0xae || op === 0xb0 ? 'x>=-9223372036854775808&&x<9223372036854775808' : 'x>-1&&x<18446744073709551616';
        return `x=${src};if(!(${range}))${B()}` + (op <= 0xab ? `${u}=Math.trunc(x)|0;` : `${u}=N.splitI64(Math.trunc(x));${uh}=N.r.hi;`);
      }
      case 0xac: return `${uh}=${u}>>31;`;
      case 0xad: return `${uh}=0;`;
      case 0xb2: return `${u}=${b32(u)};`;
      case 0xb3: return `${u}=${b32(`(${u}>>>0)`)};`;
      case 0xb4: return `${u}=${b32(`N.s64ToF32(${u},${uh})`)};`;
      case 0xb5: return `${u}=${b32(`N.u64ToF32(${u},${uh})`)};`;
      case 0xb6: return `${u}=${b32(u)};`;
      case 0xb7: return `${u}=${u}+0;`;
      case 0xb8: return `${u}=(${u}>>>0)+0;`;
      case 0xb9: return `${u}=${uh}*4294967296+(${u}>>>0);`;
      case 0xba: return `${u}=(${uh}>>>0)*4294967296+(${u}>>>0);`;
      case 0xbb: return `${u}=${f32(u)};`;
      case 0xbc: case 0xbe: return '';
      case 0xbd: return `SD[0]=${u};${u}=SI[0];${uh}=SI[1];`;
      case 0xbf: return `SI[0]=${u};SI[1]=${uh};${u}=SD[0];`;
      case 0xc0: return `${u}=(${u}<<24)>>24;`;
      case 0xc1: return `${u}=(${u}<<16)>>16;`;
      case 0xc2: return `${u}=(${u}<<24)>>24;${uh}=${u}>>31;`;
      case 0xc3: return `${u}=(${u}<<16)>>16;${uh}=${u}>>31;`;
      case 0xc4: return `${uh}=${u}>>31;`;
      default: break;
    }
    if (op >= OP.TRUNC_SAT && op < OP.TRUNC_SAT + 8) {
      const k = op - OP.TRUNC_SAT;
      const src = k === 0 || k === 1 || k === 4 || k === 5 ? f32(u) : u;
      switch (k) {
        case 0: case 2: return `x=${src};${u}=x!==x?0:x<=-2147483648?-2147483648:x>=2147483647?2147483647:Math.trunc(x)|0;`;
        case 1: case 3: return `x=${src};${u}=x!==x||x<=0?0:x>=4294967295?-1:Math.trunc(x)|0;`;
        case 4: case 6: return `x=${src};if(x!==x){${u}=0;${uh}=0;}else if(x<-9223372036854775808){${u}=0;${uh}=-2147483648;}else if(x>=9223372036854775808){${u}=-1;${uh}=0x7fffffff;}else{${u}=N.splitI64(Math.trunc(x));${uh}=N.r.hi;}`;
        default: return `x=${src};if(x!==x||x<=-1){${u}=0;${uh}=0;}else if(x>=18446744073709551616){${u}=-1;${uh}=-1;}else{${u}=N.splitI64(Math.trunc(x));${uh}=N.r.hi;}`;
      }
    }
    return null;
  }
}
