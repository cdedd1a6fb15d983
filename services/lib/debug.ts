// debug.ts — console output through the kernel's debug syscalls (until the console service owns
// the UART) and the abort handler used by every program (services/asconfig.json "use").

import * as S from "./sys";

const buf: usize = memory.data(512);

/** Prints an ASCII string (UTF-16 code units above 0x7f become '?'). */
export function print(s: string): void {
  let n = s.length;
  let i = 0;
  while (i < n) {
    let k = 0;
    while (k < 512 && i < n) {
      let c = s.charCodeAt(i++);
      store<u8>(buf + k++, c < 128 ? <u8>c : 63);
    }
    S.svc(S.SYS_DEBUG_PUTS, <i64>buf, k, 0, 0, 0, 0);
  }
}
export function println(s: string): void { print(s); S.svc(S.SYS_DEBUG_PUTCHAR, 10, 0, 0, 0, 0, 0); }
export function putc(c: i32): void { S.svc(S.SYS_DEBUG_PUTCHAR, c, 0, 0, 0, 0, 0); }

/** Prints a signed decimal number. */
export function printNum(v: i64): void {
  if (v < 0) { putc(45); v = -v; }
  let n = 0;
  let u = <u64>v;
  do { store<u8>(buf + n++, <u8>(48 + <i32>(u % 10))); u /= 10; } while (u != 0);
  for (let i = 0; i < n / 2; i++) { let a = load<u8>(buf + i); store<u8>(buf + i, load<u8>(buf + n - 1 - i)); store<u8>(buf + n - 1 - i, a); }
  S.svc(S.SYS_DEBUG_PUTS, <i64>buf, n, 0, 0, 0, 0);
}
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
  let w0: u64 = 0, w1: u64 = 0, w2: u64 = 0;
  for (let i = 0; i < min(s.length, 23); i++) {
    let c = <u64>(s.charCodeAt(i) & 0x7f) << (<u64>(i & 7) * 8);
    if (i < 8) w0 |= c; else if (i < 16) w1 |= c; else w2 |= c;
  }
  S.svc(S.SYS_DEBUG_NAME, <i64>w0, <i64>w1, <i64>w2, 0, 0, 0);
}
export function dumpCaps(): void { S.svc(S.SYS_DEBUG_DUMP_CAPS, 0, 0, 0, 0, 0, 0); }

/** AssemblyScript abort(): prints "abort: <message> at <file>:<line>" and exits the thread with 134. */
export function abort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  print("abort: ");
  if (message !== null) print(message);
  if (fileName !== null) { print(" at "); print(fileName); print(":"); printNum(line); }
  putc(10);
  S.exit(134);
  unreachable();
}
