// kv — PUT (1: key, value) and GET (2: key); NO_ENTRY (33) for a key never PUT.
import { recv, replyRecv, infoLabel, mr, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;

recv(EP);
while (true) {
  // TODO
  replyRecv(EP, msgInfo(32, 0, 0));
}
