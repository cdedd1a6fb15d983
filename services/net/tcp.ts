// tcp.ts — TCP (RFC 9293), small enough to read in one sitting, in the shape of lwIP's tcp_in.c /
// tcp_out.c: the state machine, the three-way handshake, sequence and acknowledgement numbers,
// the peer's window, retransmission on timeout and FIN / RST.
//
// What it leaves out, on purpose (docs/NETWORK.md): out-of-order segments are dropped (the sender
// retransmits them: go-back-N), every segment with data or FIN is acknowledged at once (no delayed
// ACK), no congestion control (the flight is bounded by the peer's window, 4 KiB here, so the
// driver's receive ring never overflows), no RTT estimation (a fixed initial RTO, doubled on
// each timeout: RFC 6298 §5.5), no urgent data, no options but MSS, no window scaling, no SACK.
//
// Sequence numbers wrap at 2^32: compare them with lt/le, never with < on the raw values.

import { get8, get16, get32, put8, put16, put32, csumAdd, csumFold, pseudoSum, myIp, counters } from "./wire";
import { PAYLOAD, PROTO_TCP, ipOutput } from "./ip";
import {
  Socket, sockets, newSocket, freeSocket, SNDBUF, RCVBUF, WAIT_CONNECT, WAIT_ACCEPT, WAIT_RECV, WAIT_SEND,
  waitReply, finishWait, failWait, okWait, socketCap,
} from "./sock";
import { MS } from "./arp";
import * as socket from "../gen/socket";
import * as E from "../gen/errors";

export const MSS: u32 = 1460; // Ethernet MTU 1500 − IP 20 − TCP 20
const FIN: u32 = 0x01, SYN: u32 = 0x02, RST: u32 = 0x04, PSH: u32 = 0x08, ACK: u32 = 0x10;
const RTO_INITIAL: u64 = 200 * MS; // Linux's TCP_RTO_MIN; RFC 6298 says 1 s, which would slow the tests down for nothing
const RTO_MAX: u64 = 3200 * MS;
const MAX_RETRIES: u32 = 8; // then the connection is given up: TIMED_OUT
const MAX_SYN_ACK_RETRIES: u32 = 3; // a half-open connection (SYN_RECEIVED) is dropped sooner: a SYN flood frees the backlog in 3 s
const TIME_WAIT: u64 = 1000 * MS; // 2·MSL, with a short MSL (Linux waits 60 s)
const ORPHAN_FIN_WAIT_2: u64 = 10_000 * MS; // a closed socket whose peer never closes (Linux tcp_fin_timeout 60 s)

// @ts-ignore: decorator
@inline function lt(a: u32, b: u32): bool { return <i32>(a - b) < 0; }
// @ts-ignore: decorator
@inline function le(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }

let issClock: u32 = 0x1000;
/** An initial sequence number: from the clock (RFC 9293 §3.4.1), deterministic in virtual time. */
function newIss(now: u64): u32 { issClock += 64000; return <u32>(now >> 6) + issClock; }

function windowFree(s: Socket): u32 { return RCVBUF - s.rcvLen; }

/**
 * Builds and sends one segment of s: flags, sequence number `seq`, `len` bytes of the send buffer
 * from `seq` on, and (with SYN) the MSS option. Acknowledges rcvNxt whenever ACK is set.
 */
