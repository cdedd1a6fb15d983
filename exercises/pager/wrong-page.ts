// A typical mistake: mapping the page after the faulting one (an off-by-one in the address).
import { recv, replyRecv, infoLabel, mr, msgInfo, frameMap, SLOT_POOL_FRAME, SLOT_CLIENT_VSPACE, R_READ, R_WRITE, SLOT_SELF, F_VM } from "../lib";

const EP = SLOT_SELF;
const VM_FAULT = F_VM;
const FRAMES: u64 = 4;
let used: u64 = 0;

recv(EP);
while (true) {
  if (infoLabel() == VM_FAULT && used < FRAMES) {
    const page = ((<u64>mr(0)) & ~(<u64>0xfff)) + 0x1000;
    frameMap(SLOT_POOL_FRAME + used, SLOT_CLIENT_VSPACE, page, R_READ | R_WRITE);
    used++;
    replyRecv(EP, msgInfo(0, 0, 0));
  } else {
    recv(EP);
  }
}
