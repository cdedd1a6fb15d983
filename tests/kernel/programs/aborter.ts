// The services' abort handler: prints the message and exits the thread with code 134.
import { println, setName } from "../../../services/lib";
setName("aborter");
println("aborter: asserting");
let x = load<i32>(0x10000) + 1;
assert(x == 0, "boom");