function sendSegment(s: Socket, flags: u32, seq: u32, len: u32, now: u64): void {
  const p = PAYLOAD;
  const hlen: u32 = (flags & SYN) != 0 ? 24 : 20;
  put16(p, s.localPort); put16(p + 2, s.remotePort);
  put32(p + 4, seq);
  put32(p + 8, (flags & ACK) != 0 ? s.rcvNxt : 0);
  put8(p + 12, (hlen / 4) << 4);
  put8(p + 13, flags);
  const win = windowFree(s);
  put16(p + 14, win);
  s.advertised = win;
  put16(p + 16, 0); put16(p + 18, 0); // checksum, urgent pointer
  if ((flags & SYN) != 0) { put8(p + 20, 2); put8(p + 21, 4); put16(p + 22, MSS); } // option: MSS
  if (len > 0) {
    // the bytes from seq on sit at ring offset (head + seq − sndUna)
    const buf = changetype<usize>(s.sndBuf!.buffer);
    let off = (s.sndHead + (seq - s.sndUna)) % SNDBUF;
    const first = min(len, SNDBUF - off);
    memory.copy(p + <usize>hlen, buf + <usize>off, <usize>first);
    if (first < len) memory.copy(p + <usize>(hlen + first), buf, <usize>(len - first));
  }
  const total = hlen + len;
  put16(p + 16, csumFold(csumAdd(pseudoSum(myIp, s.remoteAddr, PROTO_TCP, total), p, <i32>total)));
  counters.tcpOut++;
  if (lt(seq, s.sndMax) && (len > 0 || (flags & (SYN | FIN)) != 0)) counters.tcpRetrans++;
  const end = seq + len + ((flags & (SYN | FIN)) != 0 ? 1 : 0);
  if (lt(s.sndMax, end)) s.sndMax = end;
  const e = ipOutput(s.remoteAddr, PROTO_TCP, <i32>total, now);
  if (e != 0) abort(s, e);
}

/** A bare ACK (after data, a FIN, or a segment outside the window). */
function sendAck(s: Socket, now: u64): void { sendSegment(s, ACK, s.sndNxt, 0, now); }

/** A RST answering a segment no connection wants (RFC 9293 §3.10.7.1), built from the segment's fields. */
function sendReset(src: u32, sport: u32, dport: u32, seq: u32, ack: u32, withAck: bool, now: u64): void {
  const p = PAYLOAD;
  put16(p, dport); put16(p + 2, sport);
  put32(p + 4, withAck ? 0 : ack);
  put32(p + 8, withAck ? seq : 0);
  put8(p + 12, 5 << 4);
  put8(p + 13, withAck ? RST | ACK : RST);
  put16(p + 14, 0); put16(p + 16, 0); put16(p + 18, 0);
  put16(p + 16, csumFold(csumAdd(pseudoSum(myIp, src, PROTO_TCP, 20), p, 20)));
  counters.tcpOut++;
  counters.tcpResets++;
  ipOutput(src, PROTO_TCP, 20, now);
}

function startTimer(s: Socket, now: u64): void { if (s.rtxDeadline == 0) s.rtxDeadline = now + s.rto; }

/**
 * Sends what the peer's window allows: new data in segments of at most the MSS, then FIN once all
 * data is out and the client closed. Starts the retransmission timer for what is in flight.
 */
export function tcpOutput(s: Socket, now: u64): void {
  const st = s.state;
  if (st != socket.TCP_STATE_ESTABLISHED && st != socket.TCP_STATE_CLOSE_WAIT && st != socket.TCP_STATE_FIN_WAIT_1 &&
      st != socket.TCP_STATE_CLOSING && st != socket.TCP_STATE_LAST_ACK) return;
  while (true) {
    const inFlight = s.sndNxt - s.sndUna; // data only: FIN is sent below, after all data
    const unsent = s.sndLen > inFlight ? s.sndLen - inFlight : 0;
    const room = s.sndWnd > inFlight ? s.sndWnd - inFlight : 0;
    const n = min(min(unsent, room), s.sndMss);
    if (n == 0 || s.finSent) break;
    // Nagle (RFC 896, RFC 9293 §3.7.4): a short segment waits while data is unacknowledged, so a
    // writer's small sends (httpd's 256-byte reads) go out as full segments
    if (n < s.sndMss && n == unsent && inFlight > 0 && !s.finQueued) break;
    sendSegment(s, ACK | PSH, s.sndNxt, n, now);
    if (s.state == socket.TCP_STATE_CLOSED) return; // the send failed (no route)
    s.sndNxt += n;
    startTimer(s, now);
  }
  if (s.finQueued && !s.finSent && s.sndNxt - s.sndUna == s.sndLen) {
    sendSegment(s, FIN | ACK, s.sndNxt, 0, now);
    if (s.state == socket.TCP_STATE_CLOSED) return;
    s.sndNxt++;
    s.finSent = true;
    if (s.state == socket.TCP_STATE_ESTABLISHED) s.state = socket.TCP_STATE_FIN_WAIT_1;
    else if (s.state == socket.TCP_STATE_CLOSE_WAIT) s.state = socket.TCP_STATE_LAST_ACK;
    startTimer(s, now);
  }
  // data waits but the peer's window is shut: the timer probes it (the persist timer, RFC 9293
  // §3.8.6.1), or a lost window update would leave both sides waiting for ever
  const flight = s.sndNxt - s.sndUna;
  if (s.sndLen > flight && s.sndWnd <= flight) startTimer(s, now);
}

