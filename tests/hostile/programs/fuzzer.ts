// Seeded random syscall fuzzer (X0 = seed, X1 = calls, -1 = until stopped, X2 = 1: no
// WriteRegisters on other threads). Biased to the slots a
// fuzzer really holds and to edge values: every syscall number, every method label, message
// lengths and extra-cap counts past their limits, IPC-buffer words, cap pointers and receive slots,
// and the register files of the other fuzzers (it holds their TCB caps, as the independent
// campaign's processes did). Its CNode (radix 6): 1 own TCB, 2 own CNode, 3 own VSpace,
// 4 shared endpoint (badged), 5 shared notification (badged), 6 a frame, 7 a 64 KiB Untyped,
// 8..11 the TCBs and 12..15 the VSpaces of every fuzzer of the round (its own included).
import { reg, svc, setName, IPCBUF_VA } from "../../../services/lib";

let seed = <u64>reg(0) * 0x9e3779b97f4a7c15 + 0x632be59bd9b4e019;
let calls = reg(1);
let noRegisters = reg(2) != 0; // campaign option: leave other threads' register files alone
const TCBS: u64 = 8;
const NFUZZ: u64 = 4;
setName("fuzz");
function rnd(): u64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }
function small(n: u64): i64 { return <i64>(rnd() % n); }

const EDGES: StaticArray<u64> = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 31, 32, 63, 64, 65, 127, 255, 256, 4095, 4096, 4097,
  0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_0002, 0x1000_0000_0000, 0xffff_ffff_f000,
  0x1_0000_0000_0000, 0x8000_0000_0000_0000, 0xffff_0000_0000_0000, 0xffff_ffff_ffff_f000, 0xffff_ffff_ffff_fffe,
  0xffff_ffff_ffff_ffff, 0x8_0000_0000, 0x8_0001_0000, 0x2_3520_0000, 0x2_3b10_0000,
];
/** A message word: small numbers, edge values, page-aligned VAs, or anything. */
function arg(): i64 {
  let k = rnd() % 10;
  if (k < 3) return small(16); // slots, types, bits, register indexes
  if (k < 6) return <i64>unchecked(EDGES[<i32>(rnd() % <u64>EDGES.length)]);
  if (k == 6) return <i64>((rnd() % 0x40) << 12); // page-aligned low VAs (image, IPC buffer, stack…)
  if (k == 7) return <i64>(rnd() & 0xffff_ffff_f000); // any page of the user VA space
  if (k == 8) return -small(4);
  return <i64>rnd();
}
/** A capability pointer: mostly a slot the fuzzer holds, sometimes empty, out of range or absurd. */
function capArg(): i64 {
  let k = rnd() % 16;
  if (k < 11) return small(TCBS + 2 * NFUZZ);
  if (k < 13) return small(64);
  return arg();
}
const LABELS: StaticArray<u64> = [
  1, 16, 17, 18, 19, 20, 21, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 48, 49, 56, 57, 58, 64, 72, 73, 74, 80, 81,
  0, 2, 15, 42, 99, 0xfff, 0x1_0000_0001, 0xf_ffff_ffff_ffff,
];
const NRS: StaticArray<i32> = [0, 0, 0, 0, 0, 0, 1, 2, 2, 3, 4, 4, 5, 6, 7, 9, 10, 12];

let n: i64 = 0;
while (calls < 0 || n < calls) {
  n++;
  // IPC buffer: extra caps, receive slot, words 4.. (words 0..3 travel in registers); refreshed
  // every fourth call, which keeps most of the fuzzer's instructions on syscalls
  if ((n & 3) == 1) {
    for (let k = 0; k < 3; k++) store<u64>(IPCBUF_VA + 0x208 + (<usize>k << 3), <u64>capArg());
    store<u64>(IPCBUF_VA + 0x220, rnd() % 4 == 0 ? <u64>arg() : <u64>small(64));
    for (let k = 4; k < 12; k++) store<u64>(IPCBUF_VA + 8 + (<usize>k << 3), <u64>arg());
  }
  let r = rnd() % 100;
  if (r < 12 && !noRegisters) {
    // another fuzzer's register file: any slot, any value (seL4 lets a TCB holder set any register)
    let target = TCBS + (rnd() % NFUZZ);
    let first = rnd() % 8 == 0 ? arg() : small(34);
    let info = <i64>((36 << 12) | (rnd() % 5));
    svc(0, <i64>target, info, first, arg(), arg(), arg());
    continue;
  }
  if (r < 16) {
    // read registers, also with absurd first indexes
    svc(0, <i64>(TCBS + (rnd() % NFUZZ)), <i64>((37 << 12) | 1), arg(), 0, 0, 0);
    continue;
  }
  let nr = unchecked(NRS[<i32>(rnd() % <u64>NRS.length)]);
  if (nr == 9 || nr == 10 || nr == 12) {
    // debug calls: string pointers anywhere, short lengths or lengths past the limit
    let len = rnd() % 4 == 0 ? arg() : small(4);
    svc(nr, arg(), len, arg(), 0, 0, 0);
    continue;
  }
  // blocking operations are rarer, so a round is not over at once (Call stays: it is also how
  // every method is invoked, and a method call does not block)
  if ((nr == 1 || nr == 3 || nr == 6) && rnd() % 16 != 0) nr = nr == 1 ? 2 : 4;
  let label = rnd() % 8 == 0 ? rnd() : unchecked(LABELS[<i32>(rnd() % <u64>LABELS.length)]);
  if (label == 36 && noRegisters) label = 37;
  let info = <i64>((label << 12) | ((rnd() % 8) << 9) | ((rnd() % 4) << 7) | (rnd() % 128));
  if (rnd() % 2 == 0) info = <i64>((label << 12) | ((rnd() % 4) << 7) | (rnd() % 6)); // plausible lengths
  svc(nr, capArg(), info, arg(), arg(), arg(), arg());
}
