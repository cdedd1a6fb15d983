// A typical mistake: a missing key answers 0 instead of NO_ENTRY.
import { recv, replyRecv, infoLabel, mr, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
const table = new Map<i64, i64>();
recv(EP);
while (true) {
  const label = infoLabel();
  if (label == 1) { table.set(mr(0), mr(1)); replyRecv(EP, msgInfo(0, 0, 0)); }
  else if (label == 2) replyRecv(EP, msgInfo(0, 0, 1), table.has(mr(0)) ? table.get(mr(0)) : 0);
  else replyRecv(EP, msgInfo(32, 0, 0));
}
