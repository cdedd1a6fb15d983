// counter — INCREMENT (1) and GET (2) on a count that starts at 0.
import { recv, replyRecv, infoLabel, msgInfo, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const INCREMENT: u64 = 1, GET: u64 = 2;
let count: i64 = 0;

recv(EP);
while (true) {
  const label = infoLabel();
  if (label == INCREMENT) { count++; replyRecv(EP, msgInfo(0, 0, 1), count); }
  else if (label == GET) replyRecv(EP, msgInfo(0, 0, 1), count);
  else replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
}
