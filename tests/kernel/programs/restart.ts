// A Recv interrupted by Suspend, then Resume (issue 9): as in seL4 the Recv runs again (it does
// not return its own slot number in X0); the message sent afterwards arrives normally.
import {
  T_ENDPOINT, R_ALL, nbSend, send, msgInfo, tcbSuspend, tcbResume, yieldCpu, print, println, printNum, setName,
} from "../../../services/lib";
import { make, start, give, run, check } from "./common";
setName("init");
let ep = make(T_ENDPOINT);
let c = start("waiter1.wasm", 15); // above us: it runs as soon as it is ready
give(c, 4, ep, R_ALL);
run(c);
yieldCpu(); yieldCpu();
check(tcbSuspend(c), "suspend");
check(tcbResume(c), "resume");
yieldCpu(); yieldCpu();
let r = nbSend(ep, msgInfo(3, 0, 1), 77);
print("restart: nbsend after resume: "); printNum(r); println("");
yieldCpu(); yieldCpu();
println("restart: done");
