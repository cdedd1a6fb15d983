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
import { BY_INTERNAL, sigParts } from './opcodes';
import { JIT_SCRATCH, jitMemAccess, jitNumeric } from './opgen';
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
/** the translator's value kind of an opcode-table signature letter (F: f32 bits, D: f64 value) */
const CHK: Record<string, K> = { i: I, l: L, f: F, F: F, d: D, D: D };

const isTerminator = (op: number) => op === OP.JMP || op === OP.BR || op === OP.BR_TABLE || op === OP.RETURN || op === OP.UNREACHABLE;
const isCall = (op: number) => op === OP.CALL || op === OP.CALL_INDIRECT || op === OP.CALL_IMPORT || op === OP.SVC || op === OP.REG;
const isBlockEnd = (op: number) => isTerminator(op) || op === OP.IF_FALSE || op === OP.BR_IF || op === OP.BR_IF_J || isCall(op);

/**
 * An exit of translated code: a bail at `pc` (operand stack height h, `refund` instructions of its
 * block not executed) or a suspension in the call at `pc` (`retPc` set; `calleeNl` the callee's
 * nlocals, -1 for call_indirect: read from cf). The exit code itself is one shared path driven by
 * per-function tables of these (see assemble), so that V8 has run it before any site needs it.
 */
interface Site { pc: number; h: number; kinds: K[]; refund: number; retPc: number; calleeNl: number }

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
  if (fn.brk) return null; // a function with an armed breakpoint stays interpreted (debug.ts)
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
  return new Translator(prog, fn).translate();
}

const s = (k: number) => `s${k}`;
const t = (k: number) => `t${k}`;
const SLOTS = { s, t };

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
/** the moves of a branch's `ar` results from operand slots src.. to dst.. */
const moveTo = (dst: number, src: number, ar: number, kinds: K[]): string => {
  let r = '';
  for (let i = 0; i < ar; i++) {
    if (dst + i === src + i) continue;
    r += `${s(dst + i)}=${s(src + i)};`;
    if (kinds[src + i] === L) r += `${t(dst + i)}=${t(src + i)};`;
  }
  return r;
};
const applySig = (st: K[], npop: number, results: ValType[]): void => {
  for (let i = 0; i < npop; i++) st.pop();
  for (const rt of results) st.push(kindOf(rt));
};
/** the address checks of a load or store: bounds, page crossing, TLB (a miss is filled by jitXlate); leaves the RAM offset in e */
function memOp(size: number, sig: string, off: number, st: K[], B: () => string): string {
  const load = sigParts(sig)[1] !== '';
  const a = load ? st.length - 1 : st.length - 2;
  const tlbT = load ? 'RT' : 'WT', tlbO = load ? 'RO' : 'WO';
  let c = `e=(${s(a)}>>>0)+${off};if(e>MB-${size})${B()}v=e>>>12;x=v&1023;`;
  if (size > 1) c += `if((e&4095)>${4096 - size})${B()}`;
  c += `if(${tlbT}[x]!==v&&!C.jitXlate(e,${load ? 'false' : 'true'}))${B()}`;
  return c + `e=${tlbO}[x]+(e&4095);`;
}

/** Pass 1: instruction starts, block starts (branch targets, the instruction after a block end), block lengths. */
function scanBlocks(code: Int32Array): { starts: number[]; blockStart: Set<number>; blockNo: Map<number, number>; blockLen: Map<number, number> } {
  const starts: number[] = [];
  const blockStart = new Set<number>([0]);
  for (let pc = 0; pc < code.length; pc += opLength(code, pc)) {
    starts.push(pc);
    const op = code[pc];
    const next = pc + opLength(code, pc);
    if (op === OP.JMP || op === OP.IF_FALSE || op === OP.BR_IF_J || op === OP.BR || op === OP.BR_IF) blockStart.add(code[pc + 1]);
    if (op === OP.BR_TABLE) for (let i = 0; i <= code[pc + 1]; i++) blockStart.add(code[pc + 2 + 3 * i]);
    if (isBlockEnd(op) && next < code.length) blockStart.add(next);
  }
  // dense block numbers (the dispatch switch compiles to a jump table)
  const blockNo = new Map<number, number>();
  [...blockStart].sort((x, y) => x - y).forEach((pc, i) => blockNo.set(pc, i));
  const blockLen = new Map<number, number>();
  let cur = 0, n = 0;
  for (const pc of starts) {
    if (blockStart.has(pc) && pc !== cur) { blockLen.set(cur, n); cur = pc; n = 0; }
    n++;
  }
  blockLen.set(cur, n);
  return { starts, blockStart, blockNo, blockLen };
}

