// init for the IRQ test: a user-space UART driver at high priority waiting on a notification bound
// to the UART IRQ, and a low-priority spinner that never blocks.
import {
  T_NOTIFICATION, R_ALL, irqControlGet, SLOT_IRQ_CONTROL, biDeviceCount, biDeviceKind, biDeviceSlot, biDeviceIrq,
  println, setName,
} from "../../../services/lib";
import { make, start, give, run, alloc, check } from "./common";
setName("init");
let n = make(T_NOTIFICATION);
let dev: u32 = 0;
for (let i: u32 = 0; i < biDeviceCount(); i++) if (biDeviceKind(i) == 2) dev = i;
let irq = alloc();
check(irqControlGet(SLOT_IRQ_CONTROL, biDeviceIrq(dev), irq), "irq get");
let spin = start("spinner.wasm", 3);
give(spin, 4, n, R_ALL, 2);
run(spin, 9, 1 << 40);
let d = start("driver.wasm", 20);
give(d, 4, n, R_ALL);
give(d, 5, irq);
give(d, 6, <u64>biDeviceSlot(dev));
run(d);
println("init: driver started");
