// A typical mistake: mapping the right page but never replying to the fault.
import { recv, infoLabel, mr, frameMap, SLOT_POOL_FRAME, SLOT_CLIENT_VSPACE, R_READ, R_WRITE, SLOT_SELF, F_VM } from "../lib";

const EP = SLOT_SELF;
const VM_FAULT = F_VM;
let used: u64 = 0;

while (true) {
  recv(EP);
  if (infoLabel() == VM_FAULT && used < 4) {
    frameMap(SLOT_POOL_FRAME + used, SLOT_CLIENT_VSPACE, (<u64>mr(0)) & ~(<u64>0xfff), R_READ | R_WRITE);
    used++;
  }
}
