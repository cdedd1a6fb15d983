// Capability misuse: empty, out-of-range and wrong-type slots for every method; rights stripped by
// Copy/Mint and the stronger operation tried; badge forging; Untyped and IRQControl copies;
// double delete; revoking and deleting an endpoint while a thread waits on it.
import {
  T_ENDPOINT, T_NOTIFICATION, T_FRAME, T_CNODE, T_TCB, R_ALL, R_READ, R_WRITE, SLOT_CNODE, SLOT_VSPACE, SLOT_TCB,
  SLOT_IRQ_CONTROL, SLOT_BOOT_IMAGE, invoke, cnodeCopy, cnodeMint, cnodeDelete, cnodeRevoke, cnodeMove, frameMap, nbSend,
  nbRecv, signal, msgInfo, svc, SYS_NBSEND, tcbSetPriority, println, setName, yieldCpu,
} from "../../../services/lib";
import { make, alloc, untyped, start, give, run } from "../../kernel/programs/common";
import { expectErr, done } from "./expect";
setName("init");
const LABELS: u64[] = [1, 16, 17, 18, 19, 20, 21, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 48, 49, 56, 57, 58, 64, 72, 73, 74, 80, 81];
const EMPTY: u64 = 900; // inside our radix-10 CNode, never used
for (let i = 0; i < LABELS.length; i++) {
  let l = LABELS[i];
  expectErr(invoke(EMPTY, l, 4, 1, 2, 3, 4), 6, "empty slot, label " + l.toString());
  expectErr(invoke(1 << 10, l, 4, 1, 2, 3, 4), 6, "slot past the CNode, label " + l.toString());
  expectErr(invoke(0, l, 4, 1, 2, 3, 4), 6, "slot 0, label " + l.toString());
  expectErr(invoke(0xffff_ffff_ffff_ffff, l, 4, 1, 2, 3, 4), 6, "slot 2^64-1, label " + l.toString());
}
// wrong type: every method family on a cap of another type
let frame = make(T_FRAME);
expectErr(invoke(frame, 16, 3, 1, 2, 7), 3, "CNode.Copy on a frame cap");
expectErr(invoke(frame, 1, 4, 2, 0, 1, 1), 3, "Untyped.Retype on a frame cap");
expectErr(invoke(SLOT_VSPACE, 34, 0), 3, "TCB.Resume on a VSpace cap");
expectErr(invoke(SLOT_TCB, 56, 2, 0x4000, 3), 3, "Frame.Map on a TCB cap");
expectErr(invoke(SLOT_CNODE, 64, 2, 1, 1), 3, "IRQControl.Get on a CNode cap");
expectErr(invoke(SLOT_IRQ_CONTROL, 80, 4, 0, 1, 1, 1), 3, "BootImage.Spawn on the IRQControl cap");
expectErr(invoke(SLOT_BOOT_IMAGE, 48, 4, 0x5000, 0x6000, 2, 3), 3, "VSpace.AddRegion on the BootImage cap");
expectErr(invoke(SLOT_TCB, 0xffff_ffff, 0), 3, "unknown label on a TCB cap");
// rights stripped by Copy/Mint, then the stronger operation
let ep = make(T_ENDPOINT);
let epR = alloc();
expectErr(cnodeCopy(SLOT_CNODE, epR, ep, R_READ), 0, "copy an endpoint cap with Read only");
expectErr(nbSend(epR, msgInfo(1, 0, 0)), 11, "send through a Read-only endpoint cap");
let epW = alloc();
expectErr(cnodeMint(SLOT_CNODE, epW, ep, R_WRITE, 7), 0, "mint a Write-only badged endpoint cap");
expectErr(nbRecv(epW), 11, "receive through a Write-only endpoint cap");
let epW2 = alloc();
expectErr(cnodeCopy(SLOT_CNODE, epW2, epW, R_ALL), 0, "copy asking for more rights than held (clipped)");
expectErr(nbRecv(epW2), 11, "the copy is still Write-only");
let n = make(T_NOTIFICATION);
let nR = alloc();
expectErr(cnodeCopy(SLOT_CNODE, nR, n, R_READ), 0, "copy a notification cap with Read only");
expectErr(signal(nR), 11, "signal through a Read-only notification cap");
let frR = alloc();
expectErr(cnodeCopy(SLOT_CNODE, frR, frame, R_READ), 0, "copy a frame cap read-only");
expectErr(frameMap(frR, SLOT_VSPACE, 0x5000, R_READ | R_WRITE), 11, "map a read-only frame cap writable");
// badge forging
let epB = alloc();
expectErr(cnodeMint(SLOT_CNODE, epB, epW, R_WRITE, 9), 3, "re-badge a badged endpoint cap");
expectErr(cnodeMint(SLOT_CNODE, epB, SLOT_TCB, R_ALL, 9), 1, "badge a TCB cap");
expectErr(cnodeMint(SLOT_CNODE, epB, frame, R_ALL, 0x1_0000_0000), 1, "badge a frame cap");
// caps that cannot be copied
expectErr(cnodeCopy(SLOT_CNODE, epB, untyped(), R_ALL), 3, "copy an Untyped cap");
expectErr(cnodeCopy(SLOT_CNODE, epB, SLOT_IRQ_CONTROL, R_ALL), 3, "copy the IRQControl cap");
// slots out of range as Copy/Move/Delete arguments
expectErr(cnodeCopy(SLOT_CNODE, 1 << 10, ep, R_ALL), 6, "copy to a slot past the CNode");
expectErr(cnodeCopy(SLOT_CNODE, 0xffff_ffff_0000_0001, ep, R_ALL), 6, "copy to slot 2^64-2^32+1");
expectErr(cnodeMove(SLOT_CNODE, epB, 0x1_0000_0003), 6, "move from slot 2^32+3 (not slot 3)");
expectErr(cnodeCopy(SLOT_CNODE, ep, frame, R_ALL), 8, "copy onto an occupied slot");
// double delete
let tmp = alloc();
expectErr(cnodeCopy(SLOT_CNODE, tmp, ep, R_ALL), 0, "copy for double delete");
expectErr(cnodeDelete(SLOT_CNODE, tmp), 0, "delete once");
expectErr(cnodeDelete(SLOT_CNODE, tmp), 0, "delete again (empty slot: nothing to do)");
expectErr(nbSend(tmp, msgInfo(1, 0, 0)), 6, "use the deleted cap");
expectErr(cnodeRevoke(SLOT_CNODE, tmp), 6, "revoke an empty slot");
// revoke, then delete, an endpoint while a thread waits on it through a derived cap
let wep = make(T_ENDPOINT);
let w = start("waiter.wasm", 20);
give(w, 4, wep, R_READ);
run(w);
// (the waiter outranks us: it is blocked in Recv now)
expectErr(cnodeRevoke(SLOT_CNODE, wep), 0, "revoke the endpoint the waiter blocks on");
println("caps: revoked under the waiter");
yieldCpu();
expectErr(cnodeDelete(SLOT_CNODE, wep), 0, "delete the endpoint's last cap");
yieldCpu();
done("caps");
