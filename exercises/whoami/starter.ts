// whoami — reply with the badge of the capability each caller used.
import { recv, replyRecv, badge, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;

recv(EP);
while (true) {
  // TODO
  replyRecv(EP, msgInfo(0, 0, 1), 0);
}
