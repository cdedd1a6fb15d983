// broker — gives each client its own badged, send-only capability to this endpoint.
import { recv, replyRecv, infoLabel, badge, msgInfo, setCap, cnodeMint, allocSlot, SLOT_CNODE, R_WRITE, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const CONNECT: u64 = 1, HELLO: u64 = 2;

recv(EP);
while (true) {
  const label = infoLabel();
  if (label == CONNECT) {
    // TODO: mint a badged capability with the right rights and reply with it
    replyRecv(EP, msgInfo(0, 0, 0));
  } else if (label == HELLO) {
    // TODO: reply with the badge
    replyRecv(EP, msgInfo(0, 0, 1), 0);
  } else {
    replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
  }
}
