// buffer — a bounded buffer of 4 items between a producer (PUT) and a consumer (GET).
import { recv, replyRecv, send, infoLabel, mr, msgInfo, cnodeSaveCaller, SLOT_CNODE, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const PUT: u64 = 1, GET: u64 = 2;
const CAPACITY: i32 = 4;
const PRODUCER: u64 = 16, CONSUMER: u64 = 17; // slots for a waiting caller's reply capability

const items = new StaticArray<i64>(CAPACITY);
let head = 0, count = 0;
let producerWaits = false, waitingItem: i64 = 0;
let consumerWaits = false;

function push(x: i64): void { items[(head + count) % CAPACITY] = x; count++; }
function pop(): i64 { const x = items[head]; head = (head + 1) % CAPACITY; count--; return x; }

recv(EP);
while (true) {
  const label = infoLabel();
  if (label == PUT) {
    const x = mr(0);
    if (count == CAPACITY) {
      cnodeSaveCaller(SLOT_CNODE, PRODUCER); // answered when a GET makes room
      producerWaits = true;
      waitingItem = x;
      recv(EP);
      continue;
    }
    push(x);
    if (consumerWaits) { consumerWaits = false; send(CONSUMER, msgInfo(0, 0, 1), pop()); }
    replyRecv(EP, msgInfo(0, 0, 0));
  } else if (label == GET) {
    if (count == 0) {
      cnodeSaveCaller(SLOT_CNODE, CONSUMER); // answered by the next PUT
      consumerWaits = true;
      recv(EP);
      continue;
    }
    const x = pop();
    if (producerWaits) { producerWaits = false; push(waitingItem); send(PRODUCER, msgInfo(0, 0, 0)); }
    replyRecv(EP, msgInfo(0, 0, 1), x);
  } else {
    replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
  }
}
