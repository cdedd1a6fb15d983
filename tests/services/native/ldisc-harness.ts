// Native harness for services/console/ldisc.ts and services/shell/parse.ts.
import { LineDisc } from "../../../services/console/ldisc";
import { parseLine, resolvePath } from "../../../services/shell/parse";

const ld = new LineDisc();
const scratchBuf = changetype<usize>(new ArrayBuffer(4096));
export function scratch(): usize { return scratchBuf; }
function str(len: i32): string { return String.UTF8.decodeUnsafe(scratchBuf, len); }
function out(s: string): i32 { return <i32>String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, scratchBuf); }

/** Feeds n bytes from scratch; returns the last non-NONE result. Echo is collected. */
let echoLen: i32 = 0;
const echoBuf = changetype<usize>(new ArrayBuffer(8192));
export function feed(n: i32): i32 {
  const input = changetype<usize>(new ArrayBuffer(n));
  memory.copy(input, scratchBuf, n);
  let r = 0;
  for (let i = 0; i < n; i++) {
    const x = ld.feed(load<u8>(input + i));
    memory.copy(echoBuf + echoLen, ld.out, ld.outLen);
    echoLen += ld.outLen;
    ld.outLen = 0;
    if (x != 0) { r = x; if (x == 1) { memory.copy(scratchBuf, ld.done, ld.doneLen); lineLen = ld.doneLen; } }
  }
  return r;
}
let lineLen: i32 = 0;
export function line(): i32 { memory.copy(scratchBuf, ld.done, ld.doneLen); return lineLen; }
export function echo(): i32 { memory.copy(scratchBuf, echoBuf, echoLen); const n = echoLen; echoLen = 0; return n; }

/** Parses the line in scratch: returns a JSON-ish description in scratch. */
export function parse(n: i32): i32 {
  const c = parseLine(str(n));
  let s = "argv=" + c.argv.join("|") + ";redirect=" + c.redirect + ";append=" + (c.append ? "1" : "0") + ";error=" + c.error;
  return out(s);
}
export function resolve(cwdLen: i32, pLen: i32): i32 {
  const cwd = String.UTF8.decodeUnsafe(scratchBuf, cwdLen);
  const p = String.UTF8.decodeUnsafe(scratchBuf + cwdLen, pLen);
  return out(resolvePath(cwd, p));
}
