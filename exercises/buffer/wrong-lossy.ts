// A typical mistake: when the buffer is full the item is dropped and the producer told "done".
import { recv, replyRecv, send, infoLabel, mr, msgInfo, cnodeSaveCaller, SLOT_CNODE, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const PUT: u64 = 1, GET: u64 = 2;
const CAPACITY: i32 = 4;
const CONSUMER: u64 = 17;

const items = new StaticArray<i64>(CAPACITY);
let head = 0, count = 0;
let consumerWaits = false;

function push(x: i64): void { items[(head + count) % CAPACITY] = x; count++; }
function pop(): i64 { const x = items[head]; head = (head + 1) % CAPACITY; count--; return x; }

recv(EP);
while (true) {
  const label = infoLabel();
  if (label == PUT) {
    if (count < CAPACITY) push(mr(0)); // full: the item is lost
    if (consumerWaits && count > 0) { consumerWaits = false; send(CONSUMER, msgInfo(0, 0, 1), pop()); }
    replyRecv(EP, msgInfo(0, 0, 0));
  } else if (label == GET) {
    if (count == 0) { cnodeSaveCaller(SLOT_CNODE, CONSUMER); consumerWaits = true; recv(EP); continue; }
    replyRecv(EP, msgInfo(0, 0, 1), pop());
  } else {
    replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
  }
}
