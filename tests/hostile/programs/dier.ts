// Receives one message and exits without replying (the caller must not hang).
import { recv, print, println, printNum, mr, setName, exit } from "../../../services/lib";
setName("dier");
recv(4);
let got = mr(0);
print("dier: got "); printNum(got); println(", exiting without a reply");
exit(3);
