// A typical mistake: handing out the broker's own capability — unbadged, and with Read.
import { recv, replyRecv, infoLabel, badge, msgInfo, setCap, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const CONNECT: u64 = 1, HELLO: u64 = 2;

recv(EP);
while (true) {
  const label = infoLabel();
  if (label == CONNECT) {
    setCap(0, EP);
    replyRecv(EP, msgInfo(0, 1, 0));
  } else if (label == HELLO) {
    replyRecv(EP, msgInfo(0, 0, 1), badge());
  } else {
    replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
  }
}
