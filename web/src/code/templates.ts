// Starter programs of the Code panel (the exercises bring their own starters).
export interface Template { id: string; title: string; grants: string[]; source: string }

export const TEMPLATES: Template[] = [
  {
    id: 'hello',
    title: 'Hello (prints and exits)',
    grants: ['console'],
    source: `// hello — prints a line through the kernel's debug console and ends.
// init logs the exit: "student (tid N) exited with status 0".
import { println } from "../lib";

println("Hello from my own EL0 program!");
`,
  },
  {
    id: 'server',
    title: 'Server (echo on slot 5)',
    grants: ['endpoint', 'console'],
    source: `// server — serves on the endpoint init gave it (grant "endpoint", slot 5): answers every Call
// with the words it carried. Call it from the "Send IPC" panel: pick the program's endpoint.
import { recv, replyRecv, infoLabel, infoLength, mr, badge, msgInfo, println, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;

println("server: waiting for calls");
recv(EP);
while (true) {
  const n = min(infoLength(), 4);
  println("server: label " + infoLabel().toString() + " from badge " + badge().toString());
  replyRecv(EP, msgInfo(0, 0, n), mr(0), mr(1), mr(2), mr(3));
}
`,
  },
  {
    id: 'protocol',
    title: 'Server with a protocol of its own (decoded in Messages)',
    grants: ['endpoint'],
    source: `// adder — declares its protocol in the comment below (the JSON of an abi/protocols file, id
// 128-255): when it runs, the Messages panel and the Send IPC composer know "adder.add(a, b)".
// A request's label is id << 8 | op id: 200 << 8 | 1.
/* @protocol { "protocol": "adder", "id": 200,
     "ops": [{ "name": "add", "id": 1, "args": [{ "name": "a", "type": "u64" }, { "name": "b", "type": "u64" }],
               "reply": [{ "name": "sum", "type": "u64" }] }] } */
import { recv, replyRecv, infoLabel, mr, msgInfo, SLOT_SELF } from "../lib";
import { BAD_MESSAGE } from "../gen/errors";

const EP = SLOT_SELF;
const ADD: u64 = 200 << 8 | 1;

recv(EP);
while (true) {
  if (infoLabel() == ADD) replyRecv(EP, msgInfo(0, 0, 1), mr(0) + mr(1));
  else replyRecv(EP, msgInfo(BAD_MESSAGE, 0, 0));
}
`,
  },
  {
    id: 'client',
    title: 'Client (writes through the console service)',
    grants: ['console'],
    source: `// client — looks up the console service (grant "console") and calls its write operation,
// the typed protocol of abi/protocols/console.json: the Messages panel decodes the call.
import { lookup, lastError, println } from "../lib";
import * as con from "../gen/console";
import { errName } from "../gen/errors";

const ep = lookup("console");
if (ep == 0) println("client: lookup console failed: " + errName(lastError));
else {
  const b = String.UTF8.encode("client: hello through the console service\\n");
  const e = con.write(ep, changetype<usize>(b), b.byteLength, new con.WriteReply());
  if (e != 0) println("client: console.write: " + errName(e));
}
`,
  },
  {
    id: 'driver',
    title: 'Driver (GPIO buttons and LEDs, interrupt-driven)',
    grants: ['endpoint', 'gpio'],
    source: `// driver — the PL061 GPIO bank (grant "gpio"): registers at 0x4000, its IRQ handler in slot 6
// signalling a notification bound to this thread, so an interrupt arrives through recv on slot 5
// as a label-0 message. Press the buttons in the GPIO strip below: each press lights the next LED.
import { recv, irqAck, println, SLOT_IRQ, SLOT_SELF } from "../lib";

const EP = SLOT_SELF;
const GPIO: usize = 0x4000;
const DATA_ALL: usize = GPIO + 0x3fc; // GPIODATA, every line in the address mask
const DIR: usize = GPIO + 0x400, IS: usize = GPIO + 0x404, IEV: usize = GPIO + 0x40c;
const IE: usize = GPIO + 0x410, MIS: usize = GPIO + 0x418, IC: usize = GPIO + 0x41c;

store<u32>(DIR, 0x0f);   // lines 0-3 (LEDs) out, 4-7 (buttons) in
store<u32>(IS, 0);       // edge-sensitive
store<u32>(IEV, 0xf0);   // rising edge: a press
store<u32>(IC, 0xff);
store<u32>(IE, 0xf0);
irqAck(SLOT_IRQ);
let presses: u32 = 0;
println("driver: waiting for button presses");
while (true) {
  recv(EP);
  const pending = load<u32>(MIS);
  store<u32>(IC, pending); // clear in the device, then open the line again
  irqAck(SLOT_IRQ);
  if (pending == 0) continue;
  presses++;
  store<u32>(DATA_ALL, presses & 0x0f); // the count in binary on the LEDs
  println("driver: buttons 0x" + (pending >> 4).toString(16) + ", presses " + presses.toString());
}
`,
  },
  {
    id: 'crash',
    title: 'Crash (a fault)',
    grants: ['console'],
    source: `// crash — reads far past the end of its memory: the EL0 core traps (out of bounds memory access),
// the kernel sends init a fault message and init stops the program (restart limit 0). The rest of
// the system keeps running.
import { println } from "../lib";

println("crash: about to read 0x7fff0000");
const v = load<u32>(0x7fff0000);
println("never printed " + v.toString());
`,
  },
];
