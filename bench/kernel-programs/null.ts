// Null syscall: Yield with no other runnable thread (kernel entry, scheduler, exit), N times.
import { reg, yieldCpu, println } from "../../services/lib";
import { BENCH_BEGIN, BENCH_END } from "./markers";
const N: i32 = 200000;
println(BENCH_BEGIN);
for (let i = 0; i < N; i++) yieldCpu();
println(BENCH_END);
