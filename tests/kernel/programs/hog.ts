// Touches 8 MiB of fresh linear memory: more than the kernel pool of a 16 MiB machine.
import { print, printNum, println, setName } from "../../../services/lib";
setName("hog");
let base = <usize>memory.grow(128) << 16;
println("hog: touching 8 MiB");
for (let i: usize = 0; i < 2048; i++) {
  store<u64>(base + i * 4096, i);
  if (i % 256 == 0) { print("hog: "); printNum(<i64>i); println(" pages"); }
}
println("hog: done (unexpected)");
