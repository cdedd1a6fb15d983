// adder — ADD (label 1): reply with the sum of the words; anything else: BAD_MESSAGE (label 32).
import { recv, replyRecv, infoLabel, infoLength, mr, msgInfo, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const ADD: u64 = 1;

recv(EP);
while (true) {
  // TODO
  replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
}
