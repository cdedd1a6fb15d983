// Receives an 8-word message, then waits on the endpoint again and is woken by its bound notification.
import { recv, getMsg, mr, infoLabel, infoLength, badge, print, println, printNum, setName } from "../../../services/lib";
setName("longrecv");
recv(4);
let label = infoLabel(), len = infoLength(), m0 = mr(0), m3 = mr(3);
let sum: u64 = 0;
for (let i = 4; i < 8; i++) sum += getMsg(i);
print("long: label "); printNum(<i64>label); print(" length "); printNum(len); print(" mr0 "); printNum(m0); print(" mr3 "); printNum(m3);
print(" words 4..7 sum "); printNum(<i64>sum); println("");
recv(4);
let w = badge(), l2 = infoLabel();
print("bound: woke from recv with word "); printNum(w); print(" label "); printNum(<i64>l2); println("");
