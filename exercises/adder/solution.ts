// adder — ADD (label 1): reply with the sum of the words; anything else: BAD_MESSAGE (label 32).
import { recv, replyRecv, infoLabel, infoLength, mr, msgInfo, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const ADD: u64 = 1;

recv(EP);
while (true) {
  if (infoLabel() != ADD) {
    replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
    continue;
  }
  const n = min(infoLength(), 4);
  let sum: i64 = 0;
  for (let i: u32 = 0; i < n; i++) sum += mr(<i32>i);
  replyRecv(EP, msgInfo(0, 0, 1), sum);
}
