// pager — resolves the page faults of the client whose fault endpoint is slot 5.
import { recv, replyRecv, infoLabel, mr, msgInfo, frameMap, SLOT_POOL_FRAME, SLOT_CLIENT_VSPACE, R_READ, R_WRITE } from "../lib";

const EP: u64 = 5;
const VM_FAULT: u64 = 1;
const FRAMES: u64 = 4;
let used: u64 = 0;

recv(EP);
while (true) {
  // TODO: on a VM fault, map a free frame at the faulting page of the client, then reply
  recv(EP);
}