/** Pass 2 of one function: abstract interpretation of the operand stack's kinds and code generation. */
class Translator {
  private readonly code: Int32Array;
  private readonly nl: number;
  private readonly BASE: number;
  private readonly localKinds: K[];
  private readonly blocks: ReturnType<typeof scanBlocks>;
  /** pcs where the interpreter may enter: every reachable block start */
  private readonly entries: Uint8Array;
  private readonly out: string[] = [];
  private readonly sites: Site[] = [];
  private readonly entryLoads: string[] = [];
  /** operand stack kinds at branch targets not reached yet */
  private readonly pending = new Map<number, K[]>();
  /** kinds on the operand stack now; null after an unconditional branch */
  private stack: K[] | null = [];
  private maxH = 0;
  /** instructions in the current block, and the index of the current instruction in it */
  private blockK = 0;
  private j = 0;
  private fail: string | null = null;

  constructor(private readonly prog: Program, private readonly fn: Func) {
    this.code = fn.code;
    this.nl = fn.nlocals;
    this.BASE = this.nl + FRAME_HEADER;
    this.localKinds = fn.localTypes.map(kindOf);
    this.blocks = scanBlocks(this.code);
    this.entries = new Uint8Array(this.code.length);
  }

  translate(): string | null {
    const { starts, blockStart } = this.blocks;
    for (let si = 0; si < starts.length && !this.fail; si++) {
      const pc = starts[si];
      if (blockStart.has(pc)) {
        // fallthrough state or a recorded branch state
        if (this.stack === null) this.stack = this.pending.get(pc)?.slice() ?? null;
        if (this.stack === null) continue; // unreachable block
        this.startBlock(pc, this.stack);
      } else if (this.stack === null) continue;
      this.instruction(pc, this.code[pc], this.stack);
      if (this.stack) this.maxH = Math.max(this.maxH, this.stack.length + 1);
      this.j++;
    }
    if (this.fail) return null;
    this.fn.jitEntry = this.entries;
    return this.assemble();
  }

  private bn(pc: number): number { return this.blocks.blockNo.get(pc)!; }
  private emit(x: string): void { this.out.push(x); }
  private addSite(pc: number, h: number, kinds: K[], refund: number, retPc = -1, calleeNl = -1): number {
    return this.sites.push({ pc, h, kinds: kinds.slice(0, h), refund, retPc, calleeNl }) - 1;
  }
  /** leave to the interpreter at pc with h operand slots, refunding the rest of the block */
  private bail(pc: number, h: number, kinds: K[]): string { return `{X=${this.addSite(pc, h, kinds, this.blockK - this.j)};break disp;}`; }
  private branchState(target: number, st: K[]): void {
    if (!this.pending.has(target)) this.pending.set(target, st.slice());
  }

  /** a block: its fuel charge, and its entry from the interpreter (operand stack loaded from the shadow) */
  private startBlock(pc: number, stack: K[]): void {
    this.blockK = this.blocks.blockLen.get(pc)!;
    this.j = 0;
    this.emit(`case ${this.bn(pc)}:`);
    this.emit(`if((F-=${this.blockK})<0){X=${this.addSite(pc, stack.length, stack, this.blockK)};break disp;}`);
    // a block that starts with an instruction translated code always bails at when entered from
    // the interpreter (return, import call, SVC) is left to the interpreter: entering would
    // only charge the block, refund it and hand the same instruction back
    const op0 = this.code[pc];
    this.entries[pc] = op0 === OP.RETURN || op0 === OP.CALL_IMPORT || op0 === OP.SVC ? 0 : 1;
    let ld = `case ${pc}:`;
    stack.forEach((k, i) => { ld += loadSlot(`fp+${this.BASE + i}`, k, s(i), t(i)); });
    this.entryLoads.push(ld + `B=${this.bn(pc)};break;`);
  }

