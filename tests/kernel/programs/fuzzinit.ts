// init for the fuzz test: four fuzzers sharing an endpoint and a notification, each with a frame
// and its own 64 KiB Untyped; a server/client pair at lower priority must be unaffected.
import { T_ENDPOINT, T_NOTIFICATION, T_FRAME, T_UNTYPED, R_ALL, R_READ, R_WRITE, retype, println, setName } from "../../../services/lib";
import { make, start, give, run, untyped, check } from "./common";
setName("init");
let ep = make(T_ENDPOINT);
let n = make(T_NOTIFICATION);
let srvEp = make(T_ENDPOINT);
let srv = start("server.wasm", 4);
give(srv, 4, srvEp, R_READ | R_WRITE);
run(srv);
let cl = start("client.wasm", 3);
give(cl, 4, srvEp, R_WRITE, 9);
run(cl, 3000);
for (let i = 0; i < 4; i++) {
  let f = start("fuzz.wasm", 8);
  give(f, 4, ep, R_ALL, i + 1);
  give(f, 5, n, R_ALL, 1 << i);
  give(f, 6, make(T_FRAME));
  check(retype(untyped(), T_UNTYPED, 16, 7, 1, f + 2), "untyped for fuzzer");
  run(f, 11 + i, 4000);
}
println("init: fuzzers started");
