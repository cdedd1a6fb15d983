// A typical mistake: always adds the first two words, whatever the length.
import { recv, replyRecv, infoLabel, mr, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
recv(EP);
while (true) {
  if (infoLabel() != 1) { replyRecv(EP, msgInfo(32, 0, 0)); continue; }
  replyRecv(EP, msgInfo(0, 0, 1), mr(0) + mr(1));
}
