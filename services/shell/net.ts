// net.ts — the shell's network commands, clients of the socket protocol served by services/net
// (docs/NETWORK.md): ifconfig, ping, arp, netstat, get (an HTTP/1.0 client) and cksum. They
// print through the shell's Output (the console, or a file with > and >>).

import { lookup, lastError, parseIpv4, ipv4Text, sockOpen, sockAccept, sockClose, sockError } from "../lib";
import * as socket from "../gen/socket";
import * as timer from "../gen/timer";
import * as vfs from "../gen/vfs";
import * as E from "../gen/errors";
import { padLeft, padRight, parseNum } from "./parse";

/** Where a command's output goes (the shell's writers). */
export abstract class Output {
  abstract out(s: string): void;
  abstract err(s: string): void;
  abstract bytes(p: usize, n: i32): void;
}

let netEp: u64 = 0;
let timerEp: u64 = 0;
const TICKS_PER_MS: u64 = 24_000;

/** The net service's endpoint, looked up on first use (0: the error is printed). */
function net(o: Output, cmd: string): u64 {
  if (netEp == 0) netEp = lookup("net");
  if (netEp == 0) o.err(cmd + ": network service: " + E.errName(lastError));
  return netEp;
}

function hex2(b: u32): string { return (b < 16 ? "0" : "") + b.toString(16); }
function macText(m: u64): string {
  let s = "";
  for (let i = 5; i >= 0; i--) s += hex2(<u32>(m >> (<u64>i * 8)) & 0xff) + (i > 0 ? ":" : "");
  return s;
}
/** Counter ticks as milliseconds with three decimals: "0.412". */
function msText(ticks: u64): string {
  const us = ticks / 24;
  return (us / 1000).toString() + "." + padLeft((us % 1000).toString(), 3).replaceAll(" ", "0");
}
function netWhy(e: u32): string {
  switch (e) {
    case E.UNREACHABLE: return "Destination Host Unreachable";
    case E.REFUSED: return "Connection refused";
    case E.TIMED_OUT: return "Connection timed out";
    case E.RESET: return "Connection reset by peer";
  }
  return E.errText(e) + " (" + E.errName(e) + ")";
}

const ifR = new socket.IfaceReply();
const stR = new socket.StatsReply();
export function ifconfig(o: Output): void {
  const ep = net(o, "ifconfig");
  if (ep == 0) return;
  const e = socket.iface(ep, ifR);
  if (e) { o.err("ifconfig: " + netWhy(e)); return; }
  o.out("eth0: flags=" + (ifR.link ? "UP,BROADCAST,RUNNING" : "UP,BROADCAST") + "  mtu " + ifR.mtu.toString() + "\n" +
    "        inet " + ipv4Text(ifR.addr) + "  netmask 255.255.255.0  broadcast " + ipv4Text(ifR.addr | 0xff) + "\n" +
    "        ether " + macText(ifR.mac) + "\n" +
    "        RX packets " + ifR.rxFrames.toString() + "  bytes " + ifR.rxBytes.toString() + "  dropped " + ifR.rxDropped.toString() + "\n" +
    "        TX packets " + ifR.txFrames.toString() + "  bytes " + ifR.txBytes.toString() + "  dropped " + ifR.txDropped.toString() + "\n");
  if (socket.stats(ep, stR) == 0)
    o.out("        IP in " + stR.ipIn.toString() + " out " + stR.ipOut.toString() + ", malformed " + stR.bad.toString() +
      "; TCP in " + stR.tcpIn.toString() + " out " + stR.tcpOut.toString() + ", retransmitted " + stR.tcpRetrans.toString() +
      ", resets " + stR.tcpResets.toString() + "; UDP in " + stR.udpIn.toString() + "; ICMP in " + stR.icmpIn.toString() + "\n");
}

