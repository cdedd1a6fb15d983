// hello — a program to spawn from the shell (`spawn hello`): prints a greeting through the
// console (the only service its manifest entry lets it look up) and exits; init logs the exit.
import { lookup, lastError, print } from "../lib";
import * as con from "../gen/console";
import { errName } from "../gen/errors";

const ep = lookup("console");
if (ep != 0) {
  const b = String.UTF8.encode("hello from a freshly spawned EL0 program\n");
  const e = con.write(ep, changetype<usize>(b), b.byteLength, new con.WriteReply());
  if (e != 0) print("hello: console.write: " + errName(e) + "\n");
} else print("hello: lookup console: " + errName(lastError) + "\n");
