// Hostile service: exhausts memory. It grows its linear memory to the limit and touches every page
// (each one a demand-zero page from the kernel), then keeps asking for more.
import { print } from "../lib";
let pages: i32 = 0;
while (memory.grow(1) >= 0) pages++;
let touched: i32 = 0;
let top = <usize>memory.size() << 16;
for (let p: usize = 0x10000; p < top; p += 4096) { store<u8>(p, 1); touched++; }
print("hog: touched " + touched.toString() + " pages\n");
for (let i = 0; i < 1000; i++) memory.grow(1);
print("hog: done\n");