const pingR = new socket.PingReply();
const sleepR = new timer.SleepReply();
/** ping [-c N] HOST: N echo requests a virtual second apart, then iputils' summary. */
export function ping(o: Output, argv: Array<string>): void {
  let count = 4;
  let host = "";
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] == "-c" && i + 1 < argv.length) { count = <i32>parseNum(argv[++i]); if (count <= 0) { o.err("ping: bad count"); return; } }
    else host = argv[i];
  }
  const a = parseIpv4(host);
  if (host.length == 0 || a < 0) { o.err("usage: ping [-c N] HOST (HOST: an IPv4 address, e.g. 10.0.0.2)"); return; }
  const ep = net(o, "ping");
  if (ep == 0) return;
  if (timerEp == 0) timerEp = lookup("timer");
  const addr = <u32>a;
  o.out("PING " + host + " (" + host + ") 56(84) bytes of data.\n");
  let received = 0;
  let minT: u64 = u64.MAX_VALUE, maxT: u64 = 0, sumT: u64 = 0;
  let errors = 0;
  for (let seq = 1; seq <= count; seq++) {
    const e = socket.ping(ep, addr, <u32>seq, 56, 2 * 1000 * TICKS_PER_MS, pingR);
    if (e == 0) {
      received++;
      minT = min(minT, pingR.rtt); maxT = max(maxT, pingR.rtt); sumT += pingR.rtt;
      o.out("64 bytes from " + host + ": icmp_seq=" + seq.toString() + " ttl=" + pingR.ttl.toString() + " time=" + msText(pingR.rtt) + " ms\n");
    } else if (e != E.TIMED_OUT) { errors++; o.out("From " + host + " icmp_seq=" + seq.toString() + " " + netWhy(e) + "\n"); }
    if (seq < count && timerEp != 0) timer.sleep(timerEp, 1000 * TICKS_PER_MS, sleepR);
  }
  const loss = (count - received) * 100 / count;
  o.out("\n--- " + host + " ping statistics ---\n" + count.toString() + " packets transmitted, " + received.toString() + " received, " +
    (errors > 0 ? "+" + errors.toString() + " errors, " : "") + loss.toString() + "% packet loss\n");
  if (received > 0) o.out("rtt min/avg/max = " + msText(minT) + "/" + msText(sumT / <u64>received) + "/" + msText(maxT) + " ms\n");
}

const arpR = new socket.ArpReply();
export function arp(o: Output): void {
  const ep = net(o, "arp");
  if (ep == 0) return;
  let text = "Address          HWtype  HWaddress          Flags\n";
  for (let i: u32 = 0; ; i++) {
    if (socket.arp(ep, i, arpR) != 0) break;
    const done = arpR.state == socket.ARP_STATE_REACHABLE;
    text += padRight(ipv4Text(arpR.addr), 17) + padRight(done ? "ether" : "", 8) +
      padRight(done ? macText(arpR.mac) : arpR.state == socket.ARP_STATE_FAILED ? "(failed)" : "(incomplete)", 19) + (done ? "C" : "") + "\n";
  }
  o.out(text);
}

const nsR = new socket.NetstatReply();
function stateName(s: u32): string {
  switch (s) {
    case socket.TCP_STATE_CLOSED: return "CLOSED"; case socket.TCP_STATE_LISTEN: return "LISTEN";
    case socket.TCP_STATE_SYN_SENT: return "SYN_SENT"; case socket.TCP_STATE_SYN_RECEIVED: return "SYN_RECV";
    case socket.TCP_STATE_ESTABLISHED: return "ESTABLISHED"; case socket.TCP_STATE_FIN_WAIT_1: return "FIN_WAIT1";
    case socket.TCP_STATE_FIN_WAIT_2: return "FIN_WAIT2"; case socket.TCP_STATE_CLOSE_WAIT: return "CLOSE_WAIT";
    case socket.TCP_STATE_CLOSING: return "CLOSING"; case socket.TCP_STATE_LAST_ACK: return "LAST_ACK";
    case socket.TCP_STATE_TIME_WAIT: return "TIME_WAIT";
  }
  return "";
}
export function netstat(o: Output): void {
  const ep = net(o, "netstat");
  if (ep == 0) return;
  let text = "Proto Recv-Q Send-Q Local Address          Foreign Address        State\n";
  for (let i: u32 = 0; ; i++) {
    if (socket.netstat(ep, i, nsR) != 0) break;
    const local = (nsR.localPort == 0 ? "0.0.0.0:*" : "0.0.0.0:" + nsR.localPort.toString());
    const remote = nsR.remoteAddr == 0 ? "0.0.0.0:*" : ipv4Text(nsR.remoteAddr) + ":" + nsR.remotePort.toString();
    text += padRight(nsR.type == socket.SOCK_TYPE_TCP ? "tcp" : "udp", 6) + padLeft(nsR.rxQueued.toString(), 6) + " " + padLeft(nsR.txQueued.toString(), 6) + " " +
      padRight(local, 23) + padRight(remote, 23) + stateName(nsR.state) + "\n";
  }
  o.out(text);
}

