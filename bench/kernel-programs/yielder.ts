// Yields forever.
import { yieldCpu } from "../../services/lib";
while (true) yieldCpu();
