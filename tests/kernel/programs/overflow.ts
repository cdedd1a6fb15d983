// Unbounded recursion: the value stack runs into the guard page.
import { setName, println } from "../../../services/lib";
setName("overflow");
function down(n: i64): i64 { return n == 0 ? 0 : down(n + 1) + 1; }
println("overflow: recursing");
down(1);
