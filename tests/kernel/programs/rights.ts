// Capability denial for every right: each operation through a cap lacking the right it needs must
// fail with E_INSUFFICIENT_RIGHTS (11), and rights cannot be raised by Mint (excess is clipped).
import {
  T_ENDPOINT, T_NOTIFICATION, T_FRAME, R_READ, R_WRITE, R_GRANT, R_ALL, SLOT_CNODE, SLOT_VSPACE,
  nbSend, nbRecv, signal, poll, msgInfo, setCap, cnodeMint, cnodeCopy, frameMap, print, println, printNum, setName,
} from "../../../services/lib";
import { make, alloc, check } from "./common";

setName("init");
function report(what: string, e: i64): void { print("deny "); print(what); print(": "); printNum(e); println(""); }
function minted(src: u64, rights: i64): u64 { let s = alloc(); check(cnodeCopy(SLOT_CNODE, s, src, rights), "copy"); return s; }

let ep = make(T_ENDPOINT);
let epR = minted(ep, R_READ);
let epW = minted(ep, R_WRITE);
report("send without write", nbSend(epR, msgInfo(1, 0, 0)));
report("recv without read", nbRecv(epW));
setCap(0, ep);
report("cap transfer without grant", nbSend(epW, msgInfo(1, 1, 0)));
// Mint asks for more rights than the source has: clipped, so still no write
let up = alloc();
check(cnodeMint(SLOT_CNODE, up, epR, R_ALL, 5), "mint up");
report("send through clipped mint", nbSend(up, msgInfo(1, 0, 0)));

let n = make(T_NOTIFICATION);
let nR = minted(n, R_READ);
let nW = alloc();
check(cnodeMint(SLOT_CNODE, nW, n, R_WRITE, 1), "mint");
report("signal without write", signal(nR));
report("wait without read", poll(nW));

let f = make(T_FRAME);
let fR = minted(f, R_READ);
let fW = minted(f, R_WRITE);
report("map writable without write", frameMap(fR, SLOT_VSPACE, 0x5000, R_READ | R_WRITE));
report("map readable without read", frameMap(fW, SLOT_VSPACE, 0x6000, R_READ));
// the allowed ones work
report("allowed map", frameMap(fR, SLOT_VSPACE, 0x5000, R_READ));
report("allowed signal", signal(nW));
report("allowed poll", poll(nR));
report("nbsend with no receiver", nbSend(epW, msgInfo(1, 0, 0)));
println("rights: done");
