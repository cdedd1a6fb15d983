// A typical mistake: only the last PUT is remembered.
import { recv, replyRecv, infoLabel, mr, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
let key: i64 = 0, value: i64 = 0, have = false;
recv(EP);
while (true) {
  const label = infoLabel();
  if (label == 1) { key = mr(0); value = mr(1); have = true; replyRecv(EP, msgInfo(0, 0, 0)); }
  else if (label == 2) {
    if (have && mr(0) == key) replyRecv(EP, msgInfo(0, 0, 1), value);
    else replyRecv(EP, msgInfo(33, 0, 0));
  } else replyRecv(EP, msgInfo(32, 0, 0));
}
