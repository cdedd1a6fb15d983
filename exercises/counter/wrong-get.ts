// A typical mistake: GET counts too.
import { recv, replyRecv, infoLabel, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
let count: i64 = 0;
recv(EP);
while (true) {
  const label = infoLabel();
  if (label == 1 || label == 2) { count++; replyRecv(EP, msgInfo(0, 0, 1), count); }
  else replyRecv(EP, msgInfo(32, 0, 0));
}
