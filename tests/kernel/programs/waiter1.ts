// Receives once on slot 4 and prints what it got.
import { recv, mr, infoLabel, print, println, printNum, setName } from "../../../services/lib";
setName("waiter1");
println("waiter1: receiving");
let e = recv(4);
let label = <i64>infoLabel(), m0 = mr(0); // before any print (a print's syscall overwrites X1..)
print("waiter1: recv -> "); printNum(e); print(" label "); printNum(label); print(" mr0 "); printNum(m0); println("");
