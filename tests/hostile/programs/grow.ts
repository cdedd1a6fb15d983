// Grows its linear memory beyond every limit: memory.grow must fail (-1), never trap the machine.
import { print, println, printNum, setName } from "../../../services/lib";
setName("grow");
print("grow: 65536 pages -> "); printNum(memory.grow(65536)); println("");
print("grow: 0x7fffffff pages -> "); printNum(memory.grow(0x7fffffff)); println("");
let total = 0;
while (memory.grow(16) >= 0) total += 16;
print("grow: grew "); printNum(total); println(" pages before the limit");
store<u8>(<usize>(memory.size() << 16) - 1, 1);
println("grow: last page writable");
