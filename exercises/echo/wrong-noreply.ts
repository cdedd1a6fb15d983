// A typical mistake: the server receives but never replies, so every caller stays blocked.
import { recv, println, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
while (true) {
  recv(EP);
  println("got a message");
}
