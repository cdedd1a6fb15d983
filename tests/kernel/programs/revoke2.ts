// Revoke whose own CNode dies partway (issue 9): an Untyped U sits in a CNode X that was retyped
// from U itself, after three endpoints. Revoking U deletes the cap to X first; X must stay until
// every descendant is gone, and the endpoints must be gone too (not re-parented and still working).
import {
  T_ENDPOINT, T_CNODE, T_UNTYPED, SLOT_CNODE, retype, cnodeMove, cnodeRevoke, nbSend, msgInfo, print, println,
  printNum, setName,
} from "../../../services/lib";
import { alloc, untyped, check } from "./common";
setName("init");
let u = alloc();
check(retype(untyped(), T_UNTYPED, 14, u, 1), "untyped");
let eps: u64[] = [];
for (let i = 0; i < 3; i++) { let s = alloc(); check(retype(u, T_ENDPOINT, 0, s, 1), "endpoint"); eps.push(s); }
let x = alloc();
check(retype(u, T_CNODE, 4, x, 1), "cnode"); // the newest child: revoke meets it first
check(cnodeMove(x, 1, u), "move U into X");
print("revoke2: revoke -> "); printNum(cnodeRevoke(x, 1)); println("");
for (let i = 0; i < 3; i++) {
  print("revoke2: endpoint "); printNum(i); print(" after revoke: "); printNum(nbSend(eps[i], msgInfo(0, 0, 0))); println("");
}
print("revoke2: cnode cap after revoke: "); printNum(nbSend(x, msgInfo(0, 0, 0))); println("");
println("revoke2: done");
