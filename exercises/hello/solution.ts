// hello — print one line and end.
import { println } from "../lib";

println("Hello, MyLittleKernel!");
