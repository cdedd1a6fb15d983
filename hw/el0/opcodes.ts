// The opcode table of the EL0 core: one entry per WebAssembly instruction (v86's gen/x86_table.js is
// the model). Every consumer reads it:
//  * the validator/compiler (decode.ts) takes a numeric or memory instruction's signature from it;
//  * the interpreter's numeric and memory cases are generated from it (scripts/el0-gen.ts writes
//    them into core.ts between the "generated" markers; `--check` fails when they are stale);
//  * the translator (jit.ts) emits a numeric instruction's JavaScript from the same semantics;
//  * the disassembler (disasm.ts) takes names and immediates from it.
// Control, call, variable and table instructions keep hand-written cases (their work is about frames
// and the stack, not values): the table gives their name and immediates only.
//
// Semantics are JavaScript expressions over the operands `$a` (first popped last) and `$b`, with
// `$ah`/`$bh` the high words of i64 (and raw-bits f64) operands; an i64 result is `lo` then `hi`, and
// `hi` may read the computed low word as `$lo`. `Q(e)` is e with a NaN made the canonical quiet NaN.
// Signature letters: i i32, l i64 (lo/hi int32), f f32 (its value), F f32 as raw bits (int32),
// d f64 (its value), D f64 as raw bits (lo/hi int32); "pops:pushes".

import { TRAP } from './traps';

/** Immediates in binary order. */
export type Imm =
  | 'blocktype' | 'label' | 'labels' | 'func' | 'type' | 'table' | 'local' | 'global' | 'memarg' | 'zero'
  | 'i32' | 'i64' | 'f32' | 'f64' | 'valtypes' | 'reftype' | 'data' | 'elem';

export type TrapName = keyof typeof TRAP;

export interface OpDef {
  /** binary opcode: one byte, or 0xfc00 | n for the 0xFC-prefixed instruction n */
  code: number;
  name: string;
  imm: Imm[];
  /** numeric and memory instructions: "pops:pushes" (letters above) */
  sig?: string;
  /** numeric: the result (its low word for l/D) as an expression of the operands */
  lo?: string;
  /** numeric, l/D result: the high word (evaluated after lo) */
  hi?: string;
  /** numeric: conditions checked in order before the result; the first true one traps */
  traps?: [string, TrapName][];
  /** memory: access size in bytes, and how the value is extended (loads) */
  mem?: { size: 1 | 2 | 4 | 8; ext?: 's' | 'u' };
}

const OPS: OpDef[] = [];
const def = (code: number, name: string, imm: Imm[] = [], more: Partial<OpDef> = {}): void => { OPS.push({ code, name, imm, ...more }); };
const num = (code: number, name: string, sig: string, lo: string, hi?: string, traps?: [string, TrapName][]): void =>
  def(code, name, [], { sig, lo, hi, traps });
const cmp = (code: number, name: string, sig: string, e: string): void => num(code, name, sig, `(${e}) ? 1 : 0`);
const load = (code: number, name: string, sig: string, size: 1 | 2 | 4 | 8, ext?: 's' | 'u'): void => def(code, name, ['memarg'], { sig, mem: { size, ext } });
const store = (code: number, name: string, sig: string, size: 1 | 2 | 4 | 8): void => def(code, name, ['memarg'], { sig, mem: { size } });

