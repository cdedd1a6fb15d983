// Per-address-space kernel-memory quota (issue 9): a greedy child fails alone, its fault goes to
// our handler with the VM fault; afterwards other processes still get memory (pager runs), and a
// child whose quota we set small fails early.
import {
  T_ENDPOINT, R_WRITE, SLOT_CNODE, VSPACE_SET_QUOTA, recv, mr, infoLabel, invoke, tcbSetFaultHandler, tcbSuspend,
  cnodeMint, print, println, printNum, printHex, setName,
} from "../../../services/lib";
import { make, start, run, alloc, check } from "./common";
setName("init");
let ep = make(T_ENDPOINT);
let fe = alloc();
check(cnodeMint(SLOT_CNODE, fe, ep, R_WRITE, 1), "mint");

function watch(name: string, quota: i64): void {
  let c = start(name, 12);
  check(tcbSetFaultHandler(c, fe), "set fault handler");
  if (quota >= 0) { print("quota: set "); print(name); print(" quota: "); printNum(invoke(c + 1, VSPACE_SET_QUOTA, 1, quota)); println(""); }
  run(c);
  recv(ep);
  let kind = <i64>infoLabel(), addr = <u64>mr(0), esr = <u64>mr(1); // before any print overwrites X1..
  print("quota: "); print(name); print(" fault kind "); printNum(kind); print(" addr "); printHex(addr);
  print(" esr "); printHex(esr); println("");
  check(tcbSuspend(c), "suspend");
}
watch("greedy.wasm", -1);
// the pool is not exhausted: another process can still use demand paging
let p = start("toucher.wasm", 12);
run(p);
// a child given a small quota by us fails as soon as it is spent
watch("greedy.wasm", 40);
// with no fault handler the greedy process is stopped, with the reason on the console
run(start("greedy.wasm", 12));
println("quota: done");
