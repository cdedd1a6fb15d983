// A frame cap of a deleted address space (issue 9): F maps a page in V1, V1 is deleted. Then new
// address spaces come and go (so V1's ASID is reused), each mapping a copy of the same frame at the
// same VA; F.Unmap must never remove their mapping (VSpace.Unmap of that VA answers 3 =
// IllegalOperation while a frame cap's page is there, 6 once it is gone).
import {
  T_FRAME, T_VSPACE, T_UNTYPED, R_ALL, SLOT_CNODE, VSPACE_UNMAP, retype, frameMap, frameUnmap, cnodeCopy, cnodeDelete,
  cnodeRevoke, invoke, print, println, printNum, setName,
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
println("stalemap: v1 deleted");
let u = alloc();
check(retype(untyped(), T_UNTYPED, 12, u, 1), "untyped");
let v2 = alloc();
let f2 = alloc();
let broken = 0;
for (let i = 0; i < 300; i++) {
  check(retype(u, T_VSPACE, 0, v2, 1), "vspace 2");
  check(cnodeCopy(SLOT_CNODE, f2, f, R_ALL), "copy frame");
  check(frameMap(f2, v2, VA, 3), "map in v2");
  let e = frameUnmap(f); // the stale cap
  let still = invoke(v2, VSPACE_UNMAP, 1, <i64>VA);
  if (e != 0 || still != 3) broken++;
  check(frameUnmap(f2), "unmap f2");
  check(cnodeDelete(SLOT_CNODE, f2), "delete f2");
  check(cnodeRevoke(SLOT_CNODE, u), "revoke u"); // v2 dies, its ASID is free again
}
print("stalemap: 300 address spaces, mappings removed by the stale cap: "); printNum(broken); println("");
println("stalemap: done");
