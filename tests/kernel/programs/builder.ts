// init builds a process by hand with the loader-facing methods, no Spawn: Retype TCB / VSpace /
// CNode / frames, map the program's boot-image pages R+X, add stack + guard + data regions, map an
// IPC buffer and a globals page, TCB.Configure, WriteRegisters, Resume. The program ("tiny.wasm",
// no globals or data) prints "K" and exits.
import {
  T_TCB, T_VSPACE, T_CNODE, T_FRAME, R_READ, R_WRITE, R_ALL, MAP_EXEC, SLOT_CNODE, invoke, setCap, frameMap, cnodeCopy,
  tcbWriteRegister, tcbResume, biFindFile, biImageFrameSlot, BOOTINFO_VA, VSPACE_ADD_REGION, TCB_CONFIGURE,
  TCB_WRITE_REGISTERS, print, println, printNum, setName, BI_FILES, BI_FILE_BYTES, BI_FILE_SIZE, IPCBUF_VA,
  REGION_DATA, REGION_STACK, REGION_GUARD, REG_PC, REG_GP, REG_MEMPAGES,
} from "../../../services/lib";
import { make, alloc, check } from "./common";
setName("init");
const IMG: u64 = 0x50_0000_0000, GP: u64 = 0x50_1000_0000, STACK: u64 = 0x50_2000_0000, STACK_BYTES: u64 = 0x10000;
let f = biFindFile("tiny.wasm");
const record = BOOTINFO_VA + BI_FILES + <usize>f * BI_FILE_BYTES;
let off = <u64>load<u32>(record);
let size = <u64>load<u32>(record + BI_FILE_SIZE);
let tcb = make(T_TCB), vs = make(T_VSPACE), cn = make(T_CNODE, 4), ipc = make(T_FRAME), glob = make(T_FRAME);
// the image: boot-image frame k covers archive bytes [k·4096, (k+1)·4096)
let first = off >> 12, last = (off + size - 1) >> 12;
for (let k = first; k <= last; k++) {
  check(frameMap(<u64>biImageFrameSlot() + k, vs, IMG + ((k - first) << 12), R_READ | MAP_EXEC), "map image");
}
check(invoke(vs, VSPACE_ADD_REGION, 4, <i64>STACK, <i64>(STACK + STACK_BYTES), REGION_STACK, R_READ | R_WRITE), "stack region");
check(invoke(vs, VSPACE_ADD_REGION, 4, <i64>(STACK + STACK_BYTES), <i64>(STACK + STACK_BYTES + 4096), REGION_GUARD, 0), "guard");
check(invoke(vs, VSPACE_ADD_REGION, 4, 0x10000, 0x20000, REGION_DATA, R_READ | R_WRITE), "data region");
check(frameMap(ipc, vs, IPCBUF_VA, R_READ | R_WRITE), "map ipc buffer");
check(frameMap(glob, vs, GP, R_READ | R_WRITE), "map globals");
check(cnodeCopy(cn, 1, tcb, R_ALL), "own tcb cap");
setCap(0, cn); setCap(1, vs); setCap(2, ipc);
check(invoke(tcb, TCB_CONFIGURE, 3, 0, <i64>IPCBUF_VA, 12, 0, 3), "configure");
// registers 8..16: PC (enter function 1 = _start), SP, FP, GP, IMG, IMGLEN, MEMPAGES, MEMMAX, SPLIM
check(invoke(tcb, TCB_WRITE_REGISTERS, 4, REG_PC, (1 << 32) | 0xffffffff, <i64>STACK, <i64>STACK), "regs 8-10");
check(invoke(tcb, TCB_WRITE_REGISTERS, 4, REG_GP, <i64>GP, <i64>(IMG + (off & 0xfff)), <i64>size), "regs 11-13");
check(invoke(tcb, TCB_WRITE_REGISTERS, 4, REG_MEMPAGES, 1, 1, <i64>(STACK + STACK_BYTES)), "regs 14-16");
check(tcbResume(tcb), "resume");
println("builder: started");
