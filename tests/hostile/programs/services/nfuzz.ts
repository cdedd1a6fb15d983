// Hostile service: fuzzes its neighbours. Random labels, lengths and words to init's proc endpoint
// (slot 4) and to the console and vfs endpoints it looks up, and random method calls on its own
// slots; 8,000 calls (Call: a server must answer garbage with an error; or NBSend), then it exits.
import { svc, IPCBUF_VA, lookup, print } from "../lib";
let seed: u64 = 0x243f6a8885a308d3;
function rnd(): u64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed; }
const con = lookup("console");
const vfs = lookup("vfs");
const EDGES: u64[] = [0, 1, 0xffff_ffff, 0x1_0000_0000, 0xffff_ffff_ffff_ffff, 0x8000_0000, 4096, 0x7fff_ffff];
function word(): i64 { let k = rnd() % 4; return k == 0 ? <i64>EDGES[<i32>(rnd() % 8)] : k == 1 ? <i64>(rnd() % 64) : <i64>rnd(); }
let calls = 0;
for (let i = 0; i < 8000; i++) {
  for (let k = 4; k < 16; k++) store<u64>(IPCBUF_VA + 8 + (<usize>k << 3), <u64>word());
  let k = rnd() % 8;
  let cap: u64 = k < 3 ? 4 : k < 5 ? con : k < 7 ? vfs : rnd() % 16;
  let label: u64 = rnd() % 4 == 0 ? rnd() : (1 + rnd() % 8) * 256 + rnd() % 16;
  let info = <i64>((label << 12) | (rnd() % 128));
  let nr = rnd() % 4 == 0 ? 2 : 0;
  svc(<i32>nr, <i64>cap, info, word(), word(), word(), word());
  calls++;
}
print("nfuzz: " + calls.toString() + " calls done\n");