// ---- get: an HTTP/1.0 client ----
const sendR = new socket.SendReply();
const recvR = new socket.RecvReply();
/** Sends all of s (a request line and headers) on socket sock; 0 or an error. */
function sendAll(sock: u64, s: string): u32 {
  const b = String.UTF8.encode(s);
  let off = 0;
  while (off < b.byteLength) {
    const n = min(b.byteLength - off, 448);
    const e = socket.send(sock, changetype<usize>(b) + <usize>off, n, sendR);
    if (e) return e;
    off += n;
  }
  return 0;
}

// Where get puts the body: printed, or (cksum URL) only counted into a POSIX cksum.
let bodyCrc = false;
let crcAcc: u32 = 0;
let crcSize: u64 = 0;
function body(o: Output, p: usize, n: i32): void {
  if (!bodyCrc) { o.bytes(p, n); return; }
  for (let i = 0; i < n; i++) crcAcc = crcByte(crcAcc, load<u8>(p + <usize>i));
  crcSize += <u64>n;
}

/** get http://HOST[:PORT]/PATH: prints the body (the status line goes to the console when it is not 200); whether it got a 200 and the whole body. */
export function get(o: Output, argv: Array<string>): bool {
  if (argv.length < 2 || !argv[1].startsWith("http://")) { o.err("usage: get http://HOST[:PORT]/PATH"); return false; }
  const rest = argv[1].substring(7);
  let slash = rest.indexOf("/");
  if (slash < 0) slash = rest.length;
  const hostPort = rest.substring(0, slash);
  const path = slash < rest.length ? rest.substring(slash) : "/";
  const colon = hostPort.indexOf(":");
  const host = colon < 0 ? hostPort : hostPort.substring(0, colon);
  const port: i64 = colon < 0 ? 80 : parseNum(hostPort.substring(colon + 1));
  const a = parseIpv4(host);
  if (a < 0 || port <= 0 || port > 65535) { o.err("get: " + hostPort + ": not an IPv4 address and port"); return false; }
  const ep = net(o, "get");
  if (ep == 0) return false;
  const sock = sockOpen(ep, socket.SOCK_TYPE_TCP);
  if (sock == 0) { o.err("get: socket: " + netWhy(sockError)); return false; }
  let e = socket.connect(sock, <u32>a, <u32>port);
  if (e == 0) e = sendAll(sock, "GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: mlk-get\r\n\r\n");
  if (e) { o.err("get: " + hostPort + ": " + netWhy(e)); sockClose(sock); return false; }
  // the header (up to the blank line) is gathered to read the status; the body is printed as it comes
  const head = new ArrayBuffer(4096);
  const hp = changetype<usize>(head);
  let hn = 0;
  let inBody = false;
  let ok = true;
  while (true) {
    e = socket.recv(sock, 448, recvR);
    if (e) { o.err("get: " + netWhy(e)); ok = false; break; }
    if (recvR.dataLen == 0) break; // the server closed: the end of the body (HTTP/1.0)
    // recvR.data points into the client message, which the next call reuses: copy first
    const n = recvR.dataLen;
    const buf = new ArrayBuffer(n);
    const bp = changetype<usize>(buf);
    memory.copy(bp, recvR.data, n);
    if (inBody) { body(o, bp, n); continue; }
    if (hn + n > 4096) { o.err("get: header too long"); ok = false; break; }
    memory.copy(hp + <usize>hn, bp, n);
    hn += n;
    let end = -1;
    for (let i = 0; i + 3 < hn; i++) {
      if (load<u32>(hp + <usize>i) == 0x0a0d0a0d) { end = i; break; } // "\r\n\r\n"
    }
    if (end < 0) continue;
    inBody = true;
    let eol = 0;
    while (eol < end && load<u8>(hp + <usize>eol) != 0x0d) eol++;
    const status = String.UTF8.decodeUnsafe(hp, <usize>eol);
    if (!status.startsWith("HTTP/1.") || status.indexOf(" 200 ") < 0) { o.err("get: " + status); ok = false; }
    if (hn > end + 4) body(o, hp + <usize>(end + 4), hn - end - 4);
  }
  sockClose(sock);
  return ok && inBody;
}

