// Loader attacks: init spawns each malformed program of the boot image and runs the ones the loader
// accepts; a well-formed program afterwards must still run.
import { print, println, printNum, spawn, SLOT_BOOT_IMAGE, biFindFile, tcbResume, setName } from "../../../services/lib";
import { alloc, untyped, start, run } from "../../kernel/programs/common";
setName("init");
const FILES: string[] = ["truncated.wasm", "badmagic.wasm", "hugesection.wasm", "badopcode.wasm", "unknownimport.wasm", "starttrap.wasm", "startsection.wasm", "empty.wasm"];
for (let i = 0; i < FILES.length; i++) {
  let s = alloc(); alloc(); alloc();
  let e = spawn(SLOT_BOOT_IMAGE, biFindFile(FILES[i]), 20, s, 4, untyped());
  print("spawn "); print(FILES[i]); print(": "); printNum(e); println("");
  if (e == 0) { print("resume "); print(FILES[i]); print(": "); printNum(tcbResume(s)); println(""); }
}
let ok = start("benign.wasm", 5);
run(ok);
println("loader: still running");
