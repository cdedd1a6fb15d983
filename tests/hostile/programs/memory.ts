// Memory attacks: maps at kernel, reserved, unaligned and huge VAs; overlapping maps; one frame
// twice with different rights; VSpace.Unmap of a frame cap's page; debug-string pointers that are
// unmapped, straddle a page end, point into the guard page, with lengths 0, 2^31, 2^32-1; a region
// kind that only looks valid in its low 32 bits; then children that write a read-only page, recurse
// without end, and grow their memory without end.
import {
  T_FRAME, R_ALL, R_READ, R_WRITE, SLOT_CNODE, SLOT_VSPACE, cnodeCopy, frameMap, frameUnmap, invoke, svc, SYS_DEBUG_PUTS,
  tcbSetPriority, SLOT_TCB, println, setName,
} from "../../../services/lib";
import { make, alloc, start, run } from "../../kernel/programs/common";
import { expectErr, done } from "./expect";
setName("init");
let f = make(T_FRAME);
expectErr(frameMap(f, SLOT_VSPACE, 0xffff_0000_0000_0000, R_READ), 4, "map at a kernel (TTBR1) VA");
expectErr(frameMap(f, SLOT_VSPACE, 0x1_0000_0000_0000, R_READ), 4, "map at 2^48");
expectErr(frameMap(f, SLOT_VSPACE, 0xffff_ffff_ffff_f000, R_READ), 4, "map at the last page of 2^64");
expectErr(frameMap(f, SLOT_VSPACE, 0x4001, R_READ), 5, "map at an unaligned VA");
expectErr(frameMap(f, SLOT_VSPACE, 0x4000, 0), 1, "map with no rights");
expectErr(frameMap(f, SLOT_VSPACE, 0x1000, R_READ | R_WRITE), 8, "map over our IPC buffer");
expectErr(frameMap(f, SLOT_VSPACE, 0x2000, R_READ), 8, "map over the boot-info page");
expectErr(frameMap(f, SLOT_VSPACE, 0x4000, R_READ | R_WRITE), 0, "map a frame at 0x4000");
expectErr(frameMap(f, SLOT_VSPACE, 0x5000, R_READ), 8, "map the same cap a second time");
let ro = alloc();
expectErr(cnodeCopy(SLOT_CNODE, ro, f, R_READ), 0, "read-only copy of the frame");
expectErr(frameMap(ro, SLOT_VSPACE, 0x4000, R_READ), 8, "map the copy over the first mapping");
expectErr(frameMap(ro, SLOT_VSPACE, 0x5000, R_READ), 0, "map the copy read-only at 0x5000");
store<u32>(0x4000, 0xfeedf00d);
expectErr(<i64>load<u32>(0x5000), 0xfeedf00d, "both mappings show the same frame");
expectErr(invoke(SLOT_VSPACE, 49, 1, 0x4000), 3, "VSpace.Unmap of a frame cap's page");
expectErr(invoke(SLOT_VSPACE, 49, 1, 0x4008), 5, "VSpace.Unmap unaligned");
expectErr(invoke(SLOT_VSPACE, 49, 1, 0x3000_0000), 6, "VSpace.Unmap of an unmapped page");
expectErr(invoke(SLOT_VSPACE, 48, 4, 0x8000_0000, 0x8001_0000, 0x1_0000_0002, 3), 1, "AddRegion kind 2^32+2 (not 2)");
expectErr(invoke(SLOT_VSPACE, 48, 4, 0x9000_0000, 0x8000_0000, 2, 3), 4, "AddRegion with end before start");
// kernel string pointers
const PUTS = SYS_DEBUG_PUTS;
expectErr(svc(PUTS, 0x3000_0000, 4, 0, 0, 0, 0), 1, "puts from an unmapped page");
expectErr(svc(PUTS, 0x5ffe, 4, 0, 0, 0, 0), 1, "puts straddling the end of the last mapped page");
expectErr(svc(PUTS, 0x40_8070_0000 + 256 * 1024, 1, 0, 0, 0, 0), 1, "puts from the stack guard page");
expectErr(svc(PUTS, 0xffff_ffff_ffff_fffe, 4, 0, 0, 0, 0), 1, "puts wrapping past 2^64");
expectErr(svc(PUTS, 0x4000, 0, 0, 0, 0, 0), 0, "puts of length 0");
expectErr(svc(PUTS, 0x4000, 0x8000_0000, 0, 0, 0, 0), 4, "puts of length 2^31");
expectErr(svc(PUTS, 0x4000, 0xffff_ffff, 0, 0, 0, 0), 4, "puts of length 2^32-1");
expectErr(svc(PUTS, 0x4000, 0x1_0000_0002, 0, 0, 0, 0), 4, "puts of length 2^32+2");
expectErr(frameUnmap(f), 0, "unmap the frame");
expectErr(frameUnmap(f), 0, "unmap it again (nothing mapped)");
expectErr(<i64>load<u32>(0x5000), 0xfeedf00d, "the read-only copy still maps the frame");
// children: write a read-only page, endless recursion, endless memory.grow (lower priority than us)
check0(tcbSetPriority(SLOT_TCB, 25));
let a = start("rowrite.wasm", 20);
let ro2 = alloc();
expectErr(cnodeCopy(SLOT_CNODE, ro2, f, R_READ), 0, "another read-only copy");
expectErr(frameMap(ro2, a + 1, 0x4000, R_READ), 0, "map it read-only in the child");
run(a);
let b = start("recurse.wasm", 20); run(b);
let c = start("grow.wasm", 20); run(c);
done("memory");
function check0(e: i64): void { expectErr(e, 0, "set our priority"); }
