// faults — the page-fault lesson's program. `spawn faults`: touches four fresh 4 KiB heap pages
// (each first touch is a data abort the kernel resolves by demand paging: a zeroed frame is mapped
// and the load/store restarts), then reads through a null pointer (VA 0, the never-mapped null
// page): a fault no mapping resolves, so the kernel stops the thread (or hands it to its fault
// handler). `spawn overflow` (same program, args "overflow") recurses until the value stack runs
// into the guard page above SPLIM: a data abort at the guard page.
import { SLOT_PROC, print } from "../lib";
import * as proc from "../gen/proc";

const PAGE: usize = 4096;

function say(s: string): void { print("faults: " + s + "\n"); }

/** Deep enough that 256 KiB of stack cannot hold it; `keep` stops the compiler folding the frames. */
function recurse(depth: i32, keep: i64): i64 {
  if (depth == 0) return keep;
  return recurse(depth - 1, keep + <i64>depth) + 1;
}

const argsR = new proc.ArgsReply();
proc.args(SLOT_PROC, argsR);
if (argsR.args.indexOf("overflow") >= 0) {
  say("recursing until the stack reaches its guard page");
  const r = recurse(1 << 30, 0);
  say("unreachable: recursion returned " + r.toString());
} else {
  // Fresh pages: grow linear memory by one 64 KiB wasm page and touch four of its 4 KiB pages.
  const before = memory.grow(1);
  if (before < 0) say("memory.grow failed");
  else {
    const base = <usize>before << 16;
    for (let i: usize = 0; i < 4; i++) store<u32>(base + i * PAGE, <u32>(0xf00d0000 + i));
    let sum: u32 = 0;
    for (let i: usize = 0; i < 4; i++) sum += load<u32>(base + i * PAGE) & 0xffff;
    say("touched 4 fresh pages at 0x" + base.toString(16) + " (sum " + sum.toString() + ")");
  }
  say("reading through a null pointer");
  const v = load<u32>(0);
  say("unreachable: read " + v.toString());
}
