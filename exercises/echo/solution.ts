// echo — answer every call with the words it carried.
import { recv, replyRecv, infoLength, mr, msgInfo } from "../lib";

const EP: u64 = 5; // the endpoint init gave this program (grant "endpoint")

recv(EP);
while (true) {
  const n = min(infoLength(), 4); // words 0..3 travel in registers
  replyRecv(EP, msgInfo(0, 0, n), mr(0), mr(1), mr(2), mr(3));
}
