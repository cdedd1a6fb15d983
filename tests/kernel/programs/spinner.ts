// Spins X1 iterations, printing "<id>" every X1/8 iterations; signals slot 4 when done.
import { reg, signal, print, printNum, println, putc, setName } from "../../../services/lib";
let id = reg(0);
let n = reg(1);
setName("spinner");
print("spin "); printNum(id); println(" start");
let acc: i64 = 0;
let step = n / 8;
for (let i: i64 = 0; i < n; i++) {
  acc += i ^ (acc >> 3);
  if (i % step == 0) { print("["); printNum(id); print("]"); }
}
print("spin "); printNum(id); print(" done "); printNum(acc & 1); println("");
signal(4);
