// counter — INCREMENT (1) and GET (2) on a count that starts at 0.
import { recv, replyRecv, infoLabel, msgInfo } from "../lib";

const EP: u64 = 5;
const INCREMENT: u64 = 1, GET: u64 = 2, BAD_MESSAGE: u64 = 32;
let count: i64 = 0;

recv(EP);
while (true) {
  const label = infoLabel();
  if (label == INCREMENT) { count++; replyRecv(EP, msgInfo(0, 0, 1), count); }
  else if (label == GET) replyRecv(EP, msgInfo(0, 0, 1), count);
  else replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
}
