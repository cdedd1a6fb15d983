// Calls slot 4 until it fails, printing each result.
import { call, mr, msgInfo, print, println, printNum, setName } from "../../../services/lib";
setName("caller");
for (let i = 0; i < 5; i++) {
  let e = call(4, msgInfo(3, 0, 1), 1000 + i);
  let r = mr(0);
  print("caller: call "); printNum(i); print(" -> error "); printNum(e); print(" reply "); printNum(r); println("");
  if (e != 0 && i > 0 && e == 6) break;
}
