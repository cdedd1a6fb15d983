// A typical mistake: trusting a word of the message the caller wrote.
import { recv, replyRecv, mr, msgInfo } from "../lib";

const EP: u64 = 5;
recv(EP);
while (true) replyRecv(EP, msgInfo(0, 0, 1), mr(0));
