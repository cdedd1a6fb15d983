// sock.ts — the socket table, sockets' capabilities, and the calls that wait. A socket is named by
// the badge of the capability open or accept handed out (docs/NETWORK.md); it is charged to the
// client whose pid-badged capability opened it (8 each). A call that has to wait (connect, accept, recv, recvfrom, a send with
// a full buffer) keeps the caller's reply capability in the socket (CNode.SaveCaller) and is
// answered when what it waits for happens — one waiting call per socket.

import { Msg, ipcSend, allocSlot, freeSlot, cnodeSaveCaller, cnodeMint, cnodeDelete, SLOT_CNODE, SLOT_SELF, R_WRITE, R_GRANT } from "../lib";
import * as socket from "../gen/socket";

export const MAX_SOCKETS: i32 = 16;
export const MAX_PER_CLIENT: i32 = 8;
export const SNDBUF: u32 = 8192; // bytes a TCP socket holds until they are acknowledged
export const RCVBUF: u32 = 4096; // bytes received in order and not yet read (the advertised window)
export const MAX_DGRAMS: i32 = 4; // UDP datagrams waiting per socket (more are dropped)

// what a waiting call waits for
export const WAIT_NONE: u32 = 0, WAIT_CONNECT: u32 = 1, WAIT_ACCEPT: u32 = 2, WAIT_RECV: u32 = 3, WAIT_SEND: u32 = 4, WAIT_RECVFROM: u32 = 5;

export class Datagram {
  constructor(public addr: u32, public port: u32, public data: Uint8Array) {}
}

export class Socket {
  slot: i32 = 0;
  /** generation << 8 | slot: the badge of its capabilities, without SOCK_BADGE. */
  id: u32 = 0;
  /** The client's badge; 0 once the client closed it (a TCP connection still finishing) or before accept. */
  owner: u64 = 0;
  type: u32 = 0;
  state: u32 = socket.TCP_STATE_CLOSED;
  localPort: u32 = 0;
  remoteAddr: u32 = 0;
  remotePort: u32 = 0;
  /** An error to report to the next call (RESET, TIMED_OUT, UNREACHABLE), once the connection died. */
  error: u32 = 0;

  // the waiting call
  waitSlot: u64 = 0;
  waitOp: u32 = WAIT_NONE;
  waitMax: u32 = 0;
  waitDeadline: u64 = 0; // recvfrom's timeout (0 = none)
  waitFrom: bool = false; // a recvfrom on a TCP connection (answered as recvfrom, with the peer)
  pending: Uint8Array | null = null; // the data of a send waiting for room

  // UDP
  dgrams: Array<Datagram> = new Array<Datagram>();

  // TCP (RFC 9293 §3.3.1 names): send sequence space
  iss: u32 = 0;
  sndUna: u32 = 0; // oldest unacknowledged
  sndNxt: u32 = 0; // next to send
  sndMax: u32 = 0; // highest sent + 1: a segment below it is a retransmission
  sndWnd: u32 = 0; // the peer's window
  sndMss: u32 = 536; // the peer's MSS (RFC 9293 default until its SYN says)
  sndBuf: Uint8Array | null = null; // ring: bytes from sndUna on, sndLen of them, starting at sndHead
  sndHead: u32 = 0;
  sndLen: u32 = 0;
  finQueued: bool = false; // close() was called: FIN after the data
  finSent: bool = false;
  // receive sequence space
  rcvNxt: u32 = 0;
  rcvBuf: Uint8Array | null = null; // ring: rcvLen bytes from rcvHead
  rcvHead: u32 = 0;
  rcvLen: u32 = 0;
  finReceived: bool = false;
  advertised: u32 = 0; // the window we last told the peer
  // retransmission (one timer: RFC 6298 §5, with a fixed initial RTO, doubled per timeout)
  rto: u64 = 0;
  rtxDeadline: u64 = 0; // 0 = not running
  retries: u32 = 0;
  closeDeadline: u64 = 0; // TIME_WAIT's end, or an orphan's FIN_WAIT_2 limit
  // a listening socket's connections, and a connection's listener until it is accepted
  backlog: u32 = 0;
  accepted: Array<Socket> = new Array<Socket>();
  listener: Socket | null = null;
}

export const sockets = new Array<Socket>();

// A socket's capability is a copy of the stack's endpoint badged
//   opener's pid << 33 | SOCK_BADGE | generation << 8 | slot
// The client cannot change a badge, so it can name only the sockets it was given; a slot's
// generation moves on at every reuse, so a capability kept past close names nothing; and the
// generations start from the clock and the opener's pid must match, so a capability from before a
// restart of the stack does not name another client's socket of the new one.
export const SOCK_BADGE: u64 = 1 << 32; // above every pid init mints (16 bits)
const PID_SHIFT: u64 = 33;
const slotGen = new StaticArray<u32>(MAX_SOCKETS);
const slotUsed = new StaticArray<bool>(MAX_SOCKETS);
/** Sets every slot's generation from the counter at start (see above). */
export function seedGenerations(now: u64): void {
  for (let i = 0; i < MAX_SOCKETS; i++) slotGen[i] = <u32>((now >> 4) + <u64>i * 0x9e37) & 0xff_ffff;
}
function badgeOf(s: Socket): u64 { return ((s.owner & 0xffff) << PID_SHIFT) | SOCK_BADGE | <u64>s.id; }

