// whoami — reply with the badge of the capability each caller used.
import { recv, replyRecv, badge, msgInfo } from "../lib";

const EP: u64 = 5;

recv(EP);
while (true) {
  // TODO
  replyRecv(EP, msgInfo(0, 0, 1), 0);
}
