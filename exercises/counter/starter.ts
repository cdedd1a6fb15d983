// counter — INCREMENT (1) and GET (2) on a count that starts at 0.
import { recv, replyRecv, infoLabel, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;

recv(EP);
while (true) {
  // TODO
  replyRecv(EP, msgInfo(32, 0, 0));
}