// ---- cksum FILE: POSIX cksum (CRC-32, polynomial 0x04C11DB7, with the length), to compare copies ----
const crcTable = new StaticArray<u32>(256);
for (let i = 0; i < 256; i++) {
  let c = <u32>i << 24;
  for (let k = 0; k < 8; k++) c = (c & 0x8000_0000) != 0 ? (c << 1) ^ 0x04c1_1db7 : c << 1;
  crcTable[i] = c;
}
// @ts-ignore: decorator
@inline function crcByte(crc: u32, b: u32): u32 { return (crc << 8) ^ unchecked(crcTable[((crc >> 24) ^ b) & 0xff]); }

/**
 * cksum http://HOST/PATH: the POSIX cksum of a URL's body, fetched with get and never stored — what
 * `curl -s URL | cksum` does where the shell has no pipes (a big transfer costs no file writes).
 */
export function cksumUrl(o: Output, url: string): void {
  bodyCrc = true; crcAcc = 0; crcSize = 0;
  const ok = get(o, ["get", url]);
  bodyCrc = false;
  if (!ok) return;
  for (let n = crcSize; n != 0; n >>= 8) crcAcc = crcByte(crcAcc, <u32>(n & 0xff));
  o.out((~crcAcc).toString() + " " + crcSize.toString() + " " + url + "\n");
}

const vOpenR = new vfs.OpenReply();
const vReadR = new vfs.ReadReply();
export function cksum(o: Output, vfsEp: u64, path: string): void {
  let e = vfs.open(vfsEp, path, vfs.OPEN_FLAGS_READ, vOpenR);
  if (e) { o.err("cksum: " + path + ": " + E.errText(e)); return; }
  const fd = vOpenR.fd;
  let crc: u32 = 0;
  let size: u64 = 0;
  while (true) {
    e = vfs.read(vfsEp, fd, 256, vReadR);
    if (e) { o.err("cksum: " + path + ": " + E.errText(e)); break; }
    if (vReadR.dataLen == 0) break;
    for (let i = 0; i < vReadR.dataLen; i++) crc = crcByte(crc, load<u8>(vReadR.data + <usize>i));
    size += <u64>vReadR.dataLen;
  }
  vfs.close(vfsEp, fd);
  for (let n = size; n != 0; n >>= 8) crc = crcByte(crc, <u32>(n & 0xff));
  if (e == 0) o.out((~crc).toString() + " " + size.toString() + " " + path + "\n");
}

// ---- nc -u HOST PORT TEXT: one UDP datagram, and the answer (the stack answers port 7: echo) ----
const sendtoR = new socket.SendtoReply();
const recvfromR = new socket.RecvfromReply();
export function ncUdp(o: Output, argv: Array<string>): void {
  if (argv.length < 5 || argv[1] != "-u") { o.err("usage: nc -u HOST PORT TEXT... (one datagram; prints the answer)"); return; }
  const a = parseIpv4(argv[2]);
  const port = parseNum(argv[3]);
  if (a < 0 || port <= 0 || port > 65535) { o.err("nc: " + argv[2] + " " + argv[3] + ": not an IPv4 address and port"); return; }
  let text = "";
  for (let i = 4; i < argv.length; i++) text += (i > 4 ? " " : "") + argv[i];
  text += "\n";
  const ep = net(o, "nc");
  if (ep == 0) return;
  const sock = sockOpen(ep, socket.SOCK_TYPE_UDP);
  if (sock == 0) { o.err("nc: socket: " + netWhy(sockError)); return; }
  const b = String.UTF8.encode(text);
  let e = socket.sendto(sock, <u32>a, <u32>port, changetype<usize>(b), min(b.byteLength, 448), sendtoR);
  if (e == 0) e = socket.recvfrom(sock, 448, 2000 * TICKS_PER_MS, recvfromR);
  if (e) o.err("nc: " + argv[2] + ":" + argv[3] + ": " + netWhy(e));
  else {
    const n = recvfromR.dataLen;
    const buf = new ArrayBuffer(n);
    memory.copy(changetype<usize>(buf), recvfromR.data, n);
    o.bytes(changetype<usize>(buf), n);
  }
  sockClose(sock);
}

