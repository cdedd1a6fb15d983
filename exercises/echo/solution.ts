// echo — answer every call with the words it carried.
import { recv, replyRecv, infoLength, mr, msgInfo, SLOT_SELF } from "../lib";

const EP = SLOT_SELF; // the endpoint init gave this program (grant "endpoint")

recv(EP);
while (true) {
  const n = min(infoLength(), 4); // words 0..3 travel in registers
  replyRecv(EP, msgInfo(0, 0, n), mr(0), mr(1), mr(2), mr(3));
}