  private instruction(pc: number, op: number, st: K[]): void {
    const code = this.code;
    const h = st.length;
    switch (op) {
      case OP.UNREACHABLE: this.emit(this.bail(pc, h, st)); this.stack = null; break;
      case OP.JMP: case OP.IF_FALSE: case OP.BR_IF_J: case OP.BR: case OP.BR_IF: case OP.BR_TABLE: this.branch(pc, op, st); break;
      case OP.RETURN: this.ret(pc, st); break;
      case OP.CALL: case OP.CALL_INDIRECT: this.call(pc, op, st); break;
      case OP.CALL_IMPORT: case OP.SVC: case OP.REG: this.callOut(pc, op, st); break;
      case OP.DROP: st.pop(); break;
      case OP.SELECT: case OP.SELECT_I64: case OP.SELECT_F32: case OP.SELECT_F64: {
        const k = st[h - 2];
        this.emit(`if(${s(h - 1)}===0){${s(h - 3)}=${s(h - 2)};${k === L ? `${t(h - 3)}=${t(h - 2)};` : ''}}`);
        st.pop(); st.pop();
        break;
      }
      case OP.LOCAL_GET: case OP.LOCAL_GET32: {
        const i = code[pc + 1], k = this.localKinds[i];
        this.emit(`${s(h)}=l${i};` + (k === L ? `${t(h)}=m${i};` : ''));
        st.push(k);
        break;
      }
      case OP.LOCAL_SET: case OP.LOCAL_SET32: case OP.LOCAL_TEE: case OP.LOCAL_TEE32: {
        const i = code[pc + 1], k = this.localKinds[i];
        this.emit(`l${i}=${s(h - 1)};` + (k === L ? `m${i}=${t(h - 1)};` : ''));
        if (op === OP.LOCAL_SET || op === OP.LOCAL_SET32) st.pop();
        break;
      }
      case OP.CONST32: case OP.CONST_F32: this.emit(`${s(h)}=${code[pc + 1]};`); st.push(op === OP.CONST32 ? I : F); break;
      case OP.CONST64: this.emit(`${s(h)}=${code[pc + 1]};${t(h)}=${code[pc + 2]};`); st.push(L); break;
      case OP.CONST_F64: {
        const buf = new DataView(new ArrayBuffer(8));
        buf.setInt32(0, code[pc + 1], true); buf.setInt32(4, code[pc + 2], true);
        const v = buf.getFloat64(0, true);
        if (v !== v) this.emit(`SI[0]=${code[pc + 1]};SI[1]=${code[pc + 2]};${s(h)}=SD[0];`);
        else this.emit(`${s(h)}=${Object.is(v, -0) ? '-0' : String(v)};`);
        st.push(D);
        break;
      }
      default: {
        if (this.access(pc, op, st)) break;
        const d = BY_INTERNAL.get(op);
        if (!d) { this.fail = `op ${op}`; break; }
        const B = () => this.bail(pc, h, st);
        this.emit(d.mem ? memOp(d.mem.size, d.sig!, code[pc + 1] >>> 0, st, B) + jitMemAccess(d, h, SLOTS) : jitNumeric(d, h, SLOTS, B));
        const [p, q] = sigParts(d.sig!);
        for (let i = 0; i < p.length; i++) st.pop();
        if (q) st.push(CHK[q]);
      }
    }
  }

  private branch(pc: number, op: number, st: K[]): void {
    const code = this.code;
    let h = st.length;
    switch (op) {
      case OP.JMP: {
        const tg = code[pc + 1];
        this.branchState(tg, st);
        this.emit(`B=${this.bn(tg)};continue disp;`);
        this.stack = null;
        break;
      }
      case OP.IF_FALSE: case OP.BR_IF_J: {
        const tg = code[pc + 1];
        st.pop(); h--;
        this.branchState(tg, st);
        this.emit(`if(${s(h)}${op === OP.IF_FALSE ? '===' : '!=='}0){B=${this.bn(tg)};continue disp;}`);
        break;
      }
      case OP.BR: case OP.BR_IF: {
        const tg = code[pc + 1], dh = code[pc + 2] - this.BASE, ar = code[pc + 3];
        let cond = '';
        if (op === OP.BR_IF) { st.pop(); h--; cond = `if(${s(h)}!==0)`; }
        const kinds = st.slice();
        this.branchState(tg, kinds.slice(0, dh).concat(kinds.slice(h - ar, h)));
        this.emit(`${cond}{${moveTo(dh, h - ar, ar, kinds)}B=${this.bn(tg)};continue disp;}`);
        if (op === OP.BR) this.stack = null;
        break;
      }
      default: { // BR_TABLE
        const cnt = code[pc + 1];
        st.pop(); h--;
        const kinds = st.slice();
        let sw = `switch(${s(h)}>>>0){`;
        for (let i = 0; i <= cnt; i++) {
          const e = pc + 2 + 3 * i;
          const tg = code[e], dh = code[e + 1] - this.BASE, ar = code[e + 2];
          this.branchState(tg, kinds.slice(0, dh).concat(kinds.slice(h - ar, h)));
          sw += `${i === cnt ? 'default' : `case ${i}`}:${moveTo(dh, h - ar, ar, kinds)}B=${this.bn(tg)};continue disp;`;
        }
        this.emit(sw + '}');
        this.stack = null;
      }
    }
  }

