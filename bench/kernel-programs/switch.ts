// Context switch: two threads at the same priority yield to each other.
import { yieldCpu, println } from "../../services/lib";
import { BENCH_BEGIN, BENCH_END } from "./markers";
import { start, run } from "../../tests/kernel/programs/common";
const N: i32 = 200000;
let y = start("yielder.wasm", 10);
run(y);
println(BENCH_BEGIN);
for (let i = 0; i < N; i++) yieldCpu();
println(BENCH_END);
