// X0 = mode: 0 write through a null pointer, 1 unreachable, 2 divide by zero, 3 undefined syscall.
import { reg, svc, setName } from "../../../services/lib";
let mode = reg(0);
setName("crasher");
let zero = <i32>reg(1);
if (mode == 0) store<u32>(<usize>zero, 1);
else if (mode == 1) unreachable();
else if (mode == 2) { let x = 7 / zero; store<i32>(0x10000, x); }
else svc(99, 0, 0, 0, 0, 0, 0);
