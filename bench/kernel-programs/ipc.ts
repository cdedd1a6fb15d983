// IPC round trip: Call to a higher-priority server that answers with ReplyRecv (both fast path).
import { T_ENDPOINT, R_READ, R_WRITE, call, msgInfo, println } from "../../services/lib";
import { BENCH_BEGIN, BENCH_END } from "./markers";
import { make, start, give, run } from "../../tests/kernel/programs/common";
const N: i32 = 200000;
let ep = make(T_ENDPOINT);
let s = start("ipcsrv.wasm", 20);
give(s, 4, ep, R_READ | R_WRITE);
run(s);
println(BENCH_BEGIN);
for (let i = 0; i < N; i++) call(ep, msgInfo(1, 0, 1), i);
println(BENCH_END);
