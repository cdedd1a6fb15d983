// UART driver: maps the UART page (slot 6) at 0x4000, binds the IRQ (slot 5) to the notification
// (slot 4), then waits; on each interrupt drains the RX FIFO and acknowledges the IRQ.
import { wait, irqAck, irqSetNotification, frameMap, R_READ, R_WRITE, SLOT_VSPACE, print, println, printNum, putc, setName, badge } from "../../../services/lib";
import { check } from "./common";
setName("uartdrv");
const UART: usize = 0x4000;
check(frameMap(6, SLOT_VSPACE, UART, R_READ | R_WRITE), "map uart");
check(irqSetNotification(5, 4), "bind irq");
println("driver: waiting for input");
let total = 0;
while (total < 5) {
  wait(4);
  let st = load<u32>(UART + 0x10);
  store<u32>(UART + 0x10, st & ((1 << 4) | (1 << 9))); // W1C RX flags
  print("driver: irq, got '");
  while ((load<u32>(UART + 0x18) & 0x10f) != 0) { putc(<i32>(load<u32>(UART + 0x24) & 0xff)); total++; }
  print("' badge "); printNum(badge()); println("");
  check(irqAck(5), "ack");
}
println("driver: done");
