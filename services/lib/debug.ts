// debug.ts — text output through the kernel's debug syscalls (the kernel console: fine for a test
// program or a boot log; a service's normal output goes through the console service), the
// thread's name as the kernel shows it, and the abort handler every program links
// (services/asconfig.json "use").

import { nameWord } from "./caps";
import { svc, exit } from "./sys";
import { SYS_DEBUG_PUTS, SYS_DEBUG_PUTCHAR, SYS_DEBUG_NAME, SYS_DEBUG_DUMP_CAPS } from "./abi";

const BUF_BYTES: i32 = 512;
const buf: usize = memory.data(BUF_BYTES);
/** UTF-16 code units per chunk: each becomes at most 3 bytes of UTF-8. */
const CHUNK: i32 = BUF_BYTES / 3;

/** Prints a string (as UTF-8) on the kernel console. */
export function print(s: string): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    let k = min(n - i, CHUNK);
    // keep a surrogate pair in one chunk
    if (i + k < n && (s.charCodeAt(i + k - 1) & 0xfc00) == 0xd800) k--;
    const bytes = String.UTF8.encodeUnsafe(changetype<usize>(s) + (<usize>i << 1), k, buf);
    svc(SYS_DEBUG_PUTS, <i64>buf, <i64>bytes, 0, 0, 0, 0);
    i += k;
  }
}
/** Prints a string and a newline. */
export function println(s: string): void { print(s); putc(10); }
/** Prints one byte. */
export function putc(c: i32): void { svc(SYS_DEBUG_PUTCHAR, c, 0, 0, 0, 0, 0); }

/** Prints a signed decimal number. */
export function printNum(v: i64): void {
  if (v < 0) { putc(45); v = -v; }
  let n = 0;
  let u = <u64>v;
  do { store<u8>(buf + n++, <u8>(48 + <i32>(u % 10))); u /= 10; } while (u != 0);
  for (let i = 0; i < n / 2; i++) { let a = load<u8>(buf + i); store<u8>(buf + i, load<u8>(buf + n - 1 - i)); store<u8>(buf + n - 1 - i, a); }
  svc(SYS_DEBUG_PUTS, <i64>buf, n, 0, 0, 0, 0);
}
/** Prints a number in hexadecimal with "0x" and no leading zeros. */
export function printHex(v: u64): void {
  print("0x");
  let digits = 1;
  while (digits < 16 && (v >> (<u64>digits * 4)) != 0) digits++;
  for (let i = digits - 1; i >= 0; i--) {
    let d = <i32>(v >> (<u64>i * 4)) & 0xf;
    putc(d < 10 ? 48 + d : 87 + d);
  }
}
/** Sets the thread's name as the kernel shows it (≤ 23 bytes). */
export function setName(s: string): void {
  svc(SYS_DEBUG_NAME, <i64>nameWord(s, 0), <i64>nameWord(s, 1), <i64>nameWord(s, 2), 0, 0, 0);
}
/** Prints the thread's capability space on the kernel console. */
export function dumpCaps(): void { svc(SYS_DEBUG_DUMP_CAPS, 0, 0, 0, 0, 0, 0); }

/** AssemblyScript abort(): prints "abort: <message> at <file>:<line>" and exits the thread with 134. */
export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  print("abort: ");
  if (message !== null) print(message);
  if (fileName !== null) { print(" at "); print(fileName); print(":"); printNum(line); }
  putc(10);
  exit(134);
  unreachable();
}
