// A typical mistake: trusting a word of the message the caller wrote.
import { recv, replyRecv, mr, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
recv(EP);
while (true) replyRecv(EP, msgInfo(0, 0, 1), mr(0));
