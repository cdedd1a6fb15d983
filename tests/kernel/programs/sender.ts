// Sends one message (MR0 = X0) on slot 4, then exits.
import { reg, send, msgInfo, setName } from "../../../services/lib";
let v = reg(0);
setName("sender");
send(4, msgInfo(1, 0, 1), v);
