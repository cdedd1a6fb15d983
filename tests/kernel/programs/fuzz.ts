// Syscall fuzzer (X0 = seed, X1 = iterations): random syscall numbers, capabilities, labels,
// message lengths, extra caps and words. Only the kernel's answer codes are tallied; the test
// checks that the kernel never halts, every code is a defined error, and the invariants hold.
import { reg, svc, setName, print, printNum, println, IPCBUF_VA } from "../../../services/lib";

let id = reg(0);
let seed = <u64>id * 0x9e3779b97f4a7c15 + 1;
let iters = reg(1);
setName("fuzz");
function rnd(): u64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }
function small(n: u64): i64 { return <i64>(rnd() % n); }
function arg(): i64 {
  let k = rnd() % 8;
  if (k < 4) return small(16); // slots, types, bits
  if (k == 4) return small(70);
  if (k == 5) return <i64>((rnd() % 0x20) << 12); // page-aligned low VAs
  if (k == 6) return -1;
  return <i64>rnd();
}
const LABELS: i64[] = [1, 16, 17, 18, 19, 20, 21, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 48, 49, 56, 57, 58, 64, 72, 73, 74, 80, 81, 0, 7, 99];
// (undefined numbers are fault tests elsewhere: here they would just stop the fuzzer)
const NRS: i32[] = [0, 0, 0, 1, 2, 2, 3, 4, 4, 4, 5, 6, 7, 12];
let counts = new StaticArray<i32>(16);
let other = 0;
for (let i: i64 = 0; i < iters; i++) {
  for (let k = 0; k < 3; k++) store<u64>(IPCBUF_VA + 0x208 + (<usize>k << 3), <u64>small(12));
  store<u64>(IPCBUF_VA + 0x220, <u64>small(20));
  for (let k = 4; k < 10; k++) store<u64>(IPCBUF_VA + 8 + (<usize>k << 3), <u64>arg());
  let nr = NRS[<i32>small(NRS.length)];
  // blocking operations are rare, so a lone fuzzer keeps going
  if ((nr == 0 || nr == 1 || nr == 3 || nr == 6) && rnd() % 64 != 0) nr = nr == 3 || nr == 6 ? 4 : 2;
  let label = <u64>LABELS[<i32>small(LABELS.length)];
  let info = <i64>((label << 12) | ((rnd() % 4) << 7) | (rnd() % 9));
  let cap = small(12);
  if (cap == 1 && label == 35) continue; // TCB.Suspend of itself would end the run
  let e = svc(nr, cap, info, arg(), arg(), arg(), arg());
  if (e >= 0 && e < 16) counts[<i32>e]++; else other++;
}
print("fuzz "); printNum(id); print(": codes");
for (let c = 0; c < 16; c++) if (counts[c] != 0) { print(" "); printNum(c); print(":"); printNum(counts[c]); }
print(" other:"); printNum(other); println("");
