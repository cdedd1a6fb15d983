// Long messages (words 4.. in the IPC buffer), a notification bound to a TCB waking it from Recv
// on an endpoint, CNode Move, and the boot image's read-only frames.
import {
  T_ENDPOINT, T_NOTIFICATION, R_READ, R_WRITE, R_ALL, SLOT_CNODE, SLOT_VSPACE, send, signal, setMsg, msgInfo, cnodeMove,
  cnodeRevoke, cnodeDelete,
  cnodeMint, nbSend, tcbBindNotification, frameMap, biImageFrameSlot, biImageFrameCount, print, println, printNum, setName,
} from "../../../services/lib";
import { make, start, give, run, alloc, check } from "./common";
setName("init");
let ep = make(T_ENDPOINT);
let n = make(T_NOTIFICATION);
let nb = alloc();
check(cnodeMint(SLOT_CNODE, nb, n, R_WRITE, 0x40), "mint");
let s = start("longrecv.wasm", 15);
give(s, 4, ep, R_READ);
check(tcbBindNotification(s, n), "bind");
run(s);
// 1. an 8-word message
for (let i = 4; i < 8; i++) setMsg(i, 100 + i);
send(ep, msgInfo(5, 0, 8), 1, 2, 3, 4);
// 2. a signal on the bound notification while the server waits in Recv on the endpoint
signal(nb);
// 3. Move: the cap leaves its slot
let moved = alloc();
check(cnodeMove(SLOT_CNODE, moved, ep), "move");
print("move: old slot "); printNum(nbSend(ep, msgInfo(0, 0, 0))); print(", new slot "); printNum(nbSend(moved, msgInfo(0, 0, 0))); println("");
// 4. the boot image's pages map read-only: the first page starts with the cpio magic "070701"
let f = <u64>biImageFrameSlot();
print("image frames: "); printNum(biImageFrameCount()); print(", map writable: "); printNum(frameMap(f, SLOT_VSPACE, 0x8000, R_READ | R_WRITE));
print(", map read-only: "); printNum(frameMap(f, SLOT_VSPACE, 0x8000, R_READ));
print(", magic "); printNum(<i64>(load<u8>(0x8000) - 48)); printNum(<i64>(load<u8>(0x8001) - 48)); println("");
// 5. revoking a process's VSpace cap destroys the address space; its thread is stopped, never run
//    on a stale TTBR0
let sp = start("spinner.wasm", 5);
run(sp, 7, 1 << 40);
check(cnodeRevoke(SLOT_CNODE, sp + 1), "revoke vspace");
check(cnodeDelete(SLOT_CNODE, sp + 1), "delete vspace");
println("extras: vspace deleted");
