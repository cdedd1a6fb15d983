// A typical mistake: polling for the next message instead of blocking in recv (busy-waiting).
import { nbRecv, reply, send, infoLabel, mr, msgInfo, cnodeSaveCaller, SLOT_CNODE, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const PUT: u64 = 1, GET: u64 = 2;
const CAPACITY: i32 = 4;
const PRODUCER: u64 = 16, CONSUMER: u64 = 17;

const items = new StaticArray<i64>(CAPACITY);
let head = 0, count = 0;
let producerWaits = false, waitingItem: i64 = 0;
let consumerWaits = false;

function push(x: i64): void { items[(head + count) % CAPACITY] = x; count++; }
function pop(): i64 { const x = items[head]; head = (head + 1) % CAPACITY; count--; return x; }

while (true) {
  if (nbRecv(EP) != 0) continue; // nothing there yet: look again
  const label = infoLabel();
  if (label == PUT) {
    const x = mr(0);
    if (count == CAPACITY) { cnodeSaveCaller(SLOT_CNODE, PRODUCER); producerWaits = true; waitingItem = x; continue; }
    push(x);
    if (consumerWaits) { consumerWaits = false; send(CONSUMER, msgInfo(0, 0, 1), pop()); }
    reply(msgInfo(0, 0, 0));
  } else if (label == GET) {
    if (count == 0) { cnodeSaveCaller(SLOT_CNODE, CONSUMER); consumerWaits = true; continue; }
    const x = pop();
    if (producerWaits) { producerWaits = false; push(waitingItem); send(PRODUCER, msgInfo(0, 0, 0)); }
    reply(msgInfo(0, 0, 1), x);
  } else {
    reply(msgInfo(BAD_MESSAGE, 0, 0));
  }
}
