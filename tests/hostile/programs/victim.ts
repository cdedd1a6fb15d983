// Deletes a capability to its own CNode, TCB or VSpace while running (role in X0: 1, 2, 3, 4).
// init dropped its own caps to the object first, so the victim's are the last ones in any CNode.
import { reg, cnodeDelete, cnodeCopy, exit, println, setName, SLOT_CNODE, SLOT_TCB, SLOT_VSPACE, R_ALL,
  invoke } from "../../../services/lib";
import { expectErr, done } from "./expect";
let role = reg(0);
if (role == 1) {
  setName("delcnode");
  // the thread's CSpace root (its TCB's slot) keeps the CNode alive: lookups still work
  expectErr(cnodeDelete(SLOT_CNODE, SLOT_CNODE), 0, "delete the cap to our own CNode, through itself");
  expectErr(cnodeCopy(SLOT_CNODE, 9, SLOT_TCB, R_ALL), 6, "the CNode cap is gone");
  expectErr(invoke(SLOT_TCB, 37, 1, 0), 0, "other caps still resolve (TCB.ReadRegisters)");
  done("delcnode");
  exit(0);
} else if (role == 2) {
  setName("deltcb");
  println("deltcb: deleting our own TCB");
  cnodeDelete(SLOT_CNODE, SLOT_TCB);
  println("deltcb: BREACH still running after our TCB was destroyed");
} else if (role == 3) {
  setName("delvspace");
  expectErr(cnodeDelete(SLOT_CNODE, SLOT_VSPACE), 0, "delete the cap to our own VSpace");
  expectErr(invoke(SLOT_VSPACE, 49, 1, 0x20000), 6, "the VSpace cap is gone");
  // our TCB keeps the address space alive: fresh demand-zero pages still come
  let p = (<usize>memory.size() << 16) - 4096;
  store<u64>(p, 77);
  expectErr(<i64>load<u64>(p), 77, "a fresh heap page still works");
  done("delvspace");
  exit(0);
} else {
  setName("delall");
  // VSpace cap first, then the TCB: the TCB takes the address space with it, while it is current
  expectErr(cnodeDelete(SLOT_CNODE, SLOT_VSPACE), 0, "delete the cap to our own VSpace");
  println("delall: deleting our own TCB");
  cnodeDelete(SLOT_CNODE, SLOT_TCB);
  println("delall: BREACH still running");
}
