// driver — LED i follows button i: every press of button i toggles LED i (PL061 GPIO at 0x4000).
import { recv, irqAck, SLOT_IRQ, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
const GPIO: usize = 0x4000;
const DATA_ALL: usize = GPIO + 0x3fc; // GPIODATA with every line in the mask
const DIR: usize = GPIO + 0x400, IS: usize = GPIO + 0x404, IBE: usize = GPIO + 0x408, IEV: usize = GPIO + 0x40c;
const IE: usize = GPIO + 0x410, MIS: usize = GPIO + 0x418, IC: usize = GPIO + 0x41c;
const LEDS: u32 = 0x0f, BUTTONS: u32 = 0xf0;

store<u32>(DIR, LEDS);       // LED lines out, button lines in
store<u32>(IS, 0);           // edge-sensitive
store<u32>(IBE, 0);
store<u32>(IEV, BUTTONS);    // on the rising edge: the press
store<u32>(IC, 0xff);        // forget edges latched before we came
store<u32>(IE, BUTTONS);
irqAck(SLOT_IRQ);            // a line a previous instance left masked opens again

while (true) {
  recv(EP);
  const pending = load<u32>(MIS) & BUTTONS;
  if (pending == 0) continue;
  store<u32>(IC, pending);   // clear in the device first, then let the line in again
  store<u32>(DATA_ALL, load<u32>(DATA_ALL) ^ (pending >> 4));
  irqAck(SLOT_IRQ);
}
