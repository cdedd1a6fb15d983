// A typical mistake: only the first word is sent back.
import { recv, replyRecv, mr, msgInfo } from "../lib";

const EP: u64 = 5;
recv(EP);
while (true) replyRecv(EP, msgInfo(0, 0, 1), mr(0));
