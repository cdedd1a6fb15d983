// sockets.ts — the network stack's sockets are capabilities (docs/NETWORK.md): `open` and `accept`
// reply with a capability (a badged copy of net's endpoint) that takes a slot of our CNode, every
// other socket call (socket.bind, connect, send, recv, …) is made on it, and `sockClose` closes the
// socket and deletes the capability. These wrappers manage the slots; the calls themselves are the
// generated ones (services/gen/socket.ts).

import { allocSlot, releaseSlot, freeSlot } from "./slots";
import { NOT_ENOUGH_MEMORY } from "../gen/errors";
import * as socket from "../gen/socket";

/** Why the last sockOpen or sockAccept returned 0 (an error code of the socket protocol). */
export let sockError: u32 = 0;

/** A new socket of `type` (socket.SOCK_TYPE_UDP or _TCP) through net's capability `net`: its capability, or 0 (sockError). */
export function sockOpen(net: u64, type: u32): u64 {
  const s = allocSlot();
  if (s == 0) { sockError = NOT_ENOUGH_MEMORY; return 0; }
  // allocated here, not at module level: a top-level `new` would run in every program that imports the library
  sockError = socket.open(net, type, s, new socket.OpenReply());
  if (sockError != 0) { releaseSlot(s); return 0; }
  return s;
}

/** The next connection of listening socket `listener` (waits for one): its capability, or 0 (sockError); its peer in `out`. */
export function sockAccept(listener: u64, out: socket.AcceptReply): u64 {
  const s = allocSlot();
  if (s == 0) { sockError = NOT_ENOUGH_MEMORY; return 0; }
  sockError = socket.accept(listener, s, out);
  if (sockError != 0) { releaseSlot(s); return 0; }
  return s;
}

/** Closes socket `sock` (TCP: FIN after the queued data) and deletes its capability; the close's error. */
export function sockClose(sock: u64): u32 {
  const e = socket.close(sock);
  freeSlot(sock);
  return e;
}
