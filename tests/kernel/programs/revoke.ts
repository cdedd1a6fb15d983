// Mint / revoke: a child holds a badged copy of our endpoint cap. After we revoke the original,
// the child's copy is gone (its next call fails: lookup), and deleting the last cap destroys the
// endpoint (a caller blocked on it gets E_CANCELLED).
import {
  T_ENDPOINT, R_WRITE, R_READ, R_ALL, SLOT_CNODE, recv, reply, mr, badge, msgInfo, cnodeRevoke, cnodeDelete, cnodeCopy,
  nbSend, print, println, printNum, setName, yieldCpu,
} from "../../../services/lib";
import { make, start, give, run, alloc, check } from "./common";
setName("init");
let ep = make(T_ENDPOINT);
let mine = alloc();
check(cnodeCopy(SLOT_CNODE, mine, ep, R_ALL), "copy");
let c = start("caller.wasm", 15);
give(c, 4, ep, R_WRITE, 0x77);
run(c);
recv(ep);
let b = badge(), v = mr(0);
print("init: call from badge "); printNum(b); print(" value "); printNum(v); println("");
reply(msgInfo(0, 0, 1), 42);
// the child is blocked in its second call now (queued on the endpoint)
check(cnodeRevoke(SLOT_CNODE, ep), "revoke");
print("init: after revoke, original: "); printNum(nbSend(ep, msgInfo(0, 0, 0))); println("");
print("init: after revoke, derived copy: "); printNum(nbSend(mine, msgInfo(0, 0, 0))); println("");
check(cnodeDelete(SLOT_CNODE, ep), "delete"); // the last cap: the endpoint is destroyed
print("init: after delete: "); printNum(nbSend(ep, msgInfo(0, 0, 0))); println("");
