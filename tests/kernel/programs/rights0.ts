// Rights on TCB / CNode / Untyped / VSpace caps (issue 9, documented in docs/SYSCALLS.md): as in
// seL4 the cap itself is the authority, so a rights-less copy still works; only VSpace.SetQuota
// needs Grant, and AddRegion refuses a kind cut to 32 bits.
import {
  T_ENDPOINT, T_TCB, T_CNODE, T_VSPACE, T_UNTYPED, SLOT_CNODE, SLOT_VSPACE, VSPACE_SET_QUOTA, VSPACE_ADD_REGION,
  TCB_SET_PRIORITY, retype, cnodeCopy, invoke, print, println, printNum, setName,
} from "../../../services/lib";
import { alloc, make, untyped, check } from "./common";
setName("init");
function show(what: string, e: i64): void { print("rights0: "); print(what); print(": "); printNum(e); println(""); }
let tcb = make(T_TCB);
let t0 = alloc();
check(cnodeCopy(SLOT_CNODE, t0, tcb, 0), "copy tcb without rights");
show("tcb set priority without rights", invoke(t0, TCB_SET_PRIORITY, 1, 3));
let c0 = alloc();
check(cnodeCopy(SLOT_CNODE, c0, SLOT_CNODE, 0), "copy cnode without rights");
let ep = make(T_ENDPOINT);
show("cnode copy through a rights-less cnode cap", cnodeCopy(c0, alloc(), ep, 7));
let vs = make(T_VSPACE);
let v0 = alloc();
check(cnodeCopy(SLOT_CNODE, v0, vs, 3), "copy vspace without grant");
show("set quota without grant", invoke(v0, VSPACE_SET_QUOTA, 1, 100));
show("set quota with grant", invoke(vs, VSPACE_SET_QUOTA, 1, 100));
show("set quota above the pool", invoke(vs, VSPACE_SET_QUOTA, 1, 1 << 40));
show("add region kind 2^32+2", invoke(vs, VSPACE_ADD_REGION, 4, 0x100000, 0x200000, 0x100000002, 3));
show("add region kind 2", invoke(vs, VSPACE_ADD_REGION, 4, 0x100000, 0x200000, 2, 3));
show("unmap at 2^48", invoke(vs, 49, 1, 0x1000000000000));
show("retype first slot 2^64-1", retype(untyped(), T_ENDPOINT, 0, 0xffffffffffffffff, 2));
println("rights0: done");
