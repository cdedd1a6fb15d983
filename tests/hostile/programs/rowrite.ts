// Writes a page its parent mapped read-only at 0x4000: must fault, not write.
import { println, setName } from "../../../services/lib";
setName("rowrite");
println("rowrite: writing the read-only page");
store<u32>(0x4000, 0);
println("rowrite: BREACH wrote");