// ---- nc [-l] over TCP: a conversation, line by line ----
const ncFromR = new socket.RecvfromReply();
const ncAcceptR = new socket.AcceptReply();
const NC_QUIET: u64 = 300 * TICKS_PER_MS; // how long nc waits for the peer's bytes between lines

/**
 * Prints what arrives on sock until nothing has come for `quiet` ticks (0: until the peer closes);
 * false once the peer has closed or the connection failed (the error is printed).
 */
function ncDrain(o: Output, sock: u64, quiet: u64): bool {
  while (true) {
    const e = socket.recvfrom(sock, 448, quiet, ncFromR);
    if (e == E.TIMED_OUT) return true;
    if (e) { o.err("nc: " + netWhy(e)); return false; }
    if (ncFromR.dataLen == 0) return false; // the peer closed
    const n = ncFromR.dataLen;
    const buf = new ArrayBuffer(n); // the data is in the client message the next call reuses
    memory.copy(changetype<usize>(buf), ncFromR.data, n);
    o.bytes(changetype<usize>(buf), n);
  }
}

/**
 * nc HOST PORT, nc -l PORT: connects (or accepts one connection), then sends each typed line and
 * prints what the peer sends. The shell has one thread and the console read waits, so the two
 * directions take turns: after each line (and once connected) nc prints what arrives until the
 * peer has been quiet 300 virtual ms, then reads the next line. Ctrl-D closes the connection
 * (FIN after what was sent); the peer closing ends nc too. `readLine` is the shell's
 * (the line in `line`, its length; 0 for Ctrl-D, negative for an error or Ctrl-C).
 */
export function ncTcp(o: Output, argv: Array<string>, readLine: () => i32, line: usize): void {
  const listen = argv.length == 3 && argv[1] == "-l";
  if (!listen && argv.length != 3) { o.err("usage: nc HOST PORT | nc -l PORT | nc -u HOST PORT TEXT..."); return; }
  const port = parseNum(argv[2]);
  const a = listen ? 0 : parseIpv4(argv[1]);
  if (a < 0 || port <= 0 || port > 65535) { o.err("nc: " + argv[1] + " " + argv[2] + ": not an IPv4 address and port"); return; }
  const ep = net(o, "nc");
  if (ep == 0) return;
  let sock: u64 = 0;
  if (listen) {
    const l = sockOpen(ep, socket.SOCK_TYPE_TCP);
    if (l == 0) { o.err("nc: socket: " + netWhy(sockError)); return; }
    let e = socket.bind(l, <u32>port);
    if (e == 0) e = socket.listen(l, 1);
    if (e == 0) { sock = sockAccept(l, ncAcceptR); if (sock == 0) e = sockError; }
    sockClose(l); // one connection, as nc -l
    if (e) { o.err("nc: port " + port.toString() + ": " + netWhy(e)); return; }
  } else {
    sock = sockOpen(ep, socket.SOCK_TYPE_TCP);
    if (sock == 0) { o.err("nc: socket: " + netWhy(sockError)); return; }
    const e = socket.connect(sock, <u32>a, <u32>port);
    if (e) { o.err("nc: " + argv[1] + ":" + argv[2] + ": " + netWhy(e)); sockClose(sock); return; }
  }
  let open = ncDrain(o, sock, NC_QUIET);
  while (open) {
    const n = readLine();
    if (n <= 0) break; // Ctrl-D (or Ctrl-C): close, FIN after what we sent
    let off = 0;
    while (off < n) {
      const k = min(n - off, 448);
      const e = socket.send(sock, line + <usize>off, k, sendR);
      if (e) { o.err("nc: " + netWhy(e)); open = false; break; }
      off += k;
    }
    if (open) open = ncDrain(o, sock, NC_QUIET);
  }
  sockClose(sock);
}
