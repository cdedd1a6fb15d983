// Calls init (endpoint in slot 4) with a 64-word message and one extra cap, and reports the length
// of the reply. Run with an IPC buffer init configured to be unusable: both directions are cut to
// the four message registers, as in seL4 (no buffer, no words past MR3, no caps).
import { reg, call, msgInfo, setCap, IPCBUF_VA, print, printNum, println, setName } from "../../../services/lib";
setName("ipcuser");
for (let i = 4; i < 64; i++) store<u64>(IPCBUF_VA + 8 + (<usize>i << 3), 1000 + i);
setCap(0, 4);
let e = call(4, msgInfo(5, 1, 64), 11, 12, 13, 14);
let info = reg(1), m0 = reg(2), m3 = reg(5);
print("ipcuser: call "); printNum(e); print(", reply length "); printNum(info & 0x7f); print(", MR0 "); printNum(m0);
print(", MR3 "); printNum(m3); println("");
