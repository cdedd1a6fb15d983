// Resource attacks: bad Retype types, sizes, counts and slot ranges (including sums that would
// wrap); exhausting an Untyped; thousands of objects made and revoked; a notification storm.
import {
  T_UNTYPED, T_ENDPOINT, T_NOTIFICATION, T_TCB, T_CNODE, T_VSPACE, T_FRAME, R_ALL, SLOT_CNODE, retype, cnodeRevoke, cnodeMint,
  signal, poll, badge, println, setName,
} from "../../../services/lib";
import { make, alloc, untyped } from "../../kernel/programs/common";
import { expectErr, done } from "./expect";
setName("init");
let ut = alloc();
expectErr(retype(untyped(), T_UNTYPED, 16, ut, 1), 0, "a 64 KiB Untyped");
let s = alloc();
const BADTYPES: i64[] = [0, 4, 9, 10, 11, 12, 13, 255, 256, 0x1_0000_0002, -1];
for (let i = 0; i < BADTYPES.length; i++) expectErr(retype(ut, BADTYPES[i], 0, s, 1), 1, "retype to type " + BADTYPES[i].toString());
expectErr(retype(ut, T_CNODE, 1, s, 1), 4, "CNode radix 1");
expectErr(retype(ut, T_CNODE, 13, s, 1), 4, "CNode radix 13");
expectErr(retype(ut, T_CNODE, 0x1_0000_0004, s, 1), 4, "CNode radix 2^32+4");
expectErr(retype(ut, T_UNTYPED, 11, s, 1), 4, "Untyped of 2^11 bytes");
expectErr(retype(ut, T_UNTYPED, 17, s, 1), 4, "Untyped larger than its parent");
expectErr(retype(ut, T_ENDPOINT, 0, s, 0), 4, "count 0");
expectErr(retype(ut, T_ENDPOINT, 0, s, 257), 4, "count 257");
expectErr(retype(ut, T_ENDPOINT, 0, s, 0x1_0000_0001), 4, "count 2^32+1");
expectErr(retype(ut, T_ENDPOINT, 0, s, -1), 4, "count 2^64-1");
expectErr(retype(ut, T_ENDPOINT, 0, 0, 1), 4, "into slot 0");
expectErr(retype(ut, T_ENDPOINT, 0, 0xffff_ffff_ffff_ffff, 2), 4, "first slot 2^64-1, count 2 (past the CNode's end; the sum must not wrap)");
expectErr(retype(ut, T_ENDPOINT, 0, 1000, 0xffff_ffff_ffff_fc19), 4, "first 1000, count 2^64-999 (the sum wraps to 1)");
expectErr(retype(ut, T_ENDPOINT, 0, 1020, 8), 4, "slots past the CNode's end");
expectErr(retype(ut, T_ENDPOINT, 0, 1, 1), 8, "into an occupied slot");
// exhaust: 64 TCBs fill 64 KiB exactly; the 65th does not fit
let first = alloc();
for (let i = 1; i < 64; i++) alloc();
expectErr(retype(ut, T_TCB, 0, first, 64), 0, "64 TCBs fill the Untyped");
expectErr(retype(ut, T_ENDPOINT, 0, alloc(), 1), 10, "one more object: not enough memory");
expectErr(cnodeRevoke(SLOT_CNODE, ut), 0, "revoke the Untyped");
expectErr(retype(ut, T_VSPACE, 0, first, 1), 0, "its memory is back after the revoke");
expectErr(cnodeRevoke(SLOT_CNODE, ut), 0, "revoke again");
// thousands of objects in a CNode of 4096 slots, then revoked at once
let big = alloc();
expectErr(retype(untyped(), T_UNTYPED, 20, big, 1), 0, "a 1 MiB Untyped");
let cn = alloc();
expectErr(retype(big, T_CNODE, 12, cn, 1), 0, "a CNode of 4096 slots");
let made = 0;
for (let k = 0; k < 15; k++) {
  let e = retype(big, k % 2 == 0 ? T_ENDPOINT : T_NOTIFICATION, 0, 1 + k * 256, 256, cn);
  if (e == 0) made += 256;
}
expectErr(made, 3840, "3840 endpoints and notifications");
expectErr(cnodeRevoke(SLOT_CNODE, big), 0, "revoke them all");
// a notification storm: 100000 signals, one poll collects the word
let n = make(T_NOTIFICATION);
let nb = alloc();
expectErr(cnodeMint(SLOT_CNODE, nb, n, R_ALL, 0x10), 0, "a badged notification cap");
let storm = 0;
for (let i = 0; i < 100000; i++) if (signal(nb) == 0) storm++;
expectErr(storm, 100000, "100000 signals accepted");
expectErr(poll(n), 0, "poll after the storm");
expectErr(badge(), 0x10, "the word is the badge");
expectErr(poll(n), 12, "the word was taken: WouldBlock");
done("resources");
