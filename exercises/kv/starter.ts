// kv — PUT (1: key, value) and GET (2: key); NO_ENTRY (33) for a key never PUT.
import { recv, replyRecv, infoLabel, mr, msgInfo } from "../lib";

const EP: u64 = 5;

recv(EP);
while (true) {
  // TODO
  replyRecv(EP, msgInfo(32, 0, 0));
}