  private ret(pc: number, st: K[]): void {
    // called from translated code: return the results; entered from the interpreter: bail here
    const h = st.length, nres = this.fn.nresults, nl = this.nl;
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
    // cannot return through) -- results at fp.., depth and minFp as the interpreter keeps them --
    // else bail at the RETURN
    let res = '';
    for (let i = 0; i < nres; i++) res += spillSlot(`fp+${i}`, rk[i], s(h - nres + i), t(h - nres + i));
    const toCaller = `q=(fp+${nl})<<1;x=S32[q+1];cf=x>=0?FN[x]:undefined;` +
      `if(cf!==undefined&&C.jsd<${JIT_MAX_JS_DEPTH}){e=((S32[q+2]>>>0)+(S32[q+3]>>>0)*4294967296-C.stackBase)/8;v=S32[q];` +
      `if(e>=C.loadedLow&&(e|0)===e&&e+cf.frameSlots<=C.validTop&&e+cf.nlocals+${FRAME_HEADER}<=fp&&fp+${nres}<=e+cf.frameSlots&&(cf.insn[v]&${INSN_RETURN_SITE})!==0&&cf.jit&&cf.jitEntry[v]===1){` +
      `${res}C.depth--;if(e<C.minFp)C.minFp=e;C.fuel=F;C.jsd++;r=cf.jit(e,v);C.jsd--;return r;}}`;
    this.emit(`if(entry>=0){${toCaller}${this.bail(pc, h, st)}}${ret}`);
    this.stack = null;
  }

  private call(pc: number, op: number, st: K[]): void {
    const code = this.code;
    let h = st.length;
    let callee: Func | null = null;
    let params: ValType[], results: ValType[];
    let fexpr: string;
    let pre = '';
    if (op === OP.CALL) {
      callee = this.prog.funcs[code[pc + 1]];
      params = callee.type.params; results = callee.type.results;
      fexpr = `FN[${callee.index}]`;
      if (callee.importIndex >= 0) { this.emit(this.bail(pc, h, st)); applySig(st, params.length, results); return; }
    } else {
      const ty = this.prog.types[code[pc + 1]];
      params = ty.params; results = ty.results;
      // resolve the table entry (user memory: it may name no function); anything unusual goes to the interpreter
      const tb = code[pc + 2];
      st.pop(); h--;
      const B = () => this.bail(pc, h + 1, st.concat([I]));
      pre = `x=${s(h)}>>>0;if(x>=TS[${tb}])${B()}x=G32[(TB[${tb}]+x)<<1];` +
        `if(x===0)${B()}cf=FN[x-1];if(cf===undefined||TC[cf.typeIndex]!==${code[pc + 1]}||cf.importIndex>=0)${B()}`;
      fexpr = 'cf';
    }
    const np = params.length;
    const argBase = h - np;
    const cfp = `fp+${this.BASE + argBase}`;
    const bb = op === OP.CALL ? this.bail(pc, h, st) : this.bail(pc, h + 1, st.concat([I]));
    let args = '';
    for (let i = 0; i < np; i++) {
      args += `,${s(argBase + i)}`;
      if (kindOf(params[i]) === L) args += `,${t(argBase + i)}`;
    }
    const suspId = this.addSite(pc, argBase, st, 0, pc + opLength(code, pc), callee ? callee.nlocals : -1);
    this.emit(`${pre}cj=${fexpr}.jit;if(!cj||${cfp}+${fexpr}.frameSlots>C.validTop||C.depth>=${MAX_CALL_DEPTH}||C.jsd>=${JIT_MAX_JS_DEPTH})${bb}` +
      `C.depth++;C.jsd++;C.fuel=F;r=cj(${cfp},-1${args});C.jsd--;` +
      `if(C.st!==0){X=${suspId};break disp;}C.depth--;F=C.fuel;`);
    for (let i = 0; i < np; i++) st.pop();
    h = st.length;
    if (results.length === 1) {
      const k = kindOf(results[0]);
      this.emit(`${s(h)}=r;` + (k === L ? `${t(h)}=C.rhi;` : ''));
      st.push(k);
    } else {
      results.forEach((rt, i) => {
        const k = kindOf(rt);
        this.emit(loadSlot(`${cfp}+${i}`, k, s(h + i), t(h + i)));
        st.push(k);
      });
    }
  }

