// Echo server for the IPC benchmark.
import { recv, replyRecv, mr, msgInfo } from "../../services/lib";
recv(4);
while (true) replyRecv(4, msgInfo(0, 0, 1), mr(0) + 1);
