// server.ts — the server loop every service runs (docs/USERLIB.md "A server"). A service extends
// its protocol's generated `Server` class (services/gen/<protocol>.ts), which is a `Service`, and
// hands an instance to `serve`, which receives on the service's endpoint forever:
//
//   label ≥ 256 (protocol << 8 | op)  a request: handle() decodes it, calls the op, leaves the reply
//                                     in the message, which goes back with the next ReplyRecv
//   label 0, no words                 a signal on the notification bound to the thread (an IRQ,
//                                     the timer, init's heartbeat ping): answered pings, then notified()
//   anything else                     other(): by default a BAD_MESSAGE reply
//
// Garbage collection: services use the `minimal` runtime (services/asconfig.json), whose collector
// runs only when asked and sees only what globals reach (there is no shadow stack). serve keeps
// the service and its message in globals and collects at the top of the loop, where no managed
// object lives only in a local.

import { Msg } from "./msg";
import { ipcRecv, ipcReplyRecv } from "./ipc";
import { signal } from "./sys";
import { cnodeDelete } from "./caps";
import { allocSlot } from "./slots";
import { SLOT_CNODE, SLOT_HEARTBEAT, HEARTBEAT_PING_BIT } from "./abi";
import { BAD_MESSAGE } from "../gen/errors";

/** What a server does with each message; extend the generated `Server` of a protocol, which implements handle(). */
export abstract class Service {
  /** Whether clients may send capabilities: serve then keeps an empty receive slot (see keepCap). */
  acceptsCaps: bool = false;
  /** A request (label ≥ 256): leaves the reply in m and returns true, or returns false to answer later. */
  abstract handle(m: Msg): bool;
  /** A signal on the notification bound to the thread; `bits` is the notification word. */
  notified(bits: u64): void {}
  /** A message that is neither a request nor a signal (label 1..255: e.g. a fault message); true = reply with m. */
  other(m: Msg): bool { m.error(BAD_MESSAGE); return true; }
  /** Runs when a message has arrived (the previous reply is out), before it is handled. */
  before(): void {}
  /** Runs when a message has been handled, before its reply goes out. */
  after(): void {}
}

/** The bit init signals on a service's bound notification to ask "are you alive?". */
export const PING: u64 = <u64>1 << HEARTBEAT_PING_BIT;

/** Answers init's heartbeat if `bits` (a notification word) holds PING; returns whether it did. */
export function answerPing(bits: u64): bool {
  if ((bits & PING) == 0) return false;
  signal(SLOT_HEARTBEAT);
  return true;
}

let sinceCollect: u32 = 0;
/** A full garbage collection every `period` calls: call it where no managed object lives only in a local. */
export function collectGarbage(period: u32 = 64): void {
  if (++sinceCollect < period) return;
  sinceCollect = 0;
  __collect();
}

// the running service and its message, in globals so the collector sees them
let served: Service | null = null;
let message: Msg | null = null;
let capKept = false;

/** Takes the capability that came with the request being handled: its slot now belongs to the caller. */
export function keepCap(): u64 {
  const m = message;
  if (m == null) return 0;
  capKept = true;
  return m.recvSlot;
}

/** Serves endpoint `ep` (usually SLOT_SELF) with `s` forever (see the top of this file). */
export function serve(ep: u64, s: Service): void {
  served = s;
  const m = new Msg();
  message = m;
  if (s.acceptsCaps) m.recvSlot = allocSlot();
  let e = ipcRecv(ep, m);
  while (true) {
    collectGarbage();
    s.before();
    let reply = false;
    const arrived = e == 0 ? m.ncaps : 0;
    capKept = false;
    if (e == 0) {
      if (m.label >= 256) reply = s.handle(m);
      else if (m.label == 0 && m.len == 0) { answerPing(m.badge); s.notified(m.badge); }
      else reply = s.other(m);
    }
    // a capability that arrived and was not kept is dropped, so the receive slot is empty again
    if (arrived > 0 && m.recvSlot != 0) {
      if (capKept) m.recvSlot = allocSlot();
      else cnodeDelete(SLOT_CNODE, m.recvSlot);
    }
    s.after();
    e = reply ? ipcReplyRecv(ep, m) : ipcRecv(ep, m);
  }
}
