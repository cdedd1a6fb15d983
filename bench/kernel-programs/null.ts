// Null syscall: Yield with no other runnable thread (kernel entry, scheduler, exit), N times.
import { reg, yieldCpu, println } from "../../services/lib";
const N: i32 = 200000;
println("B");
for (let i = 0; i < N; i++) yieldCpu();
println("E");