// ---- control, calls, variables, tables, memory size (semantics hand-written in core.ts/jit.ts)
def(0x00, 'unreachable'); def(0x01, 'nop');
def(0x02, 'block', ['blocktype']); def(0x03, 'loop', ['blocktype']); def(0x04, 'if', ['blocktype']);
def(0x05, 'else'); def(0x0b, 'end');
def(0x0c, 'br', ['label']); def(0x0d, 'br_if', ['label']); def(0x0e, 'br_table', ['labels']);
def(0x0f, 'return'); def(0x10, 'call', ['func']); def(0x11, 'call_indirect', ['type', 'table']);
def(0x1a, 'drop'); def(0x1b, 'select'); def(0x1c, 'select', ['valtypes']);
def(0x20, 'local.get', ['local']); def(0x21, 'local.set', ['local']); def(0x22, 'local.tee', ['local']);
def(0x23, 'global.get', ['global']); def(0x24, 'global.set', ['global']);
def(0x25, 'table.get', ['table']); def(0x26, 'table.set', ['table']);
def(0x3f, 'memory.size', ['zero']); def(0x40, 'memory.grow', ['zero']);
def(0x41, 'i32.const', ['i32']); def(0x42, 'i64.const', ['i64']); def(0x43, 'f32.const', ['f32']); def(0x44, 'f64.const', ['f64']);
def(0xd0, 'ref.null', ['reftype']); def(0xd1, 'ref.is_null'); def(0xd2, 'ref.func', ['func']);
def(0xfc08, 'memory.init', ['data', 'zero']); def(0xfc09, 'data.drop', ['data']);
def(0xfc0a, 'memory.copy', ['zero', 'zero']); def(0xfc0b, 'memory.fill', ['zero']);
def(0xfc0c, 'table.init', ['elem', 'table']); def(0xfc0d, 'elem.drop', ['elem']); def(0xfc0e, 'table.copy', ['table', 'table']);
def(0xfc0f, 'table.grow', ['table']); def(0xfc10, 'table.size', ['table']); def(0xfc11, 'table.fill', ['table']);

// ---- memory: address (+ value) → value; f32/f64 move as raw bits
load(0x28, 'i32.load', 'i:i', 4); load(0x29, 'i64.load', 'i:l', 8); load(0x2a, 'f32.load', 'i:F', 4); load(0x2b, 'f64.load', 'i:D', 8);
load(0x2c, 'i32.load8_s', 'i:i', 1, 's'); load(0x2d, 'i32.load8_u', 'i:i', 1, 'u');
load(0x2e, 'i32.load16_s', 'i:i', 2, 's'); load(0x2f, 'i32.load16_u', 'i:i', 2, 'u');
load(0x30, 'i64.load8_s', 'i:l', 1, 's'); load(0x31, 'i64.load8_u', 'i:l', 1, 'u');
load(0x32, 'i64.load16_s', 'i:l', 2, 's'); load(0x33, 'i64.load16_u', 'i:l', 2, 'u');
load(0x34, 'i64.load32_s', 'i:l', 4, 's'); load(0x35, 'i64.load32_u', 'i:l', 4, 'u');
store(0x36, 'i32.store', 'ii:', 4); store(0x37, 'i64.store', 'il:', 8); store(0x38, 'f32.store', 'iF:', 4); store(0x39, 'f64.store', 'iD:', 8);
store(0x3a, 'i32.store8', 'ii:', 1); store(0x3b, 'i32.store16', 'ii:', 2);
store(0x3c, 'i64.store8', 'il:', 1); store(0x3d, 'i64.store16', 'il:', 2); store(0x3e, 'i64.store32', 'il:', 4);