/** The connection is dead: its waiting call gets `err`; a socket nobody holds any more is freed. */
export function abort(s: Socket, err: u32): void {
  s.state = socket.TCP_STATE_CLOSED;
  s.rtxDeadline = 0;
  s.error = err;
  failWait(s, err);
  if (s.owner == 0) { detach(s); freeSocket(s); }
}

/** Removes a not yet accepted connection from its listener's queue. */
function detach(s: Socket): void {
  const l = s.listener;
  if (l == null) return;
  const i = l.accepted.indexOf(s);
  if (i >= 0) l.accepted.splice(i, 1);
  s.listener = null;
}

function setupBuffers(s: Socket): void {
  if (s.sndBuf == null) s.sndBuf = new Uint8Array(SNDBUF);
  if (s.rcvBuf == null) s.rcvBuf = new Uint8Array(RCVBUF);
  s.sndHead = 0; s.sndLen = 0; s.rcvHead = 0; s.rcvLen = 0;
  s.rto = RTO_INITIAL; s.retries = 0; s.rtxDeadline = 0;
  s.finQueued = false; s.finSent = false; s.finReceived = false; s.error = 0;
}

/** Active open (connect): SYN_SENT, the SYN on its way. */
export function tcpConnect(s: Socket, now: u64): void {
  setupBuffers(s);
  s.iss = newIss(now);
  s.sndUna = s.iss; s.sndNxt = s.iss + 1; s.sndMax = s.iss;
  s.sndWnd = 0;
  s.state = socket.TCP_STATE_SYN_SENT;
  sendSegment(s, SYN, s.iss, 0, now);
  if (s.state != socket.TCP_STATE_CLOSED) startTimer(s, now);
}

/** The MSS option of a SYN (536 when absent, RFC 9293 §3.7.1). */
function peerMss(p: usize, hlen: i32): u32 {
  let i = 20;
  while (i < hlen) {
    const kind = get8(p + <usize>i);
    if (kind == 0) break;
    if (kind == 1) { i++; continue; }
    if (i + 1 >= hlen) break;
    const olen = <i32>get8(p + <usize>(i + 1));
    if (olen < 2 || i + olen > hlen) break;
    if (kind == 2 && olen == 4) return max<u32>(64, min(MSS, get16(p + <usize>(i + 2))));
    i += olen;
  }
  return 536;
}

