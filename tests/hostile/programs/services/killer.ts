// Hostile service: asks init (its proc endpoint) to kill every other process, again and again.
import * as proc from "../gen/proc";
import { print } from "../lib";
let ok = 0;
let refused = 0;
for (let round = 0; round < 20; round++) {
  for (let pid: u32 = 1; pid < 24; pid++) {
    if (proc.kill(4, pid) == 0) ok++; else refused++;
  }
}
print("killer: kills accepted " + ok.toString() + ", refused " + refused.toString() + "\n");
