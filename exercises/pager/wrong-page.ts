// A typical mistake: mapping the page after the faulting one (an off-by-one in the address).
import { recv, replyRecv, infoLabel, mr, msgInfo, frameMap, SLOT_POOL_FRAME, SLOT_CLIENT_VSPACE, R_READ, R_WRITE } from "../lib";

const EP: u64 = 5;
const VM_FAULT: u64 = 1;
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
