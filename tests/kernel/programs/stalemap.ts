// A frame cap of a deleted address space (issue 9): F maps a page in V1, then V1 is deleted. New
// address spaces take every ASID (so one of them reuses V1's), each mapping a copy of the same frame
// at the same VA. F.Unmap must then remove none of their mappings (VSpace.Unmap of that VA answers
// 3 = IllegalOperation while a frame cap's page is there, 6 once it is gone).
import {
  T_FRAME, T_VSPACE, R_ALL, SLOT_CNODE, VSPACE_UNMAP, retype, frameMap, frameUnmap, cnodeCopy, cnodeDelete, invoke,
  print, println, printNum, setName,
} from "../../../services/lib";
import { alloc, untyped, check } from "./common";
setName("init");
const VA: u64 = 0x7000_0000;
let f = alloc();
check(retype(untyped(), T_FRAME, 0, f, 1), "frame");
let v1 = alloc();
check(retype(untyped(), T_VSPACE, 0, v1, 1), "vspace 1");
check(frameMap(f, v1, VA, 3), "map in v1");
check(cnodeDelete(SLOT_CNODE, v1), "delete v1");
let vs: u64[] = [];
for (let i = 0; i < 254; i++) { // init has one ASID: these take the other 254, V1's among them
  let v = alloc();
  check(retype(untyped(), T_VSPACE, 0, v, 1), "vspace");
  let fc = alloc();
  check(cnodeCopy(SLOT_CNODE, fc, f, R_ALL), "copy frame");
  check(frameMap(fc, v, VA, 3), "map copy");
  vs.push(v);
}
print("stalemap: stale unmap: "); printNum(frameUnmap(f)); println("");
check(cnodeDelete(SLOT_CNODE, f), "delete the stale cap"); // deleting it must not unmap either
let broken = 0;
for (let i = 0; i < vs.length; i++) if (invoke(vs[i], VSPACE_UNMAP, 1, <i64>VA) != 3) broken++;
print("stalemap: "); printNum(vs.length); print(" address spaces, mappings removed by the stale cap: "); printNum(broken); println("");
println("stalemap: done");
