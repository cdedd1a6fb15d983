// A typical mistake: the label is the caller's to choose; it says nothing about who called.
import { recv, replyRecv, infoLabel, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
recv(EP);
while (true) replyRecv(EP, msgInfo(0, 0, 1), <i64>infoLabel());
