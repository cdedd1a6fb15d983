// A typical mistake: the count is a local of the loop body, so it starts over with every message.
import { recv, replyRecv, infoLabel, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
recv(EP);
while (true) {
  let count: i64 = 0;
  const label = infoLabel();
  if (label == 1) { count++; replyRecv(EP, msgInfo(0, 0, 1), count); }
  else if (label == 2) replyRecv(EP, msgInfo(0, 0, 1), count);
  else replyRecv(EP, msgInfo(32, 0, 0));
}
