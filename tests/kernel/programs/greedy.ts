// A greedy process: tries to raise its own kernel-memory quota (its VSpace cap has no Grant), then
// touches 12 MiB of fresh linear memory, more than its quota of a 64 MiB machine's pool.
import { SLOT_VSPACE, VSPACE_SET_QUOTA, invoke, print, printNum, println, setName } from "../../../services/lib";
setName("greedy");
print("greedy: raise own quota: "); printNum(invoke(SLOT_VSPACE, VSPACE_SET_QUOTA, 1, 1 << 20)); println("");
let base = <usize>memory.grow(192) << 16;
for (let i: usize = 0; i < 3072; i++) {
  store<u64>(base + i * 4096, i);
  if (i % 512 == 0) { print("greedy: "); printNum(<i64>i); println(" pages"); }
}
println("greedy: done (unexpected)");