  /** calls that leave the function's code: imports, mlk.svc, mlk.reg */
  private callOut(pc: number, op: number, st: K[]): void {
    const h = st.length;
    const f = this.prog.funcs[this.code[pc + 1]];
    if (op === OP.REG && f.type.params.length === 1 && f.type.results.length === 1 && f.type.results[0] === T.I64) {
      // mlk.reg(i): Xi from the register file, as the interpreter reads it; the registers it
      // computes from the live state (PC, SP, FP, MEMPAGES, DEPTH) bail to it
      this.emit(`x=${s(h - 1)}&31;if(x===8||x===9||x===10||x===14||x===19)${this.bail(pc, h, st)}`);
      this.emit(`${s(h - 1)}=RI[x<<1];${t(h - 1)}=RI[(x<<1)+1];`);
    } else if (op === OP.SVC && svcInline(f)) {
      // mlk.svc raised here, as the interpreter's callSvc does: X7 = nr, X0.. = arguments; the
      // frame (arguments popped) is written to the shadow and the core raises the SVC (st = 2)
      // without interpreting the instruction again. The SVC retires: nothing is refunded.
      const np = f.type.params.length, base = h - np;
      let w = `RI[14]=${s(base)};RI[15]=0;`;
      for (let i = 1; i < np; i++) w += `RI[${2 * (i - 1)}]=${s(base + i)};RI[${2 * (i - 1) + 1}]=${st[base + i] === L ? t(base + i) : '0'};`;
      this.emit(`{${w}ST=2;X=${this.addSite(pc, base, st, this.blockK - this.j - 1)};break disp;}`);
    } else this.emit(this.bail(pc, h, st));
    applySig(st, f.type.params.length, f.type.results);
  }

  /** globals, tables and the memory's size and bulk operations; false for any other opcode */
  private access(pc: number, op: number, st: K[]): boolean {
    const code = this.code, h = st.length, top = h - 1;
    const B = () => this.bail(pc, h, st);
    switch (op) {
      case OP.GLOBAL_GET: {
        const g = code[pc + 1], k = kindOf(this.prog.globals[g].type);
        if (k === D) this.emit(`${s(h)}=G64[${g}];`);
        else this.emit(`${s(h)}=G32[${2 * g}];` + (k === L ? `${t(h)}=G32[${2 * g + 1}];` : ''));
        st.push(k);
        return true;
      }
      case OP.GLOBAL_SET: {
        const g = code[pc + 1], k = kindOf(this.prog.globals[g].type);
        const w = k === D ? `G64[${g}]=${s(top)};` : `G32[${2 * g}]=${s(top)};` + (k === L ? `G32[${2 * g + 1}]=${t(top)};` : '');
        this.emit(`if(!C.gWritable)${B()}${w}C.gDirty=true;`);
        st.pop();
        return true;
      }
      case OP.TABLE_GET: {
        const tb = code[pc + 1];
        this.emit(`x=${s(top)}>>>0;if(x>=TS[${tb}])${B()}${s(top)}=G32[(TB[${tb}]+x)<<1];`);
        return true;
      }
      case OP.TABLE_SIZE: this.emit(`${s(h)}=TS[${code[pc + 1]}];`); st.push(I); return true;
      case OP.MEMORY_GROW: this.emit(`${s(top)}=C.jitGrow(${s(top)});MB=C.memBytes;`); return true;
      case OP.MEMORY_COPY: case OP.MEMORY_FILL:
        this.emit(`if(!C.jitBulk(${op},${s(h - 3)},${s(h - 2)},${s(h - 1)}))${B()}`);
        st.pop(); st.pop(); st.pop();
        return true;
      case OP.TABLE_SET: case OP.MEMORY_INIT: case OP.DATA_DROP:
        this.emit(B());
        if (op === OP.TABLE_SET) { st.pop(); st.pop(); } else if (op !== OP.DATA_DROP) { st.pop(); st.pop(); st.pop(); }
        return true;
      case OP.MEMORY_SIZE: this.emit(`${s(h)}=C.memBytes/65536;`); st.push(I); return true;
      default: return false;
    }
  }

