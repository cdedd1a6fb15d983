// The canary: a process no fuzzer holds a capability to. It fills 16 KiB with a pattern and, each
// time it runs (only when every fuzzer of the round is blocked, stopped or done: it has the lowest
// priority), checks the pattern, tells init the round is quiet (its slot 4, a
// badged notification), and yields. A changed pattern is an isolation breach: it prints BREACH.
import { signal, yieldCpu, print, println, printNum, setName, exit } from "../../../services/lib";
setName("canary");
const WORDS: i32 = 2048;
let area = new StaticArray<u64>(WORDS);
function word(i: i32): u64 { return (<u64>i * 0x9e3779b97f4a7c15) ^ 0xa5a5_5a5a_c3c3_3c3c; }
for (let i = 0; i < WORDS; i++) unchecked(area[i] = word(i));
let rounds: i64 = 0;
for (;;) {
  for (let i = 0; i < WORDS; i++) {
    if (unchecked(area[i]) != word(i)) {
      print("canary: BREACH at word "); printNum(i); println("");
      exit(99);
    }
  }
  let e = signal(4);
  if (e != 0) { print("canary: BREACH signal error "); printNum(e); println(""); exit(98); }
  rounds++;
  yieldCpu();
}
