// init for the ping-pong test: one server, two clients with badges 1 and 2 (Call / ReplyRecv).
import { T_ENDPOINT, R_READ, R_WRITE, R_ALL, recv, println, print, printNum, badge, setName } from "../../../services/lib";
import { make, start, give, run } from "./common";

setName("init");
let ep = make(T_ENDPOINT);
let srv = start("server.wasm", 20);
give(srv, 4, ep, R_READ | R_WRITE);
run(srv);
let c1 = start("client.wasm", 15);
give(c1, 4, ep, R_WRITE, 1);
let c2 = start("client.wasm", 15);
give(c2, 4, ep, R_WRITE, 2);
// a done-notification via the endpoint is not needed: clients print and exit
run(c1, 1000);
run(c2, 1000);
println("init: clients started");
