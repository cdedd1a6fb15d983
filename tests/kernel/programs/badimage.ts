// A malformed program image is rejected with an error; the kernel (and we) keep running.
import { print, println, printNum, spawn, SLOT_BOOT_IMAGE, biFindFile, setName } from "../../../services/lib";
import { alloc, untyped, start, run } from "./common";
setName("init");
function trySpawn(name: string): void {
  let s = alloc(); alloc(); alloc();
  let e = spawn(SLOT_BOOT_IMAGE, biFindFile(name), 10, s, 4, untyped());
  print("spawn "); print(name); print(": "); printNum(e); println("");
}
trySpawn("garbage.wasm");
trySpawn("nostart.wasm");
trySpawn("truncated.wasm");
let ok = start("hello.wasm", 12);
run(ok);
println("badimage: still running");
