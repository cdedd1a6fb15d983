// broker — gives each client its own badged, send-only capability to this endpoint.
import { recv, replyRecv, infoLabel, badge, msgInfo, setCap, cnodeMint, allocSlot, SLOT_CNODE, R_WRITE, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const CONNECT: u64 = 1, HELLO: u64 = 2;
let nextBadge: u64 = 1;

recv(EP);
while (true) {
  const label = infoLabel();
  if (label == CONNECT) {
    const slot = allocSlot();
    if (slot != 0 && cnodeMint(SLOT_CNODE, slot, EP, R_WRITE, nextBadge) == 0) {
      nextBadge++;
      setCap(0, slot);
      replyRecv(EP, msgInfo(0, 1, 0));
    } else {
      replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
    }
  } else if (label == HELLO) {
    replyRecv(EP, msgInfo(0, 0, 1), badge());
  } else {
    replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
  }
}
