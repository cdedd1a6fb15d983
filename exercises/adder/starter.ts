// adder — ADD (label 1): reply with the sum of the words; anything else: BAD_MESSAGE (label 32).
import { recv, replyRecv, infoLabel, infoLength, mr, msgInfo } from "../lib";

const EP: u64 = 5;
const ADD: u64 = 1;
const BAD_MESSAGE: u64 = 32;

recv(EP);
while (true) {
  // TODO
  replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
}