/** A TCP segment from `src` (`n` bytes at p, IP payload). */
export function tcpInput(src: u32, p: usize, n: i32, now: u64): void {
  if (n < 20) { counters.bad++; return; }
  const hlen = <i32>(get8(p + 12) >> 4) * 4;
  if (hlen < 20 || hlen > n || csumFold(csumAdd(pseudoSum(src, myIp, PROTO_TCP, <u32>n), p, n)) != 0) { counters.bad++; return; }
  counters.tcpIn++;
  const sport = get16(p), dport = get16(p + 2);
  const seq = get32(p + 4), ack = get32(p + 8);
  const flags = get8(p + 13);
  const wnd = get16(p + 14);
  const data = p + <usize>hlen;
  let len = <u32>(n - hlen);

  // the connection this segment belongs to, else a listener of the port
  let s: Socket | null = null, l: Socket | null = null;
  for (let i = 0; i < sockets.length; i++) {
    const c = sockets[i];
    if (c.type != socket.SOCK_TYPE_TCP || c.localPort != dport) continue;
    if (c.state == socket.TCP_STATE_LISTEN) l = c;
    else if (c.state != socket.TCP_STATE_CLOSED && c.remoteAddr == src && c.remotePort == sport) { s = c; break; }
  }
  if (s == null) {
    if (l != null) { listenInput(l, src, sport, seq, flags, p, hlen, now); return; }
    // CLOSED: every segment but a RST gets a RST (this is how "connection refused" happens)
    if ((flags & RST) == 0) sendReset(src, sport, dport, seq + len + ((flags & SYN) != 0 ? 1 : 0) + ((flags & FIN) != 0 ? 1 : 0), ack, (flags & ACK) == 0, now);
    return;
  }

  if (s.state == socket.TCP_STATE_SYN_SENT) { synSentInput(s, seq, ack, flags, wnd, p, hlen, now); return; }

  // 1. sequence check: only the next expected byte is taken; older bytes are trimmed off,
  //    anything later (out of order) is dropped and answered with an ACK of what we expect
  if ((flags & RST) != 0) {
    if (seq == s.rcvNxt) {
      if (s.state == socket.TCP_STATE_SYN_RECEIVED && s.listener != null) { detach(s); freeSocket(s); return; }
      abort(s, E.RESET);
    }
    return;
  }
  let fin = (flags & FIN) != 0;
  let d = data;
  if (lt(seq, s.rcvNxt)) {
    const old = s.rcvNxt - seq; // bytes of it we have already (a retransmission)
    if (old >= len + (fin ? 1 : 0)) { // nothing new: our ACK of it may have been lost
      if (len > 0 || fin) sendAck(s, now);
      return;
    }
    d += <usize>old; len -= old; // a FIN after those bytes is new
  } else if (seq != s.rcvNxt) { sendAck(s, now); return; }
  if ((flags & SYN) != 0) { sendAck(s, now); return; } // a SYN inside the connection: RFC 5961 challenge ACK
  if ((flags & ACK) == 0) return;

  // 2. the acknowledgement
  if (s.state == socket.TCP_STATE_SYN_RECEIVED) {
    if (!lt(s.sndUna, ack) || !le(ack, s.sndNxt)) { sendReset(src, sport, dport, seq, ack, false, now); return; }
    s.state = socket.TCP_STATE_ESTABLISHED;
    s.sndUna = ack;
    s.sndWnd = wnd;
    s.rtxDeadline = 0; s.retries = 0; s.rto = RTO_INITIAL;
    established(s);
  } else if (lt(s.sndUna, ack) && le(ack, s.sndNxt)) {
    let acked = ack - s.sndUna;
    const finAcked = s.finSent && ack == s.sndNxt;
    if (finAcked) acked--;
    acked = min(acked, s.sndLen);
    s.sndHead = (s.sndHead + acked) % SNDBUF;
    s.sndLen -= acked;
    s.sndUna = ack;
    s.sndWnd = wnd; // before anything is sent: the window counts from this acknowledgement
    s.retries = 0; s.rto = RTO_INITIAL;
    s.rtxDeadline = s.sndUna == s.sndNxt ? 0 : now + s.rto;
    if (s.waitOp == WAIT_SEND) takePending(s, now);
    if (finAcked) {
      if (s.state == socket.TCP_STATE_FIN_WAIT_1) {
        s.state = socket.TCP_STATE_FIN_WAIT_2;
        if (s.owner == 0) s.closeDeadline = now + ORPHAN_FIN_WAIT_2;
      } else if (s.state == socket.TCP_STATE_CLOSING) timeWait(s, now);
      else if (s.state == socket.TCP_STATE_LAST_ACK) { s.state = socket.TCP_STATE_CLOSED; if (s.owner == 0) { freeSocket(s); return; } }
    }
  } else if (lt(s.sndNxt, ack)) { sendAck(s, now); return; } // acknowledges what we never sent
  else if (ack == s.sndUna) s.retries = 0; // a duplicate or a window update: the peer is alive
  s.sndWnd = wnd;

  // 3. data, in order, as much as the receive buffer takes (the rest comes again)
  let ackNeeded = false;
  const receiving = s.state == socket.TCP_STATE_ESTABLISHED || s.state == socket.TCP_STATE_FIN_WAIT_1 || s.state == socket.TCP_STATE_FIN_WAIT_2;
  if (len > 0 && receiving) {
    const take = min(len, windowFree(s));
    const buf = changetype<usize>(s.rcvBuf!.buffer);
    toRing(buf, RCVBUF, (s.rcvHead + s.rcvLen) % RCVBUF, d, take);
    s.rcvLen += take;
    s.rcvNxt += take;
    if (take < len) fin = false; // the FIN comes after bytes we did not take
    ackNeeded = true;
    if (s.waitOp == WAIT_RECV) deliver(s, now);
  }

  // 4. FIN: the peer sends nothing more
  if (fin && receiving) {
    s.rcvNxt++;
    s.finReceived = true;
    ackNeeded = true;
    if (s.state == socket.TCP_STATE_ESTABLISHED) s.state = socket.TCP_STATE_CLOSE_WAIT;
    else if (s.state == socket.TCP_STATE_FIN_WAIT_1) {
      if (s.sndUna == s.sndNxt) timeWait(s, now); else s.state = socket.TCP_STATE_CLOSING;
    } else if (s.state == socket.TCP_STATE_FIN_WAIT_2) timeWait(s, now);
    if (s.waitOp == WAIT_RECV) deliver(s, now);
  } else if (fin && s.state == socket.TCP_STATE_TIME_WAIT) ackNeeded = true; // our ACK of it was lost

  if (ackNeeded) sendAck(s, now);
  tcpOutput(s, now);
}

