// init for the FIFO test: three senders (higher priority) block on one endpoint in order 1, 2, 3;
// init then receives three times.
import { T_ENDPOINT, R_READ, R_WRITE, recv, badge, mr, println, print, printNum, setName } from "../../../services/lib";
import { make, start, give, run } from "./common";
setName("init");
let ep = make(T_ENDPOINT);
let order: i64[] = [3, 1, 2];
for (let i = 0; i < 3; i++) {
  let s = start("sender.wasm", 15);
  give(s, 4, ep, R_WRITE, order[i]);
  run(s, order[i] * 100);
}
print("fifo:");
for (let i = 0; i < 3; i++) {
  recv(ep);
  let b = badge(), v = mr(0); // read before the next syscall overwrites the registers
  print(" "); printNum(b); print("/"); printNum(v);
}
println("");
