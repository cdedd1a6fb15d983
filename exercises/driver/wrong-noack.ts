// A typical mistake: serving the interrupt but never acknowledging it (the line stays masked).
import { recv, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
const GPIO: usize = 0x4000;
const DATA_ALL: usize = GPIO + 0x3fc;
const DIR: usize = GPIO + 0x400, IS: usize = GPIO + 0x404, IBE: usize = GPIO + 0x408, IEV: usize = GPIO + 0x40c;
const IE: usize = GPIO + 0x410, MIS: usize = GPIO + 0x418, IC: usize = GPIO + 0x41c;
const LEDS: u32 = 0x0f, BUTTONS: u32 = 0xf0;

store<u32>(DIR, LEDS);
store<u32>(IS, 0);
store<u32>(IBE, 0);
store<u32>(IEV, BUTTONS);
store<u32>(IC, 0xff);
store<u32>(IE, BUTTONS);

while (true) {
  recv(EP);
  const pending = load<u32>(MIS) & BUTTONS;
  store<u32>(IC, pending);
  store<u32>(DATA_ALL, load<u32>(DATA_ALL) ^ (pending >> 4));
}
