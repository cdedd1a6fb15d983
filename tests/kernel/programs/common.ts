// Shared helpers for the kernel test programs (init side): slot allocation, objects from Untyped,
// spawning boot-image files, giving caps to children.
import {
  biFirstEmpty, biUntypedCount, biUntypedBits, biUntypedSlot, biFindFile, retype, spawn, cnodeCopy, cnodeMint,
  tcbResume, tcbWriteRegister, print, println, printNum, exit, SLOT_BOOT_IMAGE, R_ALL,
} from "../../../services/lib";

let next: u64 = 0;
let ut: u64 = 0;

export function alloc(): u64 {
  if (next == 0) next = <u64>biFirstEmpty();
  return next++;
}

/** The largest Untyped cap init was given. */
export function untyped(): u64 {
  if (ut != 0) return ut;
  let best: u32 = 0;
  for (let i: u32 = 0; i < biUntypedCount(); i++) if (biUntypedBits(i) > biUntypedBits(best)) best = i;
  ut = <u64>biUntypedSlot(best);
  return ut;
}

export function check(e: i64, what: string): void {
  if (e != 0) { print("FAIL "); print(what); print(": error "); printNum(e); println(""); exit(1); }
}

/** A new object of `type` from the big Untyped, in a fresh slot. */
export function make(type: i64, bits: i64 = 0): u64 {
  let s = alloc();
  check(retype(untyped(), type, bits, s, 1), "retype");
  return s;
}

/** Spawns boot file `name` at `prio`; returns the TCB slot (VSpace = +1, CNode = +2). */
export function start(name: string, prio: i64): u64 {
  let f = biFindFile(name);
  if (f < 0) { print("FAIL no file "); println(name); exit(1); }
  let s = alloc(); alloc(); alloc();
  check(spawn(SLOT_BOOT_IMAGE, f, prio, s, 6, untyped()), "spawn");
  return s;
}

/** Copies (badge 0) or mints the cap in our slot `src` into the child's CNode index `dest`. */
export function give(child: u64, dest: u64, src: u64, rights: i64 = R_ALL, badge: i64 = 0): void {
  if (badge == 0) check(cnodeCopy(child + 2, dest, src, rights), "give copy");
  else check(cnodeMint(child + 2, dest, src, rights, badge), "give mint");
}

/** Sets X0 (read by the child with reg(0) before its first syscall) and starts it. */
export function run(child: u64, arg0: i64 = 0, arg1: i64 = 0): void {
  check(tcbWriteRegister(child, 0, arg0), "write x0");
  check(tcbWriteRegister(child, 1, arg1), "write x1");
  check(tcbResume(child), "resume");
}
