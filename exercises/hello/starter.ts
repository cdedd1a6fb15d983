// hello — print one line and end.
import { println } from "../lib";

// TODO: print the greeting the statement asks for
println("...");
