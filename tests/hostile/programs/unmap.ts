// Unmap under a running thread: a child process gets a second thread (TCB.Configure with the
// child's CNode and VSpace, registers copied from the first one, its own half of the value stack
// and its own globals page).
// One thread Frame.Unmaps / VSpace.Unmaps the pages the other is using (programs/sharer.ts).
import { T_FRAME, T_TCB, T_ENDPOINT, R_ALL, R_READ, R_WRITE, SLOT_TCB, frameMap, invoke, setCap, tcbReadRegisters, tcbWriteRegister,
  tcbSetPriority, tcbSetFaultHandler, tcbResume, mr, setName } from "../../../services/lib";
import { make, start, give } from "../../kernel/programs/common";
import { expectErr, done } from "./expect";
setName("init");
expectErr(tcbSetPriority(SLOT_TCB, 25), 0, "set our priority");
let a = start("sharer.wasm", 20);
let f = make(T_FRAME), flags = make(T_FRAME), ep = make(T_ENDPOINT);
give(a, 10, f);
give(a, 11, ep);
expectErr(frameMap(flags, a + 1, 0x5000, R_READ | R_WRITE), 0, "map the flags page in the child");
expectErr(tcbSetFaultHandler(a, ep), 0, "the child's first thread faults to the endpoint");
// the second thread: same CNode and VSpace, an IPC buffer of its own at 0x6000
let t = make(T_TCB), ipc = make(T_FRAME);
expectErr(frameMap(ipc, a + 1, 0x6000, R_READ | R_WRITE), 0, "map the second thread's IPC buffer");
setCap(0, a + 2); setCap(1, a + 1); setCap(2, ipc);
expectErr(invoke(t, 32, 3, 0, 0x6000, 20, 0, 3), 0, "configure the second thread");
let r = new StaticArray<i64>(17);
for (let i = 8; i <= 16; i += 4) {
  let e = tcbReadRegisters(a, i);
  for (let k = 0; k < 4 && i + k <= 16; k++) r[i + k] = mr(k); // before any other syscall
  expectErr(e, 0, "read registers");
}
r[9] += 0x20000; r[10] = r[9]; // SP = FP: the upper half of the 256 KiB value stack
// globals of its own, zero (AssemblyScript's _start runs once per globals area: a "started" flag)
let glob = make(T_FRAME);
expectErr(frameMap(glob, a + 1, 0x40_5000_0000, R_READ | R_WRITE), 0, "map the second thread's globals page");
r[11] = 0x40_5000_0000;
for (let i = 8; i <= 16; i++) expectErr(tcbWriteRegister(t, i, r[i]), 0, "write register");
expectErr(tcbWriteRegister(t, 0, 2), 0, "role: unmapper");
expectErr(tcbWriteRegister(a, 0, 1), 0, "role: user");
expectErr(tcbResume(t), 0, "start the unmapper");
expectErr(tcbResume(a), 0, "start the user");
done("unmap");
