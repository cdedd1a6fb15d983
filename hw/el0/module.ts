// The decoded form of a user program: what hw/el0/decode.ts produces from a .wasm binary and what the
// interpreter (hw/el0/core.ts) and the loaders (tools/el0/harness.ts, the kernel) consume.
//
// Internal code: one Int32Array per function, an opcode followed by its decoded immediates
// (see OP below). Branch targets are indices into the same array; stack heights are slot offsets
// from the frame pointer, known statically, so there is no control stack at run time.

/** Value types (binary encodings). */
export const T = { I32: 0x7f, I64: 0x7e, F32: 0x7d, F64: 0x7c, V128: 0x7b, FUNCREF: 0x70, EXTERNREF: 0x6f } as const;
export type ValType = number;

export function typeName(t: ValType): string {
  switch (t) {
    case T.I32: return 'i32';
    case T.I64: return 'i64';
    case T.F32: return 'f32';
    case T.F64: return 'f64';
    case T.FUNCREF: return 'funcref';
    case T.EXTERNREF: return 'externref';
    case 0: return 'unknown';
    default: return `type 0x${t.toString(16)}`;
  }
}

/** True for types held in one 32-bit word (i32, f32, references). */
export const is32 = (t: ValType): boolean => t === T.I32 || t === T.F32 || t === T.FUNCREF || t === T.EXTERNREF;

export interface FuncType { params: ValType[]; results: ValType[] }

export interface Limits { min: number; max: number | null }

export interface Import {
  module: string;
  name: string;
  kind: 0 | 1 | 2 | 3; // func, table, memory, global
  /** func: type index; table: element type; global: value type */
  type: number;
  limits?: Limits;
  mutable?: boolean;
}

/** A constant expression: i32/i64/f32/f64.const (raw bits), global.get, ref.null, ref.func. */
export interface ConstExpr {
  op: 'const' | 'global' | 'null' | 'func';
  type: ValType;
  /** const: raw bits; global/func: index */
  value: bigint;
}

export interface Global { type: ValType; mutable: boolean; init: ConstExpr | null /* null for imports */ }

export interface Table { elemType: ValType; limits: Limits; imported: boolean }

export interface ElemSegment {
  mode: 'active' | 'passive' | 'declarative';
  table: number;
  offset: ConstExpr | null;
  /** per element: a constant expression (ref.func f, ref.null, global.get) */
  items: ConstExpr[];
}

export interface DataSegment {
  mode: 'active' | 'passive';
  offset: ConstExpr | null;
  /** byte offset of the segment's bytes inside the image */
  imageOffset: number;
  bytes: Uint8Array;
}

/** A translated function: (fp, entry pc or -1 for a call from translated code, ...params) */
export type JitFn = (fp: number, entry: number, ...args: number[]) => number;

export interface Func {
  index: number;
  typeIndex: number;
  type: FuncType;
  /** index into Program.imports for an imported function */
  importIndex: number;
  /** special imports of module "mlk" */
  special: 'svc' | 'reg' | null;
  nparams: number;
  nresults: number;
  /** params + declared locals */
  nlocals: number;
  localTypes: ValType[];
  maxStack: number;
  /** slots a frame of this function occupies: nlocals + FRAME_HEADER + maxStack */
  frameSlots: number;
  code: Int32Array;
  /** per code index: INSN_START | INSN_RETURN_SITE (instructionMap), so a PC from outside is checked in O(1) */
  insn: Uint8Array;
  /** per code index: byte offset in the image of the wasm instruction it was compiled from (-1 inside an instruction) */
  srcOffset: Int32Array;
  /** byte offset of the body in the image (for diagnostics) */
  bodyOffset: number;
  /** translation tier: calls + loop back-edges seen by the interpreter */
  hot: number;
  /** translated code (hw/el0/jit.ts), null until hot, false when translation failed */
  jit: JitFn | null | false;
  /** pcs at which the interpreter may continue in translated code (1 = entry point) */
  jitEntry: Uint8Array | null;
  /** armed breakpoints (debug.ts): code index → the opcode OP.BREAK + op replaced; null when none */
  brk: Map<number, number> | null;
}

export interface Program {
  types: FuncType[];
  /** canonical id per type index (structurally equal types share one id) */
  typeCanon: Int32Array;
  imports: Import[];
  funcs: Func[];
  nImportedFuncs: number;
  tables: Table[];
  memory: { limits: Limits; imported: boolean } | null;
  globals: Global[];
  exports: Map<string, { kind: number; index: number }>;
  start: number | null;
  elems: ElemSegment[];
  datas: DataSegment[];
  /** Layout of the globals area at GP (8-byte slots): globals, then each table, then the
   * dropped flags of data segments and of element segments. */
  layout: { tableBase: number[]; dataDropped: number; elemDropped: number; slots: number };
  byteLength: number;
  /** the image the program was decoded from (the debugger identifies a service's program by it) */
  image: Uint8Array;
}

