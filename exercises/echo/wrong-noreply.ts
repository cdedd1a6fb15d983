// A typical mistake: the server receives but never replies, so every caller stays blocked.
import { recv, println } from "../lib";

const EP: u64 = 5;
while (true) {
  recv(EP);
  println("got a message");
}
