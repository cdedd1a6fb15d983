// pager — resolves the page faults of the client whose fault endpoint is slot 5.
import { recv, replyRecv, infoLabel, mr, msgInfo, frameMap, SLOT_POOL_FRAME, SLOT_CLIENT_VSPACE, R_READ, R_WRITE, SLOT_SELF, F_VM } from "../lib";

const EP = SLOT_SELF;
const VM_FAULT = F_VM;
const FRAMES: u64 = 4;
let used: u64 = 0;

recv(EP);
while (true) {
  // TODO: on a VM fault, map a free frame at the faulting page of the client, then reply
  recv(EP);
}
