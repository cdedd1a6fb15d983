// Receives one message and exits without replying (the caller must not hang).
import { recv, print, println, printNum, mr, setName, exit } from "../../../services/lib";
setName("dier");
recv(4);
print("dier: got "); printNum(mr(0)); println(", exiting without a reply");
exit(3);
