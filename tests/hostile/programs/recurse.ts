// Recurses without end: the value stack runs into its guard page and the thread faults.
import { println, setName } from "../../../services/lib";
setName("recurse");
let depth: i64 = 0;
function down(n: i64): i64 { depth++; return n == -1 ? 0 : down(n + 1) + 1; }
println("recurse: going down");
down(0);
println("recurse: BREACH returned");
