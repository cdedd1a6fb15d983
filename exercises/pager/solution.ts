// pager — resolves the page faults of the client whose fault endpoint is slot 5.
import { recv, replyRecv, infoLabel, mr, msgInfo, frameMap, SLOT_POOL_FRAME, SLOT_CLIENT_VSPACE, R_READ, R_WRITE, SLOT_SELF, F_VM } from "../lib";

const EP = SLOT_SELF;
const VM_FAULT = F_VM;
const FRAMES: u64 = 4;
let used: u64 = 0;

recv(EP);
while (true) {
  if (infoLabel() == VM_FAULT && used < FRAMES) {
    const page = (<u64>mr(0)) & ~(<u64>0xfff);
    frameMap(SLOT_POOL_FRAME + used, SLOT_CLIENT_VSPACE, page, R_READ | R_WRITE);
    used++;
    replyRecv(EP, msgInfo(0, 0, 0)); // label 0: restart the client
  } else {
    recv(EP); // nothing left to map it with: the client stays stopped
  }
}
