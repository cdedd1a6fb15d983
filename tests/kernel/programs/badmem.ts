// Spawn of a module whose memory maximum is 0 or 1 page is a bad image (14), not a range error.
import { print, println, printNum, spawn, SLOT_BOOT_IMAGE, biFindFile, setName } from "../../../services/lib";
import { alloc, untyped } from "./common";
setName("init");
function trySpawn(name: string): void {
  let s = alloc(); alloc(); alloc();
  let e = spawn(SLOT_BOOT_IMAGE, biFindFile(name), 10, s, 4, untyped());
  print("spawn "); print(name); print(": "); printNum(e); println("");
}
trySpawn("max0.wasm");
trySpawn("max1.wasm");
trySpawn("max2.wasm");
println("badmem: done");
