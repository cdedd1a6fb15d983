// Threads that delete their own CNode, TCB and VSpace while running (programs/victim.ts), one victim
// process each; a bystander (benign) runs after them. init drops its caps to each victim's object
// first, so the victim deletes the last cap held in any CNode.
import { SLOT_CNODE, SLOT_TCB, cnodeDelete, tcbSetPriority, yieldCpu, println, setName } from "../../../services/lib";
import { start, run } from "../../kernel/programs/common";
import { expectErr, done } from "./expect";
setName("init");
expectErr(tcbSetPriority(SLOT_TCB, 25), 0, "set our priority");
// role 1: own CNode (init drops its CNode cap); 2: own TCB (drops the TCB cap); 3: own VSpace
// (drops the VSpace cap); 4: VSpace then TCB (drops those two), so the address space is destroyed
// while it is the current one. A TCB keeps its CSpace root and VSpace alive (its own slots hold
// caps to them, as in seL4): deleting the last CNode-held cap to either leaves the thread running.
let v1 = start("victim.wasm", 20);
run(v1, 1);
expectErr(cnodeDelete(SLOT_CNODE, v1 + 2), 0, "drop our cap to victim 1's CNode");
let v2 = start("victim.wasm", 20);
run(v2, 2);
expectErr(cnodeDelete(SLOT_CNODE, v2), 0, "drop our cap to victim 2's TCB");
let v3 = start("victim.wasm", 20);
run(v3, 3);
expectErr(cnodeDelete(SLOT_CNODE, v3 + 1), 0, "drop our cap to victim 3's VSpace");
let v4 = start("victim.wasm", 20);
run(v4, 4);
expectErr(cnodeDelete(SLOT_CNODE, v4), 0, "drop our cap to victim 4's TCB");
expectErr(cnodeDelete(SLOT_CNODE, v4 + 1), 0, "drop our cap to victim 4's VSpace");
let b = start("benign.wasm", 15);
run(b);
expectErr(tcbSetPriority(SLOT_TCB, 18), 0, "let the victims run");
// the victims (20) have run and stopped; the bystander (15) runs after us
println("selfdel: still running");
done("selfdel");
