// Bad IPC buffers given to TCB.Configure: a device frame, a non-frame cap, unaligned and
// page-straddling VAs, a VA beyond 2^48 — each a clear error; and buffers Configure accepts but the
// kernel can never use (the frame not mapped at the VA, a VA in the stack guard page, a read-only
// mapping): the kernel finds the buffer through the thread's page tables at every IPC, so long
// messages to and from such a thread are cut to the four message registers, never a kernel trap.
import { T_FRAME, T_ENDPOINT, R_ALL, R_READ, R_WRITE, SLOT_CNODE, SLOT_TCB, IPCBUF_VA, cnodeCopy, frameMap, frameUnmap, invoke, setCap,
  recv, reg, svc, SYS_REPLY, msgInfo, tcbSetPriority, biDeviceCount, biDeviceKind, biDeviceSlot, println, setName } from "../../../services/lib";
import { make, alloc, start, give, run } from "../../kernel/programs/common";
import { expectErr, done } from "./expect";
setName("init");
expectErr(tcbSetPriority(SLOT_TCB, 25), 0, "set our priority");
const GUARD: i64 = 0x40_8070_0000 + 256 * 1024;
let ep = make(T_ENDPOINT);
let uart: u64 = 0;
for (let i: u32 = 0; i < biDeviceCount(); i++) if (biDeviceKind(i) == 2) uart = <u64>biDeviceSlot(i);
/** TCB.Configure of child c with its own CNode and VSpace and `buf` as IPC buffer at `va`. */
function configure(c: u64, buf: u64, va: i64): i64 {
  setCap(0, c + 2); setCap(1, c + 1); setCap(2, buf);
  return invoke(c, 32, 3, 0, va, 20, 0, 3);
}
let c = start("ipcuser.wasm", 20);
let f = make(T_FRAME);
expectErr(configure(c, uart, 0x7000), 2, "IPC buffer: a device frame (the UART)");
expectErr(configure(c, ep, 0x7000), 2, "IPC buffer: an endpoint cap");
expectErr(configure(c, f, 0x7008), 5, "IPC buffer: an unaligned VA");
expectErr(configure(c, f, 0x7ff8), 5, "IPC buffer: a VA straddling a page end");
expectErr(configure(c, f, 0x1_0000_0000_0000), 4, "IPC buffer: VA 2^48");
expectErr(configure(c, f, -4096), 4, "IPC buffer: the last page below 2^64");
// a guard region only says what a fault there means: the VSpace holder may still map a frame there
expectErr(frameMap(f, c + 1, GUARD, R_READ | R_WRITE), 0, "map a frame into the stack guard page");
expectErr(frameUnmap(f), 0, "and unmap it");

/** Takes the child's Call, checks what arrived and answers with 64 words. */
function serve(what: string, wantLen: i64, wantCaps: i64): void {
  store<u64>(IPCBUF_VA + 0x220, alloc()); // an empty slot for a received cap
  let e = recv(ep);
  let info = reg(1), m0 = reg(2), m3 = reg(5);
  let w4 = load<u64>(IPCBUF_VA + 8 + 4 * 8);
  expectErr(e, 0, what + ": receive");
  expectErr(info & 0x7f, wantLen, what + ": message length");
  expectErr((info >> 7) & 3, wantCaps, what + ": extra caps");
  expectErr(m0 + m3, 25, what + ": MR0 and MR3 in registers");
  if (wantLen == 64) expectErr(w4, 1004, what + ": word 4 from the buffer");
  for (let i = 4; i < 64; i++) store<u64>(IPCBUF_VA + 8 + (<usize>i << 3), 2000 + i);
  svc(SYS_REPLY, 0, msgInfo(0, 0, 64), 21, 22, 23, 24);
}
give(c, 4, ep, R_ALL);
run(c);
serve("usable buffer", 64, 1);
// unmapped: the frame is mapped nowhere
let c2 = start("ipcuser.wasm", 20);
give(c2, 4, ep, R_ALL);
expectErr(configure(c2, make(T_FRAME), 0x7000), 0, "IPC buffer: a frame not mapped at its VA (accepted)");
run(c2);
serve("unmapped buffer", 4, 0);
// in the stack guard page
let c3 = start("ipcuser.wasm", 20);
give(c3, 4, ep, R_ALL);
expectErr(configure(c3, make(T_FRAME), GUARD), 0, "IPC buffer: VA in the stack guard page (accepted)");
run(c3);
serve("guard-page buffer", 4, 0);
// mapped read-only
let c4 = start("ipcuser.wasm", 20);
give(c4, 4, ep, R_ALL);
let rf = make(T_FRAME), ro = alloc();
expectErr(cnodeCopy(SLOT_CNODE, ro, rf, R_READ), 0, "a read-only copy");
expectErr(frameMap(ro, c4 + 1, 0x7000, R_READ), 0, "map it read-only in the child");
expectErr(configure(c4, rf, 0x7000), 0, "IPC buffer: a read-only mapping (accepted)");
run(c4);
serve("read-only buffer", 4, 0);
println("ipcbuf: served all");
done("ipcbuf");
