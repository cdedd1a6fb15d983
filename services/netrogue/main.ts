// netrogue — a hostile client of the network stack, for the tests (`spawn netrogue`, like rogue
// for init): it makes every kind of bad socket call — other clients' sockets (httpd's listener is
// socket 1), a port in use, too many sockets, out-of-range values, malformed messages, a
// capability it was not asked for, a slot it does not hold — and checks each answer is the
// documented error. It prints one line per surprise and a summary:
//   netrogue: 17 checks, 0 surprises

import { lookup, lastError, print, clientMsg, ipcCall, SLOT_CNODE } from "../lib";
import * as socket from "../gen/socket";
import * as E from "../gen/errors";

let checks = 0, surprises = 0;
function expectErr(what: string, got: u32, want: u32): void {
  checks++;
  if (got != want) { surprises++; print("netrogue: " + what + ": " + E.errName(got) + ", expected " + E.errName(want) + "\n"); }
}

const ep = lookup("net");
if (ep == 0) print("netrogue: lookup net: " + E.errName(lastError) + "\n");
else {
  const openR = new socket.OpenReply();
  const recvR = new socket.RecvReply();
  const sendR = new socket.SendReply();
  const pingR = new socket.PingReply();
  const fromR = new socket.RecvfromReply();
  const acceptR = new socket.AcceptReply();
  // other clients' sockets: no such socket, for us
  for (let id: u32 = 1; id <= 4; id++) {
    expectErr("close(" + id.toString() + ")", socket.close(ep, id), E.BAD_FD);
    expectErr("accept(" + id.toString() + ")", socket.accept(ep, id, acceptR), E.BAD_FD);
  }
  expectErr("recv(0xffffffff)", socket.recv(ep, 0xffff_ffff, 100, recvR), E.BAD_FD);
  expectErr("open(type 9)", socket.open(ep, 9, openR), E.INVALID);
  // a port in use, bad ports, values out of range
  expectErr("open(tcp)", socket.open(ep, socket.SOCK_TYPE_TCP, openR), 0);
  const t = openR.sock;
  expectErr("bind(80)", socket.bind(ep, t, 80), E.ADDR_IN_USE);
  expectErr("bind(70000)", socket.bind(ep, t, 70000), E.INVALID);
  expectErr("listen unbound", socket.listen(ep, t, 1), E.INVALID);
  expectErr("connect port 0", socket.connect(ep, t, 0x0a000002, 0), E.INVALID);
  expectErr("connect off-link", socket.connect(ep, t, 0xc0a80001, 80), E.UNREACHABLE);
  expectErr("send unconnected", socket.send(ep, t, 0, 0, sendR), E.NOT_CONNECTED);
  expectErr("recv unconnected", socket.recv(ep, t, 10, recvR), E.NOT_CONNECTED);
  expectErr("recvfrom on tcp", socket.recvfrom(ep, t, 10, 1, fromR), E.INVALID);
  expectErr("ping size 5000", socket.ping(ep, 0x0a000002, 1, 5000, 1000, pingR), E.INVALID);
  expectErr("ping off-link", socket.ping(ep, 0x08080808, 1, 56, 1000, pingR), E.UNREACHABLE);
  // the per-client limit: 8 sockets (one is open)
  for (let i = 0; i < 7; i++) expectErr("open #" + (i + 2).toString(), socket.open(ep, socket.SOCK_TYPE_UDP, openR), 0);
  expectErr("open #9", socket.open(ep, socket.SOCK_TYPE_UDP, openR), E.TOO_MANY);
  // malformed messages: an unknown op, a missing word, a word too many
  const m = clientMsg();
  m.reset(socket.LABEL_OPEN + 99); m.recvSlot = 0;
  expectErr("unknown op", ipcCall(ep, m) == 0 ? <u32>m.label : 0, E.BAD_MESSAGE);
  m.reset(socket.LABEL_BIND); m.putU32(t); m.recvSlot = 0;
  expectErr("bind, one word short", ipcCall(ep, m) == 0 ? <u32>m.label : 0, E.BAD_MESSAGE);
  m.reset(socket.LABEL_CLOSE); m.putU32(t); m.putU32(7); m.recvSlot = 0;
  expectErr("close, a word too many", ipcCall(ep, m) == 0 ? <u32>m.label : 0, E.BAD_MESSAGE);
  m.reset(socket.LABEL_SEND); m.putU32(t); m.putU64(100000); m.recvSlot = 0;
  expectErr("send, a length beyond the message", ipcCall(ep, m) == 0 ? <u32>m.label : 0, E.BAD_MESSAGE);
  // a capability with a request: our capability to net has no Grant right, so the kernel refuses the send
  m.reset(socket.LABEL_CLOSE); m.putU32(t); m.putCap(SLOT_CNODE); m.recvSlot = 0;
  expectErr("close with a capability", ipcCall(ep, m), E.INSUFFICIENT_RIGHTS);
  // a slot we do not hold
  expectErr("open through an empty slot", socket.open(60, socket.SOCK_TYPE_TCP, openR), E.FAILED_LOOKUP);
  // the stack still answers
  expectErr("close(t)", socket.close(ep, t), 0);
  print("netrogue: " + checks.toString() + " checks, " + surprises.toString() + " surprises\n");
}