// ---- i32 / i64 comparisons
cmp(0x45, 'i32.eqz', 'i:i', '$a === 0');
cmp(0x46, 'i32.eq', 'ii:i', '$a === $b'); cmp(0x47, 'i32.ne', 'ii:i', '$a !== $b');
cmp(0x48, 'i32.lt_s', 'ii:i', '$a < $b'); cmp(0x49, 'i32.lt_u', 'ii:i', '($a >>> 0) < ($b >>> 0)');
cmp(0x4a, 'i32.gt_s', 'ii:i', '$a > $b'); cmp(0x4b, 'i32.gt_u', 'ii:i', '($a >>> 0) > ($b >>> 0)');
cmp(0x4c, 'i32.le_s', 'ii:i', '$a <= $b'); cmp(0x4d, 'i32.le_u', 'ii:i', '($a >>> 0) <= ($b >>> 0)');
cmp(0x4e, 'i32.ge_s', 'ii:i', '$a >= $b'); cmp(0x4f, 'i32.ge_u', 'ii:i', '($a >>> 0) >= ($b >>> 0)');
cmp(0x50, 'i64.eqz', 'l:i', '($a | $ah) === 0');
cmp(0x51, 'i64.eq', 'll:i', '$a === $b && $ah === $bh'); cmp(0x52, 'i64.ne', 'll:i', '$a !== $b || $ah !== $bh');
cmp(0x53, 'i64.lt_s', 'll:i', '$ah < $bh || ($ah === $bh && ($a >>> 0) < ($b >>> 0))');
cmp(0x54, 'i64.lt_u', 'll:i', '($ah >>> 0) < ($bh >>> 0) || ($ah === $bh && ($a >>> 0) < ($b >>> 0))');
cmp(0x55, 'i64.gt_s', 'll:i', '$ah > $bh || ($ah === $bh && ($a >>> 0) > ($b >>> 0))');
cmp(0x56, 'i64.gt_u', 'll:i', '($ah >>> 0) > ($bh >>> 0) || ($ah === $bh && ($a >>> 0) > ($b >>> 0))');
cmp(0x57, 'i64.le_s', 'll:i', '$ah < $bh || ($ah === $bh && ($a >>> 0) <= ($b >>> 0))');
cmp(0x58, 'i64.le_u', 'll:i', '($ah >>> 0) < ($bh >>> 0) || ($ah === $bh && ($a >>> 0) <= ($b >>> 0))');
cmp(0x59, 'i64.ge_s', 'll:i', '$ah > $bh || ($ah === $bh && ($a >>> 0) >= ($b >>> 0))');
cmp(0x5a, 'i64.ge_u', 'll:i', '($ah >>> 0) > ($bh >>> 0) || ($ah === $bh && ($a >>> 0) >= ($b >>> 0))');
// ---- float comparisons
for (const [c, n, o] of [[0x5b, 'eq', '==='], [0x5c, 'ne', '!=='], [0x5d, 'lt', '<'], [0x5e, 'gt', '>'], [0x5f, 'le', '<='], [0x60, 'ge', '>=']] as const) {
  cmp(c, `f32.${n}`, 'ff:i', `$a ${o} $b`);
  cmp(c + 6, `f64.${n}`, 'dd:i', `$a ${o} $b`);
}

// ---- i32 arithmetic
num(0x67, 'i32.clz', 'i:i', 'Math.clz32($a)'); num(0x68, 'i32.ctz', 'i:i', 'N.ctz32($a)'); num(0x69, 'i32.popcnt', 'i:i', 'N.popcnt32($a)');
num(0x6a, 'i32.add', 'ii:i', '($a + $b) | 0'); num(0x6b, 'i32.sub', 'ii:i', '($a - $b) | 0'); num(0x6c, 'i32.mul', 'ii:i', 'Math.imul($a, $b)');
num(0x6d, 'i32.div_s', 'ii:i', '($a / $b) | 0', undefined, [['$b === 0', 'DIV_ZERO'], ['$a === -2147483648 && $b === -1', 'INT_OVERFLOW']]);
num(0x6e, 'i32.div_u', 'ii:i', '(($a >>> 0) / ($b >>> 0)) | 0', undefined, [['$b === 0', 'DIV_ZERO']]);
num(0x6f, 'i32.rem_s', 'ii:i', '$b === -1 ? 0 : ($a % $b) | 0', undefined, [['$b === 0', 'DIV_ZERO']]);
num(0x70, 'i32.rem_u', 'ii:i', '(($a >>> 0) % ($b >>> 0)) | 0', undefined, [['$b === 0', 'DIV_ZERO']]);
num(0x71, 'i32.and', 'ii:i', '$a & $b'); num(0x72, 'i32.or', 'ii:i', '$a | $b'); num(0x73, 'i32.xor', 'ii:i', '$a ^ $b');
num(0x74, 'i32.shl', 'ii:i', '$a << $b'); num(0x75, 'i32.shr_s', 'ii:i', '$a >> $b'); num(0x76, 'i32.shr_u', 'ii:i', '($a >>> $b) | 0');
num(0x77, 'i32.rotl', 'ii:i', '($a << ($b & 31)) | ($a >>> ((32 - ($b & 31)) & 31))');
num(0x78, 'i32.rotr', 'ii:i', '($a >>> ($b & 31)) | ($a << ((32 - ($b & 31)) & 31))');
// ---- i64 arithmetic (num.ts returns the low word and leaves the high word in N.r.hi)
num(0x79, 'i64.clz', 'l:l', 'N.clz64($a, $ah)', '0'); num(0x7a, 'i64.ctz', 'l:l', 'N.ctz64($a, $ah)', '0');
num(0x7b, 'i64.popcnt', 'l:l', 'N.popcnt32($a) + N.popcnt32($ah)', '0');
num(0x7c, 'i64.add', 'll:l', '($a + $b) | 0', '($ah + $bh + (($lo >>> 0) < ($a >>> 0) ? 1 : 0)) | 0');
num(0x7d, 'i64.sub', 'll:l', '($a - $b) | 0', '($ah - $bh - (($a >>> 0) < ($b >>> 0) ? 1 : 0)) | 0');
num(0x7e, 'i64.mul', 'll:l', 'N.mul64($a, $ah, $b, $bh)', 'N.r.hi');
num(0x7f, 'i64.div_s', 'll:l', 'N.divS64($a, $ah, $b, $bh)', 'N.r.hi',
  [['($b | $bh) === 0', 'DIV_ZERO'], ['$a === 0 && $ah === -2147483648 && $b === -1 && $bh === -1', 'INT_OVERFLOW']]);