export function isSocketBadge(badge: u64): bool { return (badge & SOCK_BADGE) != 0; }

export function newSocket(type: u32, owner: u64): Socket | null {
  let slot = -1;
  for (let i = 0; i < MAX_SOCKETS; i++) if (!slotUsed[i]) { slot = i; break; }
  if (slot < 0) return null;
  slotUsed[slot] = true;
  slotGen[slot] = (slotGen[slot] + 1) & 0xff_ffff;
  const s = new Socket();
  s.slot = slot;
  s.id = (slotGen[slot] << 8) | <u32>slot;
  s.type = type;
  s.owner = owner;
  s.state = type == socket.SOCK_TYPE_UDP ? socket.TCP_STATE_UDP : socket.TCP_STATE_CLOSED;
  sockets.push(s);
  return s;
}
export function ownedBy(badge: u64): i32 {
  let n = 0;
  for (let i = 0; i < sockets.length; i++) if (sockets[i].owner == badge) n++;
  return n;
}
/** The socket a capability's badge names, or null (BAD_FD): a stale, closed or made-up badge names none. */
export function lookupSocket(badge: u64): Socket | null {
  if (!isSocketBadge(badge)) return null;
  const id = <u32>(badge & 0xffff_ffff);
  const slot = <i32>(id & 0xff);
  if (slot >= MAX_SOCKETS || !slotUsed[slot]) return null;
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.id == id && s.owner != 0 && badgeOf(s) == badge) return s;
  }
  return null;
}

let capSlot: u64 = 0; // the last minted socket capability, kept until the reply has copied it
/**
 * A capability for s (Write and Grant: accept's reply through it carries a capability), minted into
 * a scratch slot whose previous content — a capability already handed out — is deleted first; 0 if
 * the CNode is full.
 */
export function socketCap(s: Socket): u64 {
  if (capSlot == 0) { capSlot = allocSlot(); if (capSlot == 0) return 0; }
  else cnodeDelete(SLOT_CNODE, capSlot);
  if (cnodeMint(SLOT_CNODE, capSlot, SLOT_SELF, R_WRITE | R_GRANT, badgeOf(s)) != 0) return 0;
  return capSlot;
}
export function freeSocket(s: Socket): void {
  if (s.waitSlot != 0) failWait(s, 13 /* CANCELLED */);
  const i = sockets.indexOf(s);
  if (i >= 0) { sockets.splice(i, 1); slotUsed[s.slot] = false; }
}
export function portInUse(type: u32, port: u32): bool {
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.type == type && s.localPort == port && s.listener == null) return true;
  }
  return false;
}
let nextEphemeral: u32 = 49152;
/** A free port of the dynamic range (RFC 6335: 49152–65535). */
export function ephemeralPort(type: u32): u32 {
  for (let t = 0; t < 16384; t++) {
    const p = nextEphemeral;
    nextEphemeral = nextEphemeral == 65535 ? 49152 : nextEphemeral + 1;
    if (!portInUse(type, p)) return p;
  }
  return 0;
}

// ---- waiting calls ----
const replyMsg = new Msg();

/** Makes the current request wait on s (its reply capability moves to a slot); false if it cannot. */
export function waitOn(s: Socket, op: u32): bool {
  const slot = allocSlot();
  if (slot == 0) return false;
  if (cnodeSaveCaller(SLOT_CNODE, slot) != 0) { freeSlot(slot); return false; }
  s.waitSlot = slot;
  s.waitOp = op;
  s.waitFrom = false;
  s.waitDeadline = 0;
  return true;
}
/** The message to fill for s's waiting call (then finishWait). */
export function waitReply(): Msg { return replyMsg; }
export function finishWait(s: Socket): void {
  ipcSend(s.waitSlot, replyMsg); // the caller may be gone (killed): the error is nothing to us
  freeSlot(s.waitSlot);
  s.waitSlot = 0;
  s.waitOp = WAIT_NONE;
  s.pending = null;
}
/** Answers s's waiting call with error `code`. */
export function failWait(s: Socket, code: u32): void {
  if (s.waitSlot == 0) return;
  replyMsg.reset(<u64>code);
  finishWait(s);
}
/** Answers s's waiting call with ok and no words (connect). */
export function okWait(s: Socket): void {
  if (s.waitSlot == 0) return;
  replyMsg.reset(0);
  finishWait(s);
}
