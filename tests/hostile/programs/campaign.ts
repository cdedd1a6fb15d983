// init of the fuzz campaign (`mlk fuzz`, tests/hostile/fuzz.test.ts). It owns the host mailbox:
// the host posts [1, seed, options] to start and [2] to end a round. A round spawns four fuzzers (fuzzer.wasm)
// from their own Untyped (1 MiB each), gives each the shared endpoint and notification (badged),
// a frame, a 64 KiB Untyped and the TCB and VSpace caps of all four, and starts them. The round ends when the
// host says so or when the canary (lowest priority) runs, which means every fuzzer is blocked,
// stopped or done; then init revokes each fuzzer's Untyped, destroying everything of the round,
// and starts the next one. init runs at priority 30, above anything a fuzzer can reach.
import {
  T_ENDPOINT, T_NOTIFICATION, T_UNTYPED, T_FRAME, R_ALL, R_READ, R_WRITE, SLOT_CNODE, SLOT_VSPACE, SLOT_TCB, SLOT_BOOT_IMAGE,
  irqControlGet, irqSetNotification, irqAck, frameMap, retype, spawn, cnodeMint, cnodeCopy, cnodeRevoke, tcbSetPriority,
  tcbWriteRegister, tcbResume, wait, badge, biDeviceCount, biDeviceKind, biDeviceSlot, biDeviceIrq, biFindFile, SLOT_IRQ_CONTROL,
  print, println, printNum, setName, MBOX_STATUS, MBOX_STATUS_IN_READY, MBOX_IN_DATA, MBOX_IN_POP, MBOX_IRQ_ENABLE,
} from "../../../services/lib";
import { make, alloc, check, untyped, start, give, run } from "../../kernel/programs/common";
setName("init");
const K: i32 = 4;
const FUZZ_PRIO: i64 = 10;
const MB: usize = 0x4000; // the host mailbox's page (the window free for Frame.Map)
check(tcbSetPriority(SLOT_TCB, 30), "init priority");

// the host mailbox: its interrupt signals badge 1 on our notification
let dev: i32 = -1;
for (let i: u32 = 0; i < biDeviceCount(); i++) if (biDeviceKind(i) == 6) dev = <i32>i;
if (dev < 0) { println("FAIL no mailbox"); }
let wake = make(T_NOTIFICATION);
let irqBadged = alloc();
check(cnodeMint(SLOT_CNODE, irqBadged, wake, R_ALL, 1), "mint irq badge");
let irq = alloc();
check(irqControlGet(SLOT_IRQ_CONTROL, biDeviceIrq(<u32>dev), irq), "irq get");
check(frameMap(biDeviceSlot(<u32>dev), SLOT_VSPACE, MB, R_READ | R_WRITE), "map mailbox");
store<u32>(MB + MBOX_IRQ_ENABLE, 1);
check(irqSetNotification(irq, irqBadged), "bind irq");

// the canary: lowest priority, holds only a badge-2 cap to our notification
let canary = start("canary.wasm", 1);
let quiet = alloc();
check(cnodeMint(SLOT_CNODE, quiet, wake, R_WRITE, 2), "mint canary badge");
give(canary, 4, quiet, R_WRITE);

let ep = make(T_ENDPOINT);
let sn = make(T_NOTIFICATION);
let fuzzFile = biFindFile("fuzzer.wasm");
let uts = new StaticArray<u64>(K);
let tcbs = new StaticArray<u64>(K);
for (let i = 0; i < K; i++) {
  uts[i] = alloc();
  check(retype(untyped(), T_UNTYPED, 20, uts[i], 1), "fuzzer untyped");
  tcbs[i] = alloc(); alloc(); alloc();
}
run(canary);
println("init: fuzz campaign ready");

/** Waits for the next host message; returns its first word (the next two land in msg1, msg2). */
let msg1: u32 = 0;
let msg2: u32 = 0;
function hostMessage(): u32 {
  while (true) {
    if ((load<u32>(MB + MBOX_STATUS) & MBOX_STATUS_IN_READY) != 0) {
      let w0 = load<u32>(MB + MBOX_IN_DATA);
      msg1 = load<u32>(MB + MBOX_IN_DATA + 4);
      msg2 = load<u32>(MB + MBOX_IN_DATA + 8);
      store<u32>(MB + MBOX_IN_POP, 1);
      return w0;
    }
    wait(wake);
    if ((badge() & 1) != 0) irqAck(irq);
  }
  return 0;
}

let seed: u64 = 0;
while (hostMessage() != 1) {}
seed = <u64>msg1;
let options = <i64>msg2; // bit 0: fuzzers leave register files alone
let round: u64 = 0;
for (;;) {
  for (let i = 0; i < K; i++) {
    let t = tcbs[i];
    check(spawn(SLOT_BOOT_IMAGE, fuzzFile, FUZZ_PRIO, t, 6, uts[i]), "spawn fuzzer");
    give(t, 4, ep, R_ALL, i + 1);
    give(t, 5, sn, R_ALL, 1 << i);
    check(retype(uts[i], T_FRAME, 0, 6, 1, t + 2), "fuzzer frame");
    check(retype(uts[i], T_UNTYPED, 16, 7, 1, t + 2), "fuzzer untyped");
  }
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
    check(cnodeCopy(tcbs[i] + 2, 8 + j, tcbs[j], R_ALL), "give tcb");
    check(cnodeCopy(tcbs[i] + 2, 12 + j, tcbs[j] + 1, R_ALL), "give vspace");
  }
  for (let i = 0; i < K; i++) {
    check(tcbWriteRegister(tcbs[i], 0, <i64>((seed << 20) + (round << 3) + <u64>i)), "seed");
    check(tcbWriteRegister(tcbs[i], 1, -1), "calls");
    check(tcbWriteRegister(tcbs[i], 2, options & 1), "options");
    check(tcbResume(tcbs[i]), "resume");
  }
  // until the host ends the round or the canary reports every fuzzer quiet
  for (;;) {
    if ((load<u32>(MB + MBOX_STATUS) & MBOX_STATUS_IN_READY) != 0) { if (hostMessage() == 2) break; continue; }
    wait(wake);
    let b = badge();
    if ((b & 1) != 0) irqAck(irq);
    if ((b & 2) != 0) break;
  }
  for (let i = 0; i < K; i++) check(cnodeRevoke(SLOT_CNODE, uts[i]), "revoke round");
  round++;
  print("init: round "); printNum(<i64>round); println(" done");
}
