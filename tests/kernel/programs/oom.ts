// Out of memory is an error, never a trap: retype 4 KiB frames from the smallest Untyped until it
// is exhausted; the kernel answers E_NOT_ENOUGH_MEMORY (10) with MR0 = bytes left.
import {
  T_FRAME, T_CNODE, T_UNTYPED, retype, mr, biUntypedCount, biUntypedBits, biUntypedSlot, print, println, printNum, setName,
} from "../../../services/lib";
import { alloc, untyped } from "./common";
setName("init");
let small: u32 = 0;
for (let i: u32 = 0; i < biUntypedCount(); i++) if (biUntypedBits(i) < biUntypedBits(small)) small = i;
let ut = <u64>biUntypedSlot(small);
let n = 0;
let e: i64 = 0;
while (true) {
  e = retype(ut, 8 /* frame */, 0, alloc(), 1);
  if (e != 0) break;
  n++;
}
let left = mr(0);
print("oom: "); printNum(n); print(" frames from a 2^"); printNum(biUntypedBits(small)); print(" untyped, then error ");
printNum(e); print(" (bytes left "); printNum(left); println(")");
// too large a request from the big one
print("oom: huge cnode: "); printNum(retype(untyped(), T_CNODE, 40, alloc(), 1)); println("");
print("oom: 256 x 1 MiB untyped: "); printNum(retype(untyped(), T_UNTYPED, 20, alloc(), 200)); println("");
println("oom: still running");
