// TCB.ReadRegisters / WriteRegisters range checks (issue 9): a first index near 2^64 must not wrap
// the range test, and nothing outside slots 0..16 may be read or written. The TCB is retyped right
// after a CNode in the same Untyped, so a 32-bit-cut address 32 bytes before it is a CNode slot.
import {
  T_ENDPOINT, T_TCB, T_CNODE, T_UNTYPED, R_ALL, SLOT_CNODE, SLOT_TCB, TCB_READ_REGISTERS, TCB_WRITE_REGISTERS,
  invoke, mr, retype, cnodeCopy, nbSend, msgInfo, print, println, printNum, setName,
} from "../../../services/lib";
import { alloc, untyped, check, make } from "./common";
setName("init");

function show(what: string, e: i64): void { print("regs: "); print(what); print(": "); printNum(e); println(""); }

// own TCB: ReadRegisters
show("read first 2^64-1", invoke(SLOT_TCB, TCB_READ_REGISTERS, 1, -1));
show("read first 2^64-4", invoke(SLOT_TCB, TCB_READ_REGISTERS, 1, -4));
show("read first 17", invoke(SLOT_TCB, TCB_READ_REGISTERS, 1, 17));
let e = invoke(SLOT_TCB, TCB_READ_REGISTERS, 1, 15);
print("regs: read first 15: "); printNum(e); print(" mr2 "); printNum(mr(2)); print(" mr3 "); printNum(mr(3)); println("");

// a fresh 4 KiB Untyped: a radix-5 CNode (1 KiB) and right after it a TCB (1 KiB)
let ut = alloc();
check(retype(untyped(), T_UNTYPED, 12, ut, 1), "untyped");
let cn = alloc();
check(retype(ut, T_CNODE, 5, cn, 1), "cnode");
let tcb = alloc();
check(retype(ut, T_TCB, 0, tcb, 1), "tcb");
let ep = make(T_ENDPOINT);
check(cnodeCopy(cn, 31, ep, R_ALL), "copy into the last slot"); // the 32 bytes before the TCB

show("write first 2^64-4", invoke(tcb, TCB_WRITE_REGISTERS, 4, -4, 0x41, 0x42, 0x43));
show("write first 2^64-1", invoke(tcb, TCB_WRITE_REGISTERS, 2, -1, 0x41));
show("write first 17", invoke(tcb, TCB_WRITE_REGISTERS, 2, 17, 1));
show("write 15..17", invoke(tcb, TCB_WRITE_REGISTERS, 4, 15, 1, 2, 3));
show("write 14..16", invoke(tcb, TCB_WRITE_REGISTERS, 4, 14, 1, 2, 3));
show("read other first 2^64-4", invoke(tcb, TCB_READ_REGISTERS, 1, -4));
// the endpoint cap in the CNode's last slot is untouched: copy it back and use it
let back = alloc();
show("copy back", cnodeCopy(SLOT_CNODE, back, 31, R_ALL, cn));
show("use copy", nbSend(back, msgInfo(0, 0, 0))); // 12: a live endpoint with no receiver
println("regs: done");
