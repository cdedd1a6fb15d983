// netrogue — a hostile client of the network stack, for the tests (`spawn netrogue`, like rogue
// for init). A socket is a capability (docs/NETWORK.md), so there is no socket number to guess: it
// tries socket calls through its capability to the service (which names no socket), forging a
// socket capability with a badge of its choice (the kernel refuses a second badge), a capability
// kept after close and one kept across the slot's reuse (a stale generation), opening through a
// socket, a port in use, too many sockets, out-of-range values, malformed messages, capabilities
// sent with a request, a slot it does not hold — and checks each answer is the documented error.
// It prints one line per surprise and a summary:
//   netrogue: 43 checks, 0 surprises

import { lookup, lastError, print, clientMsg, ipcCall, allocSlot, cnodeMint, cnodeCopy, sockOpen, sockClose, sockError, SLOT_CNODE, R_WRITE, R_GRANT } from "../lib";
import * as socket from "../gen/socket";
import * as E from "../gen/errors";

let checks = 0, surprises = 0;
function expectErr(what: string, got: u32, want: u32): void {
  checks++;
  if (got != want) { surprises++; print("netrogue: " + what + ": " + E.errName(got) + ", expected " + E.errName(want) + "\n"); }
}
function expectCap(what: string, cap: u64): void { expectErr(what, cap == 0 ? sockError : 0, 0); }

const ep = lookup("net");
if (ep == 0) print("netrogue: lookup net: " + E.errName(lastError) + "\n");
else {
  const recvR = new socket.RecvReply();
  const sendR = new socket.SendReply();
  const pingR = new socket.PingReply();
  const fromR = new socket.RecvfromReply();
  const acceptR = new socket.AcceptReply();
  const statsR = new socket.StatsReply();
  // socket calls through the service's capability: it names no socket (httpd's listener included)
  expectErr("accept through the service", socket.accept(ep, allocSlot(), acceptR), E.BAD_FD);
  expectErr("close through the service", socket.close(ep), E.BAD_FD);
  expectErr("recv through the service", socket.recv(ep, 100, recvR), E.BAD_FD);
  expectErr("bind(80) through the service", socket.bind(ep, 80), E.BAD_FD);
  expectErr("open(type 9)", socket.open(ep, 9, allocSlot(), new socket.OpenReply()), E.INVALID);
  // a port in use, bad ports, values out of range
  const t = sockOpen(ep, socket.SOCK_TYPE_TCP);
  expectCap("open(tcp)", t);
  expectErr("bind(80)", socket.bind(t, 80), E.ADDR_IN_USE);
  expectErr("bind(70000)", socket.bind(t, 70000), E.INVALID);
  expectErr("listen unbound", socket.listen(t, 1), E.INVALID);
  expectErr("connect port 0", socket.connect(t, 0x0a000002, 0), E.INVALID);
  expectErr("connect off-link", socket.connect(t, 0xc0a80001, 80), E.UNREACHABLE);
  expectErr("send unconnected", socket.send(t, 0, 0, sendR), E.NOT_CONNECTED);
  expectErr("recv unconnected", socket.recv(t, 10, recvR), E.NOT_CONNECTED);
  expectErr("recvfrom unconnected", socket.recvfrom(t, 10, 1, fromR), E.NOT_CONNECTED);
  expectErr("ping size 5000", socket.ping(ep, 0x0a000002, 1, 5000, 1000, pingR), E.INVALID);
  expectErr("ping off-link", socket.ping(ep, 0x08080808, 1, 56, 1000, pingR), E.UNREACHABLE);
  expectErr("open through a socket", socket.open(t, socket.SOCK_TYPE_UDP, allocSlot(), new socket.OpenReply()), E.INVALID);
  // forging: a badge is set once, so neither a socket's capability nor the service's can be re-badged
  const forged = allocSlot();
  expectErr("mint the socket with another badge", cnodeMint(SLOT_CNODE, forged, t, R_WRITE | R_GRANT, 0x3_0000_0101), E.ILLEGAL_OPERATION);
  expectErr("mint the service with a socket's badge", cnodeMint(SLOT_CNODE, forged, ep, R_WRITE | R_GRANT, 0x3_0000_0101), E.ILLEGAL_OPERATION);
  // a capability kept after close names nothing, nor after its slot in the stack is reused
  const u = sockOpen(ep, socket.SOCK_TYPE_UDP);
  expectCap("open(udp)", u);
  const kept = allocSlot();
  expectErr("copy the socket's capability", cnodeCopy(SLOT_CNODE, kept, u, R_WRITE), 0);
  expectErr("close(udp)", sockClose(u), 0);
  expectErr("bind through a closed socket", socket.bind(kept, 9999), E.BAD_FD);
  const again = sockOpen(ep, socket.SOCK_TYPE_UDP); // takes the slot just freed, one generation on
  expectCap("open(udp) again", again);
  expectErr("close through the stale capability", socket.close(kept), E.BAD_FD);
  expectErr("bind through the new one", socket.bind(again, 9999), 0);
  // the per-client limit: 8 sockets (two are open)
  for (let i = 0; i < 6; i++) expectCap("open #" + (i + 3).toString(), sockOpen(ep, socket.SOCK_TYPE_UDP));
  expectErr("open #9", sockOpen(ep, socket.SOCK_TYPE_UDP) == 0 ? sockError : 0, E.TOO_MANY);
  // malformed messages: an unknown op, a missing word, a word too many, a length beyond the message
  const m = clientMsg();
  m.reset(socket.LABEL_OPEN + 99); m.recvSlot = 0;
  expectErr("unknown op", ipcCall(ep, m) == 0 ? <u32>m.label : 0, E.BAD_MESSAGE);
  m.reset(socket.LABEL_BIND); m.recvSlot = 0;
  expectErr("bind, one word short", ipcCall(t, m) == 0 ? <u32>m.label : 0, E.BAD_MESSAGE);
  m.reset(socket.LABEL_CLOSE); m.putU32(7); m.recvSlot = 0;
  expectErr("close, a word too many", ipcCall(t, m) == 0 ? <u32>m.label : 0, E.BAD_MESSAGE);
  m.reset(socket.LABEL_SEND); m.putU64(100000); m.recvSlot = 0;
  expectErr("send, a length beyond the message", ipcCall(t, m) == 0 ? <u32>m.label : 0, E.BAD_MESSAGE);
  // capabilities with a request: one of the stack's own travels as its badge, which no call takes
  m.reset(socket.LABEL_CLOSE); m.putCap(t); m.recvSlot = 0;
  expectErr("close with a socket attached", ipcCall(t, m) == 0 ? <u32>m.label : 0, E.BAD_MESSAGE);
  // any other is not taken (the stack has no receive slot): the call is answered as without it
  m.reset(socket.LABEL_STATS); m.putCap(SLOT_CNODE); m.recvSlot = 0;
  expectErr("stats with our CNode attached", ipcCall(ep, m) == 0 ? <u32>m.label : 0, 0);
  // a slot we do not hold
  expectErr("open through an empty slot", socket.open(60, socket.SOCK_TYPE_TCP, allocSlot(), new socket.OpenReply()), E.FAILED_LOOKUP);
  expectErr("recv through an empty slot", socket.recv(61, 10, recvR), E.FAILED_LOOKUP);
  // the stack still answers
  expectErr("stats", socket.stats(ep, statsR), 0);
  expectErr("close(t)", sockClose(t), 0);
  print("netrogue: " + checks.toString() + " checks, " + surprises.toString() + " surprises\n");
}
