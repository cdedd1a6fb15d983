// IPC protocol attacks: reply without a reply cap, reply twice, overflowing lengths and extra-cap
// counts, extra caps that do not exist, send to a deleted endpoint, a callee that dies mid-call.
import {
  T_ENDPOINT, R_ALL, R_WRITE, SLOT_CNODE, SLOT_TCB, reply, nbSend, send, nbRecv, cnodeDelete, cnodeCopy, msgInfo, setCap, svc,
  tcbSetPriority, call, print, printNum, println, setName,
} from "../../../services/lib";
import { make, alloc, start, give, run } from "../../kernel/programs/common";
import { expectErr, done } from "./expect";
setName("init");
expectErr(reply(msgInfo(1, 0, 1), 5), 0, "reply with no one waiting (nothing happens)");
expectErr(reply(msgInfo(1, 0, 1), 5), 0, "reply twice");
let ep = make(T_ENDPOINT);
expectErr(nbSend(ep, msgInfo(1, 0, 127)), 12, "length 127 (> 64) with no receiver: WouldBlock");
expectErr(svc(2, <i64>ep, -1, 0, 0, 0, 0), 12, "message info of all ones: WouldBlock");
setCap(0, 900); setCap(1, 0xffff_ffff_ffff); setCap(2, 0);
expectErr(nbSend(ep, msgInfo(1, 3, 2)), 12, "three extra caps that do not exist");
let gone = alloc();
expectErr(cnodeCopy(SLOT_CNODE, gone, ep, R_ALL), 0, "a copy to delete");
expectErr(cnodeDelete(SLOT_CNODE, gone), 0, "delete it");
expectErr(nbSend(gone, msgInfo(1, 0, 0)), 6, "send to the deleted endpoint cap");
// a callee that dies mid-call: it receives our Call and exits without replying
let srvEp = make(T_ENDPOINT);
let srv = start("dier.wasm", 20);
give(srv, 4, srvEp, R_ALL);
run(srv);
let e = call(srvEp, msgInfo(7, 0, 1), 42);
print("ipc: call to the dying server returned "); printNum(e); println("");
// the server exited holding our reply cap; we were woken when it went (Cancelled)
expectErr(e, 13, "call whose callee exits: Cancelled");
// a callee that faults with no fault handler holding our reply cap: nobody will restart it
let srvEp2 = make(T_ENDPOINT);
let srv2 = start("dier.wasm", 20);
give(srv2, 4, srvEp2, R_ALL);
run(srv2);
expectErr(call(srvEp2, msgInfo(7, 0, 1), 43), 13, "call whose callee faults with no handler: Cancelled");
done("ipc");
