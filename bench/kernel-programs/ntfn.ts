// Notification: we signal, a higher-priority waiter wakes (switch), waits again (switch back).
import { T_NOTIFICATION, R_ALL, signal, println } from "../../services/lib";
import { BENCH_BEGIN, BENCH_END } from "./markers";
import { make, start, give, run } from "../../tests/kernel/programs/common";
const N: i32 = 200000;
let n = make(T_NOTIFICATION);
let w = start("waiter.wasm", 20);
give(w, 4, n, R_ALL);
run(w);
println(BENCH_BEGIN);
for (let i = 0; i < N; i++) signal(n);
println(BENCH_END);
