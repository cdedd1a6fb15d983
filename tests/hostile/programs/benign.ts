// A well-behaved process: prints and exits (used to show the system still runs after an attack).
import { println, setName } from "../../../services/lib";
setName("benign");
println("benign: still fine");
