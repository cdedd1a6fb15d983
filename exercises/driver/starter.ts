// driver — LED i follows button i: every press of button i toggles LED i (PL061 GPIO at 0x4000).
import { recv, irqAck, SLOT_IRQ, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
const GPIO: usize = 0x4000;
const DATA_ALL: usize = GPIO + 0x3fc; // GPIODATA with every line in the mask
const DIR: usize = GPIO + 0x400, IS: usize = GPIO + 0x404, IBE: usize = GPIO + 0x408, IEV: usize = GPIO + 0x40c;
const IE: usize = GPIO + 0x410, MIS: usize = GPIO + 0x418, IC: usize = GPIO + 0x41c;
const LEDS: u32 = 0x0f, BUTTONS: u32 = 0xf0;

// TODO: configure the lines and the interrupt
while (true) {
  recv(EP); // an interrupt arrives as a label-0 message
  // TODO: serve it
}
