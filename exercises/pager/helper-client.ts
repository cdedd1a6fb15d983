// The pager exercise's client (run as helper-a with grants paged and notification: its page
// faults go to the program under test). It writes and reads back three words on two pages where
// nothing is mapped, prints one line the grader reads, then waits for good.
import { print, wait, tcbGetInfo, mr, SLOT_TCB, SLOT_NOTIFICATION } from "../lib";

tcbGetInfo(SLOT_TCB);
const tid = mr(0);
store<u64>(0x8000, 0x1111);     // fault 1: page 0x8000
store<u64>(0x8ff8, 0x2222);     // same page: no fault
store<u64>(0xb010, 0x3333);     // fault 2: page 0xb000
const sum = load<u64>(0x8000) + load<u64>(0x8ff8) + load<u64>(0xb010);
print("paged-client " + tid.toString() + ": sum=" + sum.toString() + "\n");
while (true) wait(SLOT_NOTIFICATION);