/** Slots of the frame header between a frame's locals and its operand stack:
 * [0] return PC (funcIndex<<32 | instruction index), [1] caller's FP (user VA). */
export const FRAME_HEADER = 2;

/** Internal opcodes. Numeric wasm opcodes 0x45..0xC4 and loads/stores 0x28..0x3E keep their numbers. */
export const OP = {
  UNREACHABLE: 0x00,
  JMP: 0x01, // target
  LOCAL_GET32: 0x02, // slot
  LOCAL_SET32: 0x03,
  IF_FALSE: 0x04, // target
  LOCAL_TEE32: 0x05,
  BR_IF_J: 0x06, // target (no stack move)
  BR: 0x0c, // target, height, arity
  BR_IF: 0x0d, // target, height, arity
  BR_TABLE: 0x0e, // n, (target, height, arity) * (n+1)
  RETURN: 0x0f,
  CALL: 0x10, // func
  CALL_INDIRECT: 0x11, // canonical type, table
  CALL_IMPORT: 0x12, // func
  SVC: 0x13, // mlk.svc
  REG: 0x14, // mlk.reg
  DROP: 0x1a,
  SELECT: 0x1b, // i32 / reference
  SELECT_I64: 0x1c,
  SELECT_F32: 0x1d,
  SELECT_F64: 0x1e,
  LOCAL_GET: 0x20,
  LOCAL_SET: 0x21,
  LOCAL_TEE: 0x22,
  GLOBAL_GET: 0x23, // global
  GLOBAL_SET: 0x24,
  TABLE_GET: 0x25, // table
  TABLE_SET: 0x26,
  MEMORY_SIZE: 0x3f,
  MEMORY_GROW: 0x40,
  CONST32: 0x41, // value (i32 / reference)
  CONST64: 0x42, // lo, hi (i64)
  CONST_F32: 0x43, // raw bits
  CONST_F64: 0x44, // lo, hi raw bits
  TRUNC_SAT: 0xe0, // + 0..7
  MEMORY_INIT: 0xe8, // segment
  DATA_DROP: 0xe9, // segment
  MEMORY_COPY: 0xea,
  MEMORY_FILL: 0xeb,
  TABLE_SIZE: 0xec, // table
  /** a breakpoint (debug.ts): OP.BREAK + the replaced opcode, so the instruction's length stays known */
  BREAK: 0x100,
} as const;

/** PC value meaning "enter function f with its parameters in X0..X5" */
export const PC_ENTER = 0xffffffff;
/** Return-PC marker of the outermost frame. */
export const PC_EXIT_FUNC = 0xffffffff;

/** length in code words of the instruction at pc */
export function opLength(code: Int32Array, pc: number): number {
  let op = code[pc];
  if (op >= OP.BREAK) op -= OP.BREAK;
  switch (op) {
    case OP.BR: case OP.BR_IF: return 4;
    case OP.BR_TABLE: return 2 + 3 * (code[pc + 1] + 1);
    case OP.CALL_INDIRECT: case OP.CONST64: case OP.CONST_F64: return 3;
    case OP.UNREACHABLE: case OP.RETURN: case OP.DROP: case OP.SELECT: case OP.SELECT_I64: case OP.SELECT_F32: case OP.SELECT_F64:
    case OP.MEMORY_SIZE: case OP.MEMORY_GROW: case OP.MEMORY_COPY: case OP.MEMORY_FILL: return 1;
    default:
      if (op >= 0x45 && op <= 0xc4) return 1;
      if (op >= OP.TRUNC_SAT && op < OP.TRUNC_SAT + 8) return 1;
      return 2;
  }
}

/** Func.insn flags: an instruction starts at this code index / it follows a call (a return site). */
export const INSN_START = 1;
export const INSN_RETURN_SITE = 2;

/** The instruction map of a function's code (Func.insn): which indices a PC or a return PC may hold. */
export function instructionMap(code: Int32Array): Uint8Array {
  const map = new Uint8Array(code.length);
  for (let pc = 0; pc < code.length;) {
    const op = code[pc], next = pc + opLength(code, pc);
    map[pc] |= INSN_START;
    if ((op === OP.CALL || op === OP.CALL_INDIRECT) && next < code.length) map[next] |= INSN_RETURN_SITE;
    pc = next;
  }
  return map;
}
