// Faults delivered to a handler: four children, each faulting differently (X0 = mode), with our
// endpoint (badge = mode + 1) as their fault handler. A reply with label 0 restarts the thread;
// we restart the null-pointer writer once, then suspend it.
import {
  T_ENDPOINT, R_WRITE, R_ALL, SLOT_CNODE, recv, reply, mr, badge, infoLabel, msgInfo, tcbSetFaultHandler, tcbSuspend,
  cnodeMint, print, println, printNum, printHex, setName,
} from "../../../services/lib";
import { make, start, run, alloc, check } from "./common";
setName("init");
let ep = make(T_ENDPOINT);
let kids: u64[] = [];
for (let mode = 0; mode < 4; mode++) {
  let c = start("crasher.wasm", 15);
  let fe = alloc();
  check(cnodeMint(SLOT_CNODE, fe, ep, R_WRITE, mode + 1), "mint");
  check(tcbSetFaultHandler(c, fe), "set fault handler");
  kids.push(c);
}
for (let mode = 0; mode < 4; mode++) run(kids[mode], mode);
let restarted = false;
let got = 0;
while (got < 5) {
  recv(ep);
  let kind = infoLabel(), b = badge(), addr = mr(0), code = mr(1), tid = mr(3);
  print("fault: badge "); printNum(b); print(" kind "); printNum(<i64>kind); print(" addr "); printHex(<u64>addr);
  print(" code "); printNum(code & 0x1ffffff); print(" tid "); printNum(tid); println("");
  got++;
  if (b == 1 && !restarted) { restarted = true; reply(msgInfo(0, 0, 0)); continue; } // retry once
  check(tcbSuspend(kids[<i32>b - 1]), "suspend");
}
println("faults: done");
