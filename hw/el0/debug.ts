// Breakpoints and locations for the EL0 core (the CPU panel's debugger; docs/EL0.md "Debugging").
//
// A breakpoint names a program by its image (imageKey: length and FNV-1a hash of the bytes, so a
// service is recognised whichever thread or restart runs it), a function, and an instruction by its
// wasm byte offset in the image (or the function's entry). Arming it patches the decoded code: the
// internal opcode at that code index becomes OP.BREAK + op (the length stays known to opLength), and
// the function is never translated while patched, so only the interpreter meets it — it stops there
// before the instruction runs, with nothing retired (the core's breakHit). The next run() executes
// the patched instruction once with its original opcode (step over) and goes on.

import { OP, type Func, type Program } from './module';

export interface CodeBreakpoint {
  /** imageKey() of the program's image */
  image: string;
  func: number;
  /** byte offset of a wasm instruction in the image; -1 = the function's entry (its first instruction) */
  offset: number;
}

/** Where the core stopped, or where a register file points. */
export interface El0Location {
  program: Program;
  func: number;
  /** index into the function's internal code */
  pc: number;
  /** byte offset in the image of the wasm instruction at pc (the next one to execute) */
  offset: number;
}

/** A program's identity for breakpoints: image length and FNV-1a hash of its bytes. */
export function imageKey(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `${bytes.length}:${(h >>> 0).toString(16)}`;
}

const keys = new WeakMap<Program, string>();
/** imageKey of a decoded program (computed once). */
export function programKey(p: Program): string {
  let k = keys.get(p);
  if (k === undefined) { k = imageKey(p.image); keys.set(p, k); }
  return k;
}

/** The code index of the first instruction at or after wasm byte offset `offset` (-1: entry), or -1. */
export function codeIndexAt(fn: Func, offset: number): number {
  if (fn.code.length === 0) return -1;
  if (offset < 0) return 0;
  const so = fn.srcOffset;
  for (let pc = 0; pc < so.length; pc++) if (so[pc] >= offset) return pc;
  return -1;
}

/** Byte offset in the image of the instruction at code index pc (or the entry's, for PC_ENTER). */
export function offsetAt(fn: Func, pc: number): number {
  const so = fn.srcOffset;
  if (pc >= so.length || pc < 0) return so.length ? so[0] : fn.bodyOffset;
  for (let i = pc; i >= 0; i--) if (so[i] >= 0) return so[i];
  return fn.bodyOffset;
}

/** Restore every patched opcode of `p`; its functions may be translated again. */
export function disarm(p: Program): void {
  for (const f of p.funcs) {
    if (!f.brk) continue;
    for (const [pc, op] of f.brk) f.code[pc] = op;
    f.brk = null;
    f.jit = null; f.jitEntry = null; f.hot = 0;
  }
}

/** Patch the breakpoints that name `p` into its code (after disarming what was there). */
export function arm(p: Program, list: readonly CodeBreakpoint[]): void {
  disarm(p);
  if (list.length === 0) return;
  const key = programKey(p);
  for (const b of list) {
    if (b.image !== key || b.func < p.nImportedFuncs || b.func >= p.funcs.length) continue;
    const f = p.funcs[b.func];
    const pc = codeIndexAt(f, b.offset);
    if (pc < 0 || f.code[pc] >= OP.BREAK) continue;
    f.brk ??= new Map();
    f.brk.set(pc, f.code[pc]);
    f.code[pc] = OP.BREAK + f.code[pc];
    f.jit = false; f.jitEntry = null; // only the interpreter meets a breakpoint
  }
}
