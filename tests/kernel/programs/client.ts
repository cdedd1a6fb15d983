// Client: X0 = number of calls. Calls the server and checks every answer.
import { reg, call, mr, msgInfo, print, println, printNum, setName, E_OK } from "../../../services/lib";
let n = reg(0);
setName("client");
let myBadge: i64 = -1;
let ok: i64 = 0;
for (let i: i64 = 0; i < n; i++) {
  let e = call(4, msgInfo(7, 0, 1), i);
  if (e != E_OK) { print("client: call error "); printNum(e); println(""); break; }
  let b = mr(1);
  if (myBadge < 0) myBadge = b;
  if (mr(0) == i * 2 + b && b == myBadge) ok++;
}
print("client badge "); printNum(myBadge); print(": "); printNum(ok); print("/"); printNum(n); println(" replies ok");
