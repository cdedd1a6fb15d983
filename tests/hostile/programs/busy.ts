// Busy loops against the scheduler, which is strict-priority round robin (as seL4's): two spinners
// at priority 20 that never make a syscall, one at 10, and init at 25 woken by the virtual timer.
// Guaranteed: init (higher) runs at every deadline; the two equal spinners both advance (the tick
// preempts them); the lower one starves while they spin and runs once init suspends them.
import { T_FRAME, T_NOTIFICATION, IRQ_HANDLER_SET_DEADLINE, R_READ, R_WRITE, SLOT_CNODE, SLOT_TCB, SLOT_VSPACE, SLOT_IRQ_CONTROL, cnodeCopy, frameMap,
  invoke, irqControlGet, irqSetNotification, tcbSetPriority, tcbSuspend, wait, mr, print, printNum, println, setName } from "../../../services/lib";
import { make, alloc, start, run } from "../../kernel/programs/common";
import { expectErr, done } from "./expect";
setName("init");
const NEVER: i64 = -1, PERIOD: i64 = 2_400_000; // 100 ms of virtual time
expectErr(tcbSetPriority(SLOT_TCB, 25), 0, "set our priority");
let h = alloc(), n = make(T_NOTIFICATION);
expectErr(irqControlGet(SLOT_IRQ_CONTROL, 1027, h), 0, "the virtual timer's handler");
expectErr(irqSetNotification(h, n), 0, "its notification");
let page = make(T_FRAME);
expectErr(frameMap(page, SLOT_VSPACE, 0x4000, R_READ | R_WRITE), 0, "map the counters page");
const PRIO: i64[] = [20, 20, 10];
let sp = new StaticArray<u64>(3);
for (let i = 0; i < 3; i++) {
  sp[i] = start("spin.wasm", PRIO[i]);
  let c = alloc();
  expectErr(cnodeCopy(SLOT_CNODE, c, page, R_READ | R_WRITE), 0, "copy the counters page");
  expectErr(frameMap(c, sp[i] + 1, 0x4000, R_READ | R_WRITE), 0, "map it in the spinner");
  run(sp[i], i);
}
/** Sleeps one period on the virtual timer (the spinners run meanwhile); true when woken. */
function sleep(): bool {
  if (invoke(h, IRQ_HANDLER_SET_DEADLINE, 1, NEVER) != 0) return false;
  let now = mr(0);
  if (invoke(h, IRQ_HANDLER_SET_DEADLINE, 1, now + PERIOD) != 0) return false;
  return wait(n) == 0;
}
function count(i: i32): u64 { return load<u64>(0x4000 + (<usize>i << 3)); }
let woke = 0, bothAdvanced = 0;
for (let round = 0; round < 5; round++) {
  let a0 = count(0), a1 = count(1);
  if (sleep()) woke++;
  if (count(0) > a0 && count(1) > a1) bothAdvanced++;
}
print("busy: counts "); printNum(count(0)); print(" "); printNum(count(1)); print(" "); printNum(count(2)); println("");
expectErr(woke, 5, "init woke at each of 5 deadlines while two spinners ran");
expectErr(bothAdvanced, 5, "both equal-priority spinners advanced in every period (timer round robin)");
expectErr(count(2), 0, "the lower-priority spinner starved (strict priority)");
expectErr(tcbSuspend(sp[0]), 0, "suspend spinner 0");
expectErr(tcbSuspend(sp[1]), 0, "suspend spinner 1");
let c0 = count(0), c1 = count(1);
expectErr(sleep() ? 1 : 0, 1, "init woke once more");
expectErr(count(2) > 0 ? 1 : 0, 1, "the lower-priority spinner runs once the higher ones stop");
expectErr(count(0) == c0 && count(1) == c1 ? 1 : 0, 1, "suspended spinners stay still");
expectErr(tcbSuspend(sp[2]), 0, "suspend spinner 2");
done("busy");