function timeWait(s: Socket, now: u64): void {
  s.state = socket.TCP_STATE_TIME_WAIT;
  s.rtxDeadline = 0;
  s.closeDeadline = now + TIME_WAIT;
}

/** A SYN for a listening socket: a new connection in SYN_RECEIVED, answered SYN+ACK. */
function listenInput(l: Socket, src: u32, sport: u32, seq: u32, flags: u32, p: usize, hlen: i32, now: u64): void {
  if ((flags & RST) != 0) return;
  if ((flags & ACK) != 0) { sendReset(src, sport, l.localPort, seq, get32(p + 8), false, now); return; }
  if ((flags & SYN) == 0) return;
  // the backlog counts half-open and unaccepted connections: a SYN flood fills it and is dropped
  let queued: u32 = 0;
  for (let i = 0; i < sockets.length; i++) if (sockets[i].listener == l) queued++;
  if (queued >= l.backlog) { counters.bad++; return; }
  const s = newSocket(socket.SOCK_TYPE_TCP, 0);
  if (s == null) { counters.bad++; return; }
  s.listener = l;
  s.localPort = l.localPort;
  s.remoteAddr = src; s.remotePort = sport;
  setupBuffers(s);
  s.sndMss = peerMss(p, hlen);
  s.rcvNxt = seq + 1;
  s.iss = newIss(now);
  s.sndUna = s.iss; s.sndNxt = s.iss + 1; s.sndMax = s.iss;
  s.state = socket.TCP_STATE_SYN_RECEIVED;
  sendSegment(s, SYN | ACK, s.iss, 0, now);
  if (s.state != socket.TCP_STATE_CLOSED) startTimer(s, now);
}

/** The answer to our SYN. */
function synSentInput(s: Socket, seq: u32, ack: u32, flags: u32, wnd: u32, p: usize, hlen: i32, now: u64): void {
  const hasAck = (flags & ACK) != 0;
  if (hasAck && ack != s.iss + 1) { // not about our SYN
    if ((flags & RST) == 0) sendReset(s.remoteAddr, s.remotePort, s.localPort, seq, ack, false, now);
    return;
  }
  if ((flags & RST) != 0) { if (hasAck) abort(s, E.REFUSED); return; }
  if ((flags & SYN) == 0 || !hasAck) return; // a simultaneous open is not supported
  s.rcvNxt = seq + 1;
  s.sndUna = ack;
  s.sndWnd = wnd;
  s.sndMss = peerMss(p, hlen);
  s.rtxDeadline = 0; s.retries = 0; s.rto = RTO_INITIAL;
  s.state = socket.TCP_STATE_ESTABLISHED;
  sendAck(s, now);
  if (s.waitOp == WAIT_CONNECT) okWait(s);
}

