// echo — answer every call with the words it carried.
import { recv, replyRecv, infoLength, mr, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF; // the endpoint init gave this program (grant "endpoint")

recv(EP);
while (true) {
  // TODO: reply with the same words, then wait for the next message
  replyRecv(EP, msgInfo(0, 0, 0));
}