num(0x80, 'i64.div_u', 'll:l', 'N.divU64($a, $ah, $b, $bh)', 'N.r.hi', [['($b | $bh) === 0', 'DIV_ZERO']]);
num(0x81, 'i64.rem_s', 'll:l', '$b === -1 && $bh === -1 ? 0 : N.remS64($a, $ah, $b, $bh)', '$b === -1 && $bh === -1 ? 0 : N.r.hi', [['($b | $bh) === 0', 'DIV_ZERO']]);
num(0x82, 'i64.rem_u', 'll:l', 'N.remU64($a, $ah, $b, $bh)', 'N.r.hi', [['($b | $bh) === 0', 'DIV_ZERO']]);
num(0x83, 'i64.and', 'll:l', '$a & $b', '$ah & $bh'); num(0x84, 'i64.or', 'll:l', '$a | $b', '$ah | $bh'); num(0x85, 'i64.xor', 'll:l', '$a ^ $b', '$ah ^ $bh');
num(0x86, 'i64.shl', 'll:l', 'N.shl64($a, $ah, $b)', 'N.r.hi'); num(0x87, 'i64.shr_s', 'll:l', 'N.shrS64($a, $ah, $b)', 'N.r.hi');
num(0x88, 'i64.shr_u', 'll:l', 'N.shrU64($a, $ah, $b)', 'N.r.hi');
num(0x89, 'i64.rotl', 'll:l', 'N.rotl64($a, $ah, $b)', 'N.r.hi'); num(0x8a, 'i64.rotr', 'll:l', 'N.rotr64($a, $ah, $b)', 'N.r.hi');
// ---- f32 arithmetic (abs/neg/copysign on the raw bits, as the spec requires for NaNs)
num(0x8b, 'f32.abs', 'F:F', '$a & 0x7fffffff'); num(0x8c, 'f32.neg', 'F:F', '$a ^ -2147483648');
num(0x8d, 'f32.ceil', 'f:f', 'Q(Math.ceil($a))'); num(0x8e, 'f32.floor', 'f:f', 'Q(Math.floor($a))');
num(0x8f, 'f32.trunc', 'f:f', 'Q(Math.trunc($a))'); num(0x90, 'f32.nearest', 'f:f', 'Q(N.nearest($a))');
num(0x91, 'f32.sqrt', 'f:f', 'Math.sqrt($a)');
num(0x92, 'f32.add', 'ff:f', '$a + $b'); num(0x93, 'f32.sub', 'ff:f', '$a - $b'); num(0x94, 'f32.mul', 'ff:f', '$a * $b'); num(0x95, 'f32.div', 'ff:f', '$a / $b');
num(0x96, 'f32.min', 'ff:f', 'N.fmin($a, $b)'); num(0x97, 'f32.max', 'ff:f', 'N.fmax($a, $b)');
num(0x98, 'f32.copysign', 'FF:F', '($a & 0x7fffffff) | ($b & -2147483648)');
// ---- f64 arithmetic
num(0x99, 'f64.abs', 'D:D', '$a', '$ah & 0x7fffffff'); num(0x9a, 'f64.neg', 'D:D', '$a', '$ah ^ -2147483648');
num(0x9b, 'f64.ceil', 'd:d', 'Q(Math.ceil($a))'); num(0x9c, 'f64.floor', 'd:d', 'Q(Math.floor($a))');
num(0x9d, 'f64.trunc', 'd:d', 'Q(Math.trunc($a))'); num(0x9e, 'f64.nearest', 'd:d', 'Q(N.nearest($a))');
num(0x9f, 'f64.sqrt', 'd:d', 'Q(Math.sqrt($a))');
num(0xa0, 'f64.add', 'dd:d', '$a + $b'); num(0xa1, 'f64.sub', 'dd:d', '$a - $b'); num(0xa2, 'f64.mul', 'dd:d', '$a * $b'); num(0xa3, 'f64.div', 'dd:d', '$a / $b');
num(0xa4, 'f64.min', 'dd:d', 'N.fmin($a, $b)'); num(0xa5, 'f64.max', 'dd:d', 'N.fmax($a, $b)');
num(0xa6, 'f64.copysign', 'DD:D', '$a', '($ah & 0x7fffffff) | ($bh & -2147483648)');

