// Shared by the hostile programs: each attack states the error code it must get.
import { print, println, printNum } from "../../../services/lib";
export let failures = 0;
/** Prints "ok <what>" when `got` is `want`, else "FAIL <what>: got X, want Y". */
export function expectErr(got: i64, want: i64, what: string): void {
  if (got == want) { print("ok "); println(what); return; }
  failures++;
  print("FAIL "); print(what); print(": got "); printNum(got); print(", want "); printNum(want); println("");
}
export function done(name: string): void {
  print(name); print(": done, "); printNum(failures); println(" failures");
}
