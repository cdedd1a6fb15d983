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
import { recv, replyRecv, infoLabel, infoLength, mr, badge, msgInfo, println } from "../lib";

const EP: u64 = 5;

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
