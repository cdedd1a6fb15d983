// A typical mistake: only the first word is sent back.
import { recv, replyRecv, mr, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
recv(EP);
while (true) replyRecv(EP, msgInfo(0, 0, 1), mr(0));
