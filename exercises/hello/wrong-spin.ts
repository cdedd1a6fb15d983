// A typical mistake: the program never ends (it spins in a loop after printing).
import { println } from "../lib";

println("Hello, MyLittleKernel!");
let spins: u64 = 0;
while (true) spins++;
