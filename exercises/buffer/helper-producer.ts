// The buffer exercise's producer (helper-a, grants peers and notification): PUTs 1..8 into the
// program under test, prints one line when all were accepted (or the first failure), then waits.
import { lookup, lastError, call, msgInfo, infoLabel, print, wait, tcbGetInfo, mr, SLOT_TCB, SLOT_NOTIFICATION } from "../lib";

const PUT: u64 = 1;
tcbGetInfo(SLOT_TCB);
const tid = mr(0);
const ep = lookup("student");
let line = "buffer-producer " + tid.toString() + ": ";
if (ep == 0) line += "lookup=" + lastError.toString();
else {
  let i: i64 = 1;
  for (; i <= 8; i++) {
    const e = call(ep, msgInfo(PUT, 0, 1), i);
    if (e != 0 || infoLabel() != 0) { line += "put " + i.toString() + " failed=" + e.toString() + "," + (e == 0 ? infoLabel().toString() : "-"); break; }
  }
  if (i > 8) line += "done";
}
print(line + "\n");
while (true) wait(SLOT_NOTIFICATION);
