// Register files: init writes edge and random values into every register slot (0..31) of stopped
// children through TCB.WriteRegisters and resumes them. Each must fault (or run) without taking the
// machine down; a healthy child afterwards still runs.
import { tcbWriteRegister, tcbResume, print, println, printNum, setName } from "../../../services/lib";
import { start, run } from "../../kernel/programs/common";
setName("init");
let seed: u64 = 0x2545f4914f6cdd1d;
function rnd(): u64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }
const EDGES: u64[] = [0, 1, 0xffff_ffff, 0x1_0000_0000, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_ffff, 0x100_0000_0000, 0x7fff_ffff];
let refused = 0;
for (let v = 0; v < 24; v++) {
  let t = start("benign.wasm", 20);
  for (let r = 0; r < 32; r++) {
    // victim v: edge values in every slot for the first 8, then random values, then one slot at a time
    let val: u64 = v < 8 ? EDGES[v] : v < 16 ? rnd() : (r == v - 16 + 8 ? rnd() : 0xdead);
    if (v >= 16 && r != v - 16 + 8) continue;
    if (tcbWriteRegister(t, r, <i64>val) != 0) refused++;
  }
  print("regs: victim "); printNum(v); print(" resume "); printNum(tcbResume(t)); println("");
}
print("regs: writes refused "); printNum(refused); println("");
let ok = start("benign.wasm", 5);
run(ok);
println("regs: still running");
