// The buffer exercise's consumer (helper-b, grants peers and notification): one GET from the
// program under test, one line with what came back, then it waits for good.
import { lookup, lastError, call, msgInfo, infoLabel, print, wait, tcbGetInfo, mr, SLOT_TCB, SLOT_NOTIFICATION } from "../lib";

const GET: u64 = 2;
tcbGetInfo(SLOT_TCB);
const tid = mr(0);
const ep = lookup("student");
let line = "buffer-consumer " + tid.toString() + ": ";
if (ep == 0) line += "lookup=" + lastError.toString();
else {
  const e = call(ep, msgInfo(GET, 0, 0));
  line += "got=" + e.toString() + "," + (e == 0 ? infoLabel().toString() + "," + mr(0).toString() : "-,-");
}
print(line + "\n");
while (true) wait(SLOT_NOTIFICATION);
