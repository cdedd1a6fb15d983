// Capability transfer needs Grant: a send with an extra cap through a cap without Grant fails;
// through a cap with Grant the receiver gets a working copy in its receive slot.
import {
  T_ENDPOINT, T_NOTIFICATION, R_READ, R_WRITE, R_GRANT, R_ALL, SLOT_CNODE, send, wait, setCap, msgInfo, badge, cnodeCopy, cnodeMint,
  print, println, printNum, setName,
} from "../../../services/lib";
import { make, start, give, run, alloc, check } from "./common";
setName("init");
let ep = make(T_ENDPOINT);
let n = make(T_NOTIFICATION);
let r = start("receiver.wasm", 15);
give(r, 4, ep, R_READ);
run(r);
let noGrant = alloc();
check(cnodeCopy(SLOT_CNODE, noGrant, ep, R_WRITE), "copy");
let withGrant = alloc();
check(cnodeCopy(SLOT_CNODE, withGrant, ep, R_WRITE | R_GRANT), "copy");
let nb = alloc();
check(cnodeMint(SLOT_CNODE, nb, n, R_WRITE, 5), "mint");
setCap(0, nb);
let e1 = send(noGrant, msgInfo(9, 1, 1), 1);
setCap(0, nb);
let e2 = send(withGrant, msgInfo(9, 1, 1), 2);
wait(n);
let got = badge();
print("init: send cap without grant: "); printNum(e1); println("");
print("init: send cap with grant: "); printNum(e2); println("");
print("init: got signal from the transferred cap, badge "); printNum(got); println("");