  /** the function's source: prologue (entry), the block switch, the one exit path */
  private assemble(): string {
    const { fn, localKinds, sites, BASE } = this;
    const decl: string[] = ['x=0', 'e=0', 'v=0', 'q=0', 'r=0', 'B=0', 'X=0', 'CN=0', 'ST=1', 'h=0', 'o=0', 'a=0', 'k=0', 'cj=null', 'cf=null', ...JIT_SCRATCH];
    for (let i = 0; i < this.nl; i++) { decl.push(`l${i}=0`); if (localKinds[i] === L) decl.push(`m${i}=0`); }
    for (let k = 0; k < this.maxH + 2; k++) decl.push(`s${k}=0`, `t${k}=0`);
    const params: string[] = [];
    for (let i = 0; i < fn.nparams; i++) { params.push(`a${i}`); if (localKinds[i] === L) params.push(`b${i}`); }
    let prologue = 'let F=C.fuel,MB=C.memBytes;';
    prologue += 'if(entry<0){' + fn.type.params.map((_, i) => `l${i}=a${i};` + (localKinds[i] === L ? `m${i}=b${i};` : '')).join('') + 'B=0;}';
    prologue += 'else{' + localKinds.map((k, i) => loadSlot(`fp+${i}`, k, `l${i}`, `m${i}`)).join('') +
      `switch(entry){${this.entryLoads.join('')}default:throw new Error('jit: bad entry '+entry);}}`;
    // the one exit path, the same code for every site (V8 has run it before a new site needs it):
    // refund, operand stack by position and kind, locals, then either the callee's frame header
    // (suspended in a call) or the core's pc/sp (a bail); each site is a row of the tables
    let ko = 0;
    const tables = `const RF=new Int32Array([${sites.map((x) => x.refund)}]),PC=new Int32Array([${sites.map((x) => x.pc)}]),` +
      `SH=new Int32Array([${sites.map((x) => x.h)}]),RP=new Int32Array([${sites.map((x) => x.retPc)}]),CNL=new Int32Array([${sites.map((x) => x.calleeNl)}]),` +
      `KD=new Int8Array([${sites.flatMap((x) => x.kinds)}]),KO=new Int32Array([${sites.map((x) => { ko += x.h; return ko - x.h; })}]);`;
    let spillOps = '';
    for (let i = sites.reduce((m, x) => Math.max(m, x.h), 0) - 1; i >= 0; i--) {
      spillOps += `case ${i + 1}:a=fp+${BASE + i};k=KD[o+${i}];if(k===${D})S64[a]=${s(i)};else{S32[a<<1]=${s(i)};if(k===${L})S32[(a<<1)+1]=${t(i)};}`;
    }
    const spill = `h=SH[X];o=KO[X];switch(h){${spillOps}}` + localKinds.map((k, i) => spillSlot(`fp+${i}`, k, `l${i}`, `m${i}`)).join('') +
      `if(RP[X]>=0){CN=CNL[X];if(CN<0)CN=cf.nlocals;q=(fp+${BASE}+h+CN)<<1;S32[q]=RP[X];S32[q+1]=${fn.index};v=C.stackBase+fp*8;S32[q+2]=v|0;S32[q+3]=(v/4294967296)|0;return 0;}` +
      `F+=RF[X];C.pc=PC[X];C.sp=fp+${BASE}+h;C.fn=FN[${fn.index}];C.fp=fp;C.fuel=F;C.st=ST;` +
      (JIT_STATS ? `E.bails.set('f${fn.index}@'+C.pc+' op'+FN[${fn.index}].code[C.pc],(E.bails.get('f${fn.index}@'+C.pc+' op'+FN[${fn.index}].code[C.pc])||0)+1);` : '') + 'return 0;';
    return [
      `"use strict";`,
      `const S32=E.S32,S64=E.S64,G32=E.G32,G64=E.G64,DV=E.DV,M8=E.M8,RT=E.RT,RO=E.RO,WT=E.WT,WO=E.WO,RI=E.RI,TB=E.tableBase,TS=E.tableSize,TC=E.typeCanon,N=E.N;`,
      `const SB=new ArrayBuffer(8),SI=new Int32Array(SB),SF=new Float32Array(SB),SD=new Float64Array(SB);`,
      tables,
      `return function f${fn.index}(fp,entry${params.map((p) => ',' + p).join('')}){`,
      `let ${decl.join(',')};`,
      prologue,
      'disp:for(;;){switch(B){',
      this.out.join('\n'),
      'default:throw new Error("jit: bad block "+B);}}',
      spill,
      '};',
    ].join('\n');
  }
}
