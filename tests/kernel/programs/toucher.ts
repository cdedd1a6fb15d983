// Touches 128 fresh demand-zero pages and checks them: memory is still there for a modest process.
import { print, println, printNum, setName } from "../../../services/lib";
setName("toucher");
let base = <usize>memory.grow(8) << 16;
let sum: u64 = 0;
for (let i: usize = 0; i < 128; i++) store<u64>(base + i * 4096, i + 1);
for (let i: usize = 0; i < 128; i++) sum += load<u64>(base + i * 4096);
print("toucher: 128 pages, sum "); printNum(<i64>sum); println("");
