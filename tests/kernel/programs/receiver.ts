// Receives on slot 4 with receive slot 10; reports the caps it got and uses the received one.
import { recv, setRecvSlot, infoExtraCaps, infoLabel, mr, signal, print, println, printNum, setName } from "../../../services/lib";
setName("receiver");
setRecvSlot(10);
recv(4);
let caps = infoExtraCaps(), label = infoLabel(), v = mr(0);
print("receiver: label "); printNum(<i64>label); print(" mr0 "); printNum(v); print(" caps "); printNum(caps); println("");
print("receiver: signal through received cap: "); printNum(signal(10)); println("");