// ---- conversions
num(0xa7, 'i32.wrap_i64', 'l:i', '$a');
const INVALID: [string, TrapName] = ['$a !== $a', 'INVALID_CONVERSION'];
const inRange = (lo: string, hi: string): [string, TrapName] => [`!($a ${lo} && $a < ${hi})`, 'INT_OVERFLOW'];
const S32_RANGE = inRange('> -2147483649', '2147483648'), U32_RANGE = inRange('> -1', '4294967296');
const S64_RANGE = inRange('>= N.I64_MIN_F', 'N.I64_LIM_F'), U64_RANGE = inRange('> -1', 'N.U64_LIM_F');
num(0xa8, 'i32.trunc_f32_s', 'f:i', 'Math.trunc($a) | 0', undefined, [INVALID, S32_RANGE]);
num(0xa9, 'i32.trunc_f32_u', 'f:i', 'Math.trunc($a) | 0', undefined, [INVALID, U32_RANGE]);
num(0xaa, 'i32.trunc_f64_s', 'd:i', 'Math.trunc($a) | 0', undefined, [INVALID, S32_RANGE]);
num(0xab, 'i32.trunc_f64_u', 'd:i', 'Math.trunc($a) | 0', undefined, [INVALID, U32_RANGE]);
num(0xac, 'i64.extend_i32_s', 'i:l', '$a', '$a >> 31'); num(0xad, 'i64.extend_i32_u', 'i:l', '$a', '0');
num(0xae, 'i64.trunc_f32_s', 'f:l', 'N.splitI64(Math.trunc($a))', 'N.r.hi', [INVALID, S64_RANGE]);
num(0xaf, 'i64.trunc_f32_u', 'f:l', 'N.splitI64(Math.trunc($a))', 'N.r.hi', [INVALID, U64_RANGE]);
num(0xb0, 'i64.trunc_f64_s', 'd:l', 'N.splitI64(Math.trunc($a))', 'N.r.hi', [INVALID, S64_RANGE]);
num(0xb1, 'i64.trunc_f64_u', 'd:l', 'N.splitI64(Math.trunc($a))', 'N.r.hi', [INVALID, U64_RANGE]);
num(0xb2, 'f32.convert_i32_s', 'i:f', '$a'); num(0xb3, 'f32.convert_i32_u', 'i:f', '$a >>> 0');
num(0xb4, 'f32.convert_i64_s', 'l:f', 'N.s64ToF32($a, $ah)'); num(0xb5, 'f32.convert_i64_u', 'l:f', 'N.u64ToF32($a, $ah)');
num(0xb6, 'f32.demote_f64', 'd:f', '$a');
num(0xb7, 'f64.convert_i32_s', 'i:d', '$a + 0'); num(0xb8, 'f64.convert_i32_u', 'i:d', '($a >>> 0) + 0');
num(0xb9, 'f64.convert_i64_s', 'l:d', '$ah * 4294967296 + ($a >>> 0)'); num(0xba, 'f64.convert_i64_u', 'l:d', '($ah >>> 0) * 4294967296 + ($a >>> 0)');
num(0xbb, 'f64.promote_f32', 'f:d', '$a');
num(0xbc, 'i32.reinterpret_f32', 'F:i', '$a'); num(0xbd, 'i64.reinterpret_f64', 'D:l', '$a', '$ah');
num(0xbe, 'f32.reinterpret_i32', 'i:F', '$a'); num(0xbf, 'f64.reinterpret_i64', 'l:D', '$a', '$ah');
num(0xc0, 'i32.extend8_s', 'i:i', '($a << 24) >> 24'); num(0xc1, 'i32.extend16_s', 'i:i', '($a << 16) >> 16');
num(0xc2, 'i64.extend8_s', 'l:l', '($a << 24) >> 24', '$lo >> 31'); num(0xc3, 'i64.extend16_s', 'l:l', '($a << 16) >> 16', '$lo >> 31');
num(0xc4, 'i64.extend32_s', 'l:l', '$a', '$a >> 31');
// ---- saturating truncation (0xFC 0..7): never traps
const SAT_S32 = '$a !== $a ? 0 : $a <= -2147483648 ? -2147483648 : $a >= 2147483647 ? 2147483647 : Math.trunc($a) | 0';
const SAT_U32 = '$a !== $a || $a <= 0 ? 0 : $a >= 4294967295 ? -1 : Math.trunc($a) | 0';
const SAT_S64: [string, string] = [
  '$a !== $a ? 0 : $a < N.I64_MIN_F ? 0 : $a >= N.I64_LIM_F ? -1 : N.splitI64(Math.trunc($a))',
  '$a !== $a ? 0 : $a < N.I64_MIN_F ? -2147483648 : $a >= N.I64_LIM_F ? 0x7fffffff : N.r.hi',
];
const SAT_U64: [string, string] = [
  '$a !== $a || $a <= -1 ? 0 : $a >= N.U64_LIM_F ? -1 : N.splitI64(Math.trunc($a))',
  '$a !== $a || $a <= -1 ? 0 : $a >= N.U64_LIM_F ? -1 : N.r.hi',
];
num(0xfc00, 'i32.trunc_sat_f32_s', 'f:i', SAT_S32); num(0xfc01, 'i32.trunc_sat_f32_u', 'f:i', SAT_U32);
num(0xfc02, 'i32.trunc_sat_f64_s', 'd:i', SAT_S32); num(0xfc03, 'i32.trunc_sat_f64_u', 'd:i', SAT_U32);
num(0xfc04, 'i64.trunc_sat_f32_s', 'f:l', ...SAT_S64); num(0xfc05, 'i64.trunc_sat_f32_u', 'f:l', ...SAT_U64);
num(0xfc06, 'i64.trunc_sat_f64_s', 'd:l', ...SAT_S64); num(0xfc07, 'i64.trunc_sat_f64_u', 'd:l', ...SAT_U64);

/** The table, by binary opcode (0xfc00 | n for prefixed instructions). */
export const OPCODES: ReadonlyMap<number, OpDef> = new Map(OPS.map((o) => [o.code, o]));

/** The internal opcode the compiler emits for a table instruction with semantics (module.ts OP). */
export const internalOp = (code: number): number => (code >= 0xfc00 ? 0xe0 + (code & 0xff) : code);

/** Table entries with generated semantics (numeric and memory), keyed by internal opcode. */
export const BY_INTERNAL: ReadonlyMap<number, OpDef> = new Map(OPS.filter((o) => o.sig !== undefined).map((o) => [internalOp(o.code), o]));

/** Split a signature into its operand and result letters. */
export function sigParts(sig: string): [string, string] {
  const i = sig.indexOf(':');
  return [sig.slice(0, i), sig.slice(i + 1)];
}
