// Receives one message and exits without replying, or (message 43) traps with no fault handler:
// either way the caller must not hang.
import { recv, print, println, printNum, mr, setName, exit } from "../../../services/lib";
setName("dier");
recv(4);
let got = mr(0);
if (got == 43) { print("dier: got 43, trapping without a reply"); println(""); unreachable(); }
print("dier: got "); printNum(got); println(", exiting without a reply");
exit(3);
