// Blocks in Recv on its slot 4 and reports what Recv returned.
import { recv, print, println, printNum, setName } from "../../../services/lib";
setName("waiter");
let e = recv(4);
print("waiter: recv returned "); printNum(e); println("");
