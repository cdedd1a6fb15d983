// service100 — a 100-line service used to measure compile times (docs/EXERCISES.md "Figures"):
// a small calculator server with a table of operations, answering on the endpoint in slot 5.
import { recv, replyRecv, infoLabel, infoLength, mr, msgInfo, println } from "../lib";
const EP: u64 = 5;
const BAD_MESSAGE: u64 = 32;
let served: u64 = 0;
const history = new Array<i64>();




function op_add(a: i64, b: i64): i64 {
  return a + b;
}
function op_sub(a: i64, b: i64): i64 {
  return a - b;
}
function op_mul(a: i64, b: i64): i64 {
  return a * b;
}
function op_min(a: i64, b: i64): i64 {
  return a < b ? a : b;
}
function op_max(a: i64, b: i64): i64 {
  return a > b ? a : b;
}
function op_and(a: i64, b: i64): i64 {
  return a & b;
}
function op_or(a: i64, b: i64): i64 {
  return a | b;
}
function op_xor(a: i64, b: i64): i64 {
  return a ^ b;
}
function op_shl(a: i64, b: i64): i64 {
  return a << (b & 63);
}
function op_shr(a: i64, b: i64): i64 {
  return a >> (b & 63);
}
function op_avg(a: i64, b: i64): i64 {
  return (a + b) / 2;
}
function op_sq(a: i64, b: i64): i64 {
  return a * a;
}
function op_neg(a: i64, b: i64): i64 {
  return -a;
}
function op_abs(a: i64, b: i64): i64 {
  return a < 0 ? -a : a;
}
function op_inc(a: i64, b: i64): i64 {
  return a + 1;
}
function op_dec(a: i64, b: i64): i64 {
  return a - 1;
}
function apply(label: u64, a: i64, b: i64): i64 {
  switch (<i32>label) {
    case 1: return op_add(a, b);
    case 2: return op_sub(a, b);
    case 3: return op_mul(a, b);
    case 4: return op_min(a, b);
    case 5: return op_max(a, b);
    case 6: return op_and(a, b);
    case 7: return op_or(a, b);
    case 8: return op_xor(a, b);
    case 9: return op_shl(a, b);
    case 10: return op_shr(a, b);
    case 11: return op_avg(a, b);
    case 12: return op_sq(a, b);
    case 13: return op_neg(a, b);
    case 14: return op_abs(a, b);
    case 15: return op_inc(a, b);
    case 16: return op_dec(a, b);
    default: return 0;
  }
}
function remember(v: i64): void {
  history.push(v);
  if (history.length > 16) history.shift();
}
function sumHistory(): i64 {
  let s: i64 = 0;
  for (let i = 0; i < history.length; i++) s += history[i];
  return s;
}
println("service100: ready");
recv(EP);
while (true) {
  const label = infoLabel();
  served++;
  if (label == 100) { replyRecv(EP, msgInfo(0, 0, 2), <i64>served, sumHistory()); continue; }
  if (label < 1 || label > 16 || infoLength() < 1) { replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0)); continue; }
  const v = apply(label, mr(0), infoLength() > 1 ? mr(1) : 0);
  remember(v);
  replyRecv(EP, msgInfo(0, 0, 1), v);
}
