// Context switch: two threads at the same priority yield to each other.
import { yieldCpu, println } from "../../services/lib";
import { start, run } from "../../tests/kernel/programs/common";
const N: i32 = 200000;
let y = start("yielder.wasm", 10);
run(y);
println("B");
for (let i = 0; i < N; i++) yieldCpu();
println("E");