/** A passive connection is established: it waits in its listener's queue for accept. */
function established(s: Socket): void {
  const l = s.listener;
  if (l == null) return;
  if (l.waitOp == WAIT_ACCEPT) { handOver(l, s); return; }
  l.accepted.push(s);
}

/** Gives connection s to the client waiting in accept on listener l. */
export function handOver(l: Socket, s: Socket): void {
  detach(s);
  s.owner = l.owner;
  const out = new socket.AcceptReply();
  const cap = socketCap(s);
  if (cap == 0) { failWait(l, E.TOO_MANY); s.owner = 0; abort(s, E.TOO_MANY); return; } // our CNode is full
  out.conn = cap; out.addr = s.remoteAddr; out.port = s.remotePort;
  socket.replyAccept(waitReply(), out);
  finishWait(l);
}

// ---- the client's side: send, recv, close ----

/** Appends `len` bytes at p to the send buffer (the caller checked the room) and sends what it can. */
export function tcpQueue(s: Socket, p: usize, len: u32, now: u64): void {
  const buf = changetype<usize>(s.sndBuf!.buffer);
  toRing(buf, SNDBUF, (s.sndHead + s.sndLen) % SNDBUF, p, len);
  s.sndLen += len;
  tcpOutput(s, now);
}

/** A send that waited for room: queued now if it fits. */
function takePending(s: Socket, now: u64): void {
  const d = s.pending;
  if (d == null || SNDBUF - s.sndLen < <u32>d.length) return;
  tcpQueue(s, d.dataStart, <u32>d.length, now);
  const out = new socket.SendReply();
  out.n = <u32>d.length;
  socket.replySend(waitReply(), out);
  finishWait(s);
}

/**
 * Copies up to `max` received bytes to `dst`; their number. Reading opens the window: when it had
 * shrunk below one segment and now has room for one, the peer is told at once (a window update),
 * or it would wait for its retransmission timer.
 */
/** Copies len bytes from src into the ring buf of `size` bytes at offset `at`, wrapping at its end (two copies, not a loop per byte). */
function toRing(buf: usize, size: u32, at: u32, src: usize, len: u32): void {
  const first = min(len, size - at);
  memory.copy(buf + <usize>at, src, <usize>first);
  if (first < len) memory.copy(buf, src + <usize>first, <usize>(len - first));
}

export function tcpRead(s: Socket, dst: usize, max: u32, now: u64): u32 {
  const n = min(max, s.rcvLen);
  const buf = changetype<usize>(s.rcvBuf!.buffer);
  const first = min(n, RCVBUF - s.rcvHead); // the bytes may wrap around the ring's end
  memory.copy(dst, buf + <usize>s.rcvHead, <usize>first);
  if (first < n) memory.copy(dst + <usize>first, buf, <usize>(n - first));
  s.rcvHead = (s.rcvHead + n) % RCVBUF;
  s.rcvLen -= n;
  if (n > 0 && s.advertised < s.sndMss && windowFree(s) >= s.sndMss && !s.finReceived) sendAck(s, now);
  return n;
}

const recvScratch = new StaticArray<u8>(448);
/** Answers s's waiting recv: data, or end of stream after the peer's FIN. */
function deliver(s: Socket, now: u64): void {
  if (s.rcvLen == 0 && !s.finReceived) return;
  if (s.waitFrom) { // recvfrom on a connection: the same bytes, with the peer
    const f = new socket.RecvfromReply();
    f.addr = s.remoteAddr; f.port = s.remotePort;
    f.data = changetype<usize>(recvScratch);
    f.dataLen = <i32>tcpRead(s, f.data, min(s.waitMax, 448), now);
    socket.replyRecvfrom(waitReply(), f);
    finishWait(s);
    return;
  }
  const out = new socket.RecvReply();
  out.data = changetype<usize>(recvScratch);
  out.dataLen = <i32>tcpRead(s, out.data, min(s.waitMax, 448), now);
  socket.replyRecv(waitReply(), out);
  finishWait(s);
}

