// Demand-zero paging: touches 64 fresh pages of linear memory (after memory.grow) and reads them
// back; then spawns a child that overflows its stack into the guard page.
import { print, println, printNum, setName, SLOT_CNODE } from "../../../services/lib";
import { start, run } from "./common";
setName("init");
let before = memory.size();
let base = <usize>memory.grow(8) << 16; // 8 × 64 KiB, demand-zero
let sum: u64 = 0;
for (let i: usize = 0; i < 128; i++) {
  let p = base + i * 4096;
  sum += load<u64>(p); // zero page on first touch
  store<u64>(p, i + 1);
}
for (let i: usize = 0; i < 128; i++) sum += load<u64>(base + i * 4096);
print("pager: grew from "); printNum(before); print(" pages, sum "); printNum(<i64>sum); println("");
let c = start("overflow.wasm", 15);
run(c);
println("pager: child started");
