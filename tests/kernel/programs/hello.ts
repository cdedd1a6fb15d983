// The smallest init: prints, reads its boot info, exits.
import { println, printNum, print, biFileCount, biUntypedCount } from "../../../services/lib";

println("hello from init");
print("boot files: "); printNum(biFileCount()); print(", untyped: "); printNum(biUntypedCount()); println("");
