// A typical mistake: polling the buttons in a loop instead of waiting for the interrupt.
import { println } from "../lib";

const GPIO: usize = 0x4000;
const DATA_ALL: usize = GPIO + 0x3fc;
const DIR: usize = GPIO + 0x400;
const LEDS: u32 = 0x0f, BUTTONS: u32 = 0xf0;
store<u32>(DIR, LEDS);
let last: u32 = load<u32>(DATA_ALL) & BUTTONS;
println("driver: polling");
while (true) {
  const now = load<u32>(DATA_ALL) & BUTTONS;
  const pressed = now & ~last;
  last = now;
  if (pressed != 0) store<u32>(DATA_ALL, load<u32>(DATA_ALL) ^ (pressed >> 4));
}
