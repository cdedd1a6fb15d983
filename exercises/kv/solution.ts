// kv — PUT (1: key, value) and GET (2: key); NO_ENTRY (33) for a key never PUT.
import { recv, replyRecv, infoLabel, mr, msgInfo, SLOT_SELF } from "../lib";
import { BAD_MESSAGE, NO_ENTRY } from "../gen/errors";

const EP = SLOT_SELF;
const PUT: u64 = 1, GET: u64 = 2;
const table = new Map<i64, i64>();

recv(EP);
while (true) {
  const label = infoLabel();
  if (label == PUT) {
    table.set(mr(0), mr(1));
    replyRecv(EP, msgInfo(0, 0, 0));
  } else if (label == GET) {
    const key = mr(0);
    if (table.has(key)) replyRecv(EP, msgInfo(0, 0, 1), table.get(key));
    else replyRecv(EP, msgInfo(NO_ENTRY, 0, 0));
  } else replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
}