/** close(): FIN after the queued data; the socket lives on, ownerless, until the connection ends. */
export function tcpClose(s: Socket, now: u64): void {
  s.owner = 0;
  failWait(s, E.CANCELLED);
  const st = s.state;
  if (st == socket.TCP_STATE_LISTEN) {
    // connections nobody accepted are reset
    while (s.accepted.length > 0) { const c = s.accepted.pop(); c.listener = null; sendSegment(c, RST | ACK, c.sndNxt, 0, now); freeSocket(c); }
    for (let i = sockets.length - 1; i >= 0; i--) if (sockets[i].listener == s) { sockets[i].listener = null; freeSocket(sockets[i]); }
    freeSocket(s);
  } else if (st == socket.TCP_STATE_ESTABLISHED || st == socket.TCP_STATE_CLOSE_WAIT || st == socket.TCP_STATE_SYN_RECEIVED) {
    s.finQueued = true;
    if (st == socket.TCP_STATE_SYN_RECEIVED) return; // FIN once established
    tcpOutput(s, now);
  } else if (st == socket.TCP_STATE_CLOSED || st == socket.TCP_STATE_SYN_SENT) freeSocket(s);
  // FIN_WAIT_*, CLOSING, LAST_ACK, TIME_WAIT: already closing
}

/** Timers of every connection: retransmission, TIME_WAIT, the orphan limit. */
export function tcpTick(now: u64): void {
  for (let i = sockets.length - 1; i >= 0; i--) {
    if (i >= sockets.length) continue;
    const s = sockets[i];
    if (s.type != socket.SOCK_TYPE_TCP) continue;
    if (s.closeDeadline != 0 && now >= s.closeDeadline &&
        (s.state == socket.TCP_STATE_TIME_WAIT || (s.state == socket.TCP_STATE_FIN_WAIT_2 && s.owner == 0))) {
      s.state = socket.TCP_STATE_CLOSED;
      s.closeDeadline = 0;
      if (s.owner == 0) freeSocket(s);
      continue;
    }
    if (s.rtxDeadline == 0 || now < s.rtxDeadline) continue;
    if (++s.retries > (s.state == socket.TCP_STATE_SYN_RECEIVED ? MAX_SYN_ACK_RETRIES : MAX_RETRIES)) { abort(s, E.TIMED_OUT); continue; }
    s.rto = min(s.rto * 2, RTO_MAX);
    s.rtxDeadline = now + s.rto;
    retransmit(s, now);
  }
}

/** The oldest unacknowledged segment again (go-back-N: what follows it goes again as the window allows). */
function retransmit(s: Socket, now: u64): void {
  if (s.state == socket.TCP_STATE_SYN_SENT) { sendSegment(s, SYN, s.iss, 0, now); return; }
  if (s.state == socket.TCP_STATE_SYN_RECEIVED) { sendSegment(s, SYN | ACK, s.iss, 0, now); return; }
  s.sndNxt = s.sndUna;
  if (s.finSent && s.sndLen == 0) { sendSegment(s, FIN | ACK, s.sndNxt, 0, now); s.sndNxt++; return; }
  s.finSent = false; // sent again after the data
  // a zero window is probed with one byte (RFC 9293 §3.8.6.1), else the usual segments
  if (s.sndWnd == 0 && s.sndLen > 0) { sendSegment(s, ACK, s.sndNxt, 1, now); s.sndNxt++; return; }
  tcpOutput(s, now);
}

/** The earliest TCP deadline (u64 max when none). */
export function tcpNextDeadline(): u64 {
  let t = u64.MAX_VALUE;
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if (s.rtxDeadline != 0 && s.rtxDeadline < t) t = s.rtxDeadline;
    if (s.closeDeadline != 0 && s.closeDeadline < t) t = s.closeDeadline;
  }
  return t;
}
