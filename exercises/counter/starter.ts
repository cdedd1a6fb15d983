// counter — INCREMENT (1) and GET (2) on a count that starts at 0.
import { recv, replyRecv, infoLabel, msgInfo } from "../lib";

const EP: u64 = 5;

recv(EP);
while (true) {
  // TODO
  replyRecv(EP, msgInfo(32, 0, 0));
}
