// A typical mistake: the text is not the one asked for.
import { println } from "../lib";

println("hello, mylittlekernel");
