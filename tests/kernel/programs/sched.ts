// init for the scheduling tests. X-less: runs both scenarios in order.
//  1. priority: a low (5) and a high (8) spinner; the high one runs to completion first.
//  2. round robin: two spinners at priority 6 share the CPU through timer preemption.
import { T_NOTIFICATION, R_ALL, R_WRITE, wait, println, setName, badge, print, printNum } from "../../../services/lib";
import { make, start, give, run } from "./common";
setName("init");
let done = make(T_NOTIFICATION);
let lo = start("spinner.wasm", 5);
give(lo, 4, done, R_WRITE, 1);
let hi = start("spinner.wasm", 8);
give(hi, 4, done, R_WRITE, 2);
run(lo, 1, 300000);
run(hi, 2, 300000);
let seen: i64 = 0;
while (seen != 3) { wait(done); seen |= badge(); }
println("sched: priority phase done");
let a = start("spinner.wasm", 6);
give(a, 4, done, R_WRITE, 4);
let b = start("spinner.wasm", 6);
give(b, 4, done, R_WRITE, 8);
run(a, 3, 3000000);
run(b, 4, 3000000);
seen = 0;
while (seen != 12) { wait(done); seen |= badge(); }
println("sched: round robin phase done");
