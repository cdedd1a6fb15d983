// The broker exercise's client (run twice, as helper-a and helper-b, with grants peers and
// notification): looks up the program under test, CONNECTs, receives a capability in slot 20,
// says HELLO through it and prints one line the grader reads; then waits for good, so that the
// capability it holds can be inspected.
import { lookup, lastError, call, msgInfo, mr, setRecvSlot, infoExtraCaps, infoLabel, print, wait, tcbGetInfo, SLOT_TCB, SLOT_NOTIFICATION } from "../lib";

const RECV_SLOT: u64 = 20;
const CONNECT: u64 = 1, HELLO: u64 = 2;

tcbGetInfo(SLOT_TCB);
const tid = mr(0);
let line = "broker-client " + tid.toString() + ":";
const ep = lookup("student");
if (ep == 0) {
  line += " lookup=" + lastError.toString();
} else {
  setRecvSlot(RECV_SLOT);
  const e = call(ep, msgInfo(CONNECT, 0, 0));
  const caps = e == 0 ? infoExtraCaps() : 0;
  line += " connect=" + e.toString() + "," + (e == 0 ? infoLabel().toString() : "-") + "," + caps.toString();
  if (e == 0 && caps > 0) {
    const h = call(RECV_SLOT, msgInfo(HELLO, 0, 0));
    line += " hello=" + h.toString() + "," + (h == 0 ? infoLabel().toString() + "," + (<u64>mr(0)).toString() : "-,-");
  }
}
print(line + "\n");
while (true) wait(SLOT_NOTIFICATION);
