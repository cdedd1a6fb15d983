// buffer — a bounded buffer of 4 items between a producer (PUT) and a consumer (GET).
import { recv, replyRecv, send, infoLabel, mr, msgInfo, cnodeSaveCaller, SLOT_CNODE, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const PUT: u64 = 1, GET: u64 = 2;
const CAPACITY: i32 = 4;
const PRODUCER: u64 = 16, CONSUMER: u64 = 17; // slots for a waiting caller's reply capability

recv(EP);
while (true) {
  const label = infoLabel();
  if (label == PUT) {
    // TODO: keep mr(0); make the producer wait when the buffer is full
    replyRecv(EP, msgInfo(0, 0, 0));
  } else if (label == GET) {
    // TODO: the oldest item; make the consumer wait when the buffer is empty
    replyRecv(EP, msgInfo(0, 0, 1), 0);
  } else {
    replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
  }
}
