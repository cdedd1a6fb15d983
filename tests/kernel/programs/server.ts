// Echo server: replies to every call with (MR0 * 2 + badge, badge).
import { recv, replyRecv, mr, badge, msgInfo, setName, infoLabel } from "../../../services/lib";
setName("server");
recv(4);
while (true) {
  let b = badge();
  let v = mr(0);
  replyRecv(4, msgInfo(0, 0, 2), v * 2 + b, b);
}
