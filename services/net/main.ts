// net — the Network service: the IP stack in user space (docs/NETWORK.md). It owns no device: it
// talks to netdrv through the netdev protocol (frames in the shared page "netio") and serves the
// socket protocol (abi/protocols/socket.json) to programs (the shell, httpd).
//
//   wire.ts  byte order, checksums, the interface, sending a frame
//   arp.ts   ARP: the cache, requests and their timeouts, replies
//   ip.ts    IPv4 in and out, ICMP echo (ping), UDP (and the echo port 7)
//   tcp.ts   TCP: the state machine, retransmission, FIN/RST
//   sock.ts  the socket table, sockets as capabilities (badges), calls that wait
//
// Capabilities (manifest entry "net"): its endpoint, a notification bound to its thread (slot 6,
// minted twice with badges: netdrv signals DRV_BIT when frames wait, the timer service TIMER_BIT
// at the stack's next deadline), the timebase page at 0x4000 (the clock), netio at 0xE000, and
// the names netdev (netdrv) and timer.

import {
  SLOT_SELF, SLOT_CNODE, SLOT_NOTIFICATION, R_WRITE, DEFER, serve, lookup, lastError, allocSlot, cnodeMint, cnodeSaveCaller,
  freeSlot, readCounter, print,
} from "../lib";
import * as netdev from "../gen/netdev";
import * as timer from "../gen/timer";
import * as socket from "../gen/socket";
import * as E from "../gen/errors";
import { RX, RX_OFF, ETH_HDR, ETHERTYPE_ARP, ETHERTYPE_IP, get16, myMac, myIp, linkUp, netdevEp, counters, setInterface, ipText, macText, driverRestarted, setDriverNtfn } from "./wire";
import { arpInput, arpTick, arpNextDeadline, arpFailed, arpTable, arpAnnounce, MS } from "./arp";
import { ipInput, onLink, pings, Ping, MAX_PINGS, sendEcho, finishPing, udpOutput, autobind } from "./ip";
import { tcpConnect, tcpQueue, tcpRead, tcpClose, tcpTick, tcpNextDeadline, handOver, abort } from "./tcp";
import {
  Socket, sockets, newSocket, ownedBy, lookupSocket, freeSocket, isSocketBadge, socketCap, seedGenerations, portInUse, ephemeralPort, waitOn, failWait,
  MAX_PER_CLIENT, SNDBUF, WAIT_CONNECT, WAIT_ACCEPT, WAIT_RECV, WAIT_SEND, WAIT_RECVFROM,
} from "./sock";

const TIMEBASE: usize = 0x4000;
function now(): u64 { return readCounter(TIMEBASE); }
function say(s: string): void { print("net: " + s + "\n"); }

const DRV_BIT: u64 = 1, TIMER_BIT: u64 = 2;
let timerEp: u64 = 0;
let timerNtfn: u64 = 0; // our notification, badged TIMER_BIT, for timer.alarm
let alarmAt: u64 = u64.MAX_VALUE; // the alarm the timer service holds for us (MAX: none)
const MAX_DATA: u32 = 448; // socket.send / recv data per message
// With the link up the driver is asked this often whether it is still the one we attached to (a
// netdev.recv: NOT_CONNECTED from a restarted netdrv). A new driver instance cannot tell us — it
// does not know its client — so without this a stack with nothing to send would never hear the
// frames the new driver receives (a listener would stay deaf). Linux's dev_watchdog polls too.
const DRIVER_CHECK: u64 = 500 * MS;
let driverCheckAt: u64 = 0;

// ---- frames from the driver ----
const recvR = new netdev.RecvReply();
/** Takes every frame netdrv holds for us and hands each to ARP or IP. */
function pollDriver(): void {
  if (netdevEp == 0) return;
  for (let k = 0; k < 64; k++) {
    const e = netdev.recv(netdevEp, RX_OFF, false, recvR);
    if (e != 0) { if (driverRestarted(e)) continue; return; }
    const len = <i32>recvR.len;
    const t = now();
    const type = get16(RX + 12);
    if (len < ETH_HDR) { counters.bad++; continue; }
    if (type == ETHERTYPE_ARP) { if (!arpInput(len, t)) counters.bad++; }
    else if (type == ETHERTYPE_IP) ipInput(len, t);
  }
}

// ---- timers ----
/** Everything that is due: ARP retries and failures, TCP timers, ping and recvfrom timeouts. */
function tick(): void {
  const t = now();
  if (t >= driverCheckAt) driverCheckAt = t + DRIVER_CHECK; // pollDriver just asked
  arpTick(t);
  while (arpFailed.length > 0) unreachable(arpFailed.pop());
  tcpTick(t);
  for (let i = pings.length - 1; i >= 0; i--) if (t >= pings[i].deadline) finishPing(i, E.TIMED_OUT, 0, 0);
  for (let i = 0; i < sockets.length; i++) {
    const s = sockets[i];
    if ((s.waitOp == WAIT_RECVFROM || s.waitOp == WAIT_RECV) && s.waitDeadline != 0 && t >= s.waitDeadline) failWait(s, E.TIMED_OUT);
  }
}

/** `addr` did not answer ARP: pings to it and connections with it fail UNREACHABLE. */
function unreachable(addr: u32): void {
  for (let i = pings.length - 1; i >= 0; i--) if (pings[i].addr == addr) finishPing(i, E.UNREACHABLE, 0, 0);
  for (let i = sockets.length - 1; i >= 0; i--) {
    if (i >= sockets.length) continue;
    const s = sockets[i];
    if (s.type == socket.SOCK_TYPE_TCP && s.remoteAddr == addr && s.state != socket.TCP_STATE_CLOSED && s.state != socket.TCP_STATE_LISTEN) abort(s, E.UNREACHABLE);
  }
}

function nextDeadline(): u64 {
  let t = min(arpNextDeadline(), tcpNextDeadline());
  if (linkUp) t = min(t, driverCheckAt);
  for (let i = 0; i < pings.length; i++) t = min(t, pings[i].deadline);
  for (let i = 0; i < sockets.length; i++) if ((sockets[i].waitOp == WAIT_RECVFROM || sockets[i].waitOp == WAIT_RECV) && sockets[i].waitDeadline != 0) t = min(t, sockets[i].waitDeadline);
  return t;
}

/**
 * Keeps one alarm with the timer service at (or before) the next deadline. A later deadline does
 * not move the alarm: it fires early, finds nothing due, and is set again — one call fewer per
 * acknowledged segment than moving it every time.
 */
function armTimer(): void {
  if (timerEp == 0) return;
  const t = nextDeadline();
  if (t == u64.MAX_VALUE || t >= alarmAt) return;
  if (timer.alarm(timerEp, t, 0, timerNtfn) == 0) alarmAt = t;
}

// ---- the socket protocol ----
const statsR = new netdev.StatsReply();
const infoR = new netdev.InfoReply();
const dataScratch = new StaticArray<u8>(448);

/** How many bytes the last tcpReceive read into dataScratch. */
let readLen: i32 = 0;

/**
 * recv and recvfrom on a connection: the bytes that wait, read into dataScratch (0, their count in
 * readLen); else the connection's error, or DEFER with the caller's wait armed.
 */
function tcpReceive(s: Socket, max: u32): u32 {
  if (s.rcvLen > 0 || s.finReceived) {
    readLen = <i32>tcpRead(s, changetype<usize>(dataScratch), min(max, MAX_DATA), now());
    return 0;
  }
  if (s.error != 0) return s.error;
  if (s.state != socket.TCP_STATE_ESTABLISHED && s.state != socket.TCP_STATE_FIN_WAIT_1 && s.state != socket.TCP_STATE_FIN_WAIT_2) return E.NOT_CONNECTED;
  if (!waitOn(s, WAIT_RECV)) return E.TOO_MANY;
  s.waitMax = max;
  return DEFER;
}

class Net extends socket.Server {
  constructor() { super(); }
  notified(bits: u64): void {
    if ((bits & TIMER_BIT) != 0) alarmAt = u64.MAX_VALUE; // the alarm fired (it was one-shot)
    pollDriver();
    tick();
  }
  after(): void { armTimer(); }

  open(badge: u64, type: u32, out: socket.OpenReply): u32 {
    if (type != socket.SOCK_TYPE_UDP && type != socket.SOCK_TYPE_TCP) return E.INVALID;
    if (isSocketBadge(badge)) return E.INVALID; // a socket's capability opens nothing: the owner is a client
    if (ownedBy(badge) >= MAX_PER_CLIENT) return E.TOO_MANY;
    const s = newSocket(type, badge);
    if (s == null) return E.TOO_MANY;
    const cap = socketCap(s);
    if (cap == 0) { freeSocket(s); return E.TOO_MANY; }
    out.sock = cap; // the reply carries a copy; ours is deleted at the next mint
    return 0;
  }
  bind(badge: u64, port: u32): u32 {
    const s = lookupSocket(badge);
    if (s == null) return E.BAD_FD;
    if (port == 0 || port > 65535 || s.localPort != 0) return E.INVALID;
    if (portInUse(s.type, port)) return E.ADDR_IN_USE;
    s.localPort = port;
    return 0;
  }
  connect(badge: u64, addr: u32, port: u32): u32 {
    const s = lookupSocket(badge);
    if (s == null) return E.BAD_FD;
    if (port == 0 || port > 65535 || !onLink(addr)) return port == 0 || port > 65535 ? E.INVALID : E.UNREACHABLE;
    if (s.waitOp != 0) return E.BUSY;
    if (s.type == socket.SOCK_TYPE_UDP) {
      if (!autobind(s)) return E.TOO_MANY;
      s.remoteAddr = addr; s.remotePort = port;
      return 0;
    }
    if (s.state != socket.TCP_STATE_CLOSED || s.listener != null) return E.INVALID;
    if (s.localPort == 0) { s.localPort = ephemeralPort(s.type); if (s.localPort == 0) return E.TOO_MANY; }
    s.remoteAddr = addr; s.remotePort = port;
    if (!waitOn(s, WAIT_CONNECT)) return E.TOO_MANY;
    tcpConnect(s, now());
    return DEFER; // answered by the SYN+ACK, a RST, ARP failing or the retransmission limit
  }
  listen(badge: u64, backlog: u32): u32 {
    const s = lookupSocket(badge);
    if (s == null) return E.BAD_FD;
    if (s.type != socket.SOCK_TYPE_TCP || s.state != socket.TCP_STATE_CLOSED || s.localPort == 0 || backlog == 0 || backlog > 4) return E.INVALID;
    s.state = socket.TCP_STATE_LISTEN;
    s.backlog = backlog;
    return 0;
  }
  accept(badge: u64, out: socket.AcceptReply): u32 {
    const s = lookupSocket(badge);
    if (s == null) return E.BAD_FD;
    if (s.state != socket.TCP_STATE_LISTEN) return E.INVALID;
    if (s.waitOp != 0) return E.BUSY;
    if (!waitOn(s, WAIT_ACCEPT)) return E.TOO_MANY;
    if (s.accepted.length > 0) handOver(s, s.accepted.shift()); // answers through the saved reply
    return DEFER;
  }
  send(badge: u64, data: usize, len: i32, out: socket.SendReply): u32 {
    const s = lookupSocket(badge);
    if (s == null) return E.BAD_FD;
    if (s.waitOp != 0) return E.BUSY;
    if (s.type == socket.SOCK_TYPE_UDP) {
      if (s.remoteAddr == 0) return E.NOT_CONNECTED;
      const e = udpOutput(s.localPort, s.remoteAddr, s.remotePort, data, len, now());
      if (e) return e;
      out.n = <u32>len;
      return 0;
    }
    if (s.error != 0) return s.error;
    if (s.state != socket.TCP_STATE_ESTABLISHED && s.state != socket.TCP_STATE_CLOSE_WAIT) return E.NOT_CONNECTED;
    if (s.finQueued) return E.INVALID;
    if (SNDBUF - s.sndLen >= <u32>len) { tcpQueue(s, data, <u32>len, now()); out.n = <u32>len; return 0; }
    // no room: keep the data and answer when acknowledgements free enough of the buffer
    if (!waitOn(s, WAIT_SEND)) return E.TOO_MANY;
    const d = new Uint8Array(len);
    memory.copy(d.dataStart, data, <usize>len);
    s.pending = d;
    return DEFER;
  }
  recv(badge: u64, max: u32, out: socket.RecvReply): u32 {
    const s = lookupSocket(badge);
    if (s == null) return E.BAD_FD;
    if (s.waitOp != 0) return E.BUSY;
    if (max == 0) return E.INVALID;
    if (s.type == socket.SOCK_TYPE_UDP) return E.INVALID; // recvfrom
    const e = tcpReceive(s, max);
    if (e == 0) { out.data = changetype<usize>(dataScratch); out.dataLen = readLen; }
    return e;
  }
  sendto(badge: u64, addr: u32, port: u32, data: usize, len: i32, out: socket.SendtoReply): u32 {
    const s = lookupSocket(badge);
    if (s == null) return E.BAD_FD;
    if (s.type != socket.SOCK_TYPE_UDP || port == 0 || port > 65535) return E.INVALID;
    if (!autobind(s)) return E.TOO_MANY;
    const e = udpOutput(s.localPort, addr, port, data, len, now());
    if (e) return e;
    out.n = <u32>len;
    return 0;
  }
  recvfrom(badge: u64, max: u32, timeout: u64, out: socket.RecvfromReply): u32 {
    const s = lookupSocket(badge);
    if (s == null) return E.BAD_FD;
    if (max == 0) return E.INVALID;
    if (s.waitOp != 0) return E.BUSY;
    if (s.type == socket.SOCK_TYPE_TCP) { // as BSD's: a connection's bytes, with the peer — and a time limit
      const e = tcpReceive(s, max);
      if (e == 0) { out.addr = s.remoteAddr; out.port = s.remotePort; out.data = changetype<usize>(dataScratch); out.dataLen = readLen; }
      if (e == DEFER) { s.waitFrom = true; s.waitDeadline = timeout == 0 ? 0 : now() + timeout; }
      return e;
    }
    if (s.localPort == 0) return E.INVALID;
    if (s.dgrams.length > 0) {
      const d = s.dgrams.shift();
      out.addr = d.addr; out.port = d.port;
      out.data = d.data.dataStart; out.dataLen = min(min(d.data.length, <i32>max), <i32>MAX_DATA);
      return 0;
    }
    if (!waitOn(s, WAIT_RECVFROM)) return E.TOO_MANY;
    s.waitMax = max;
    s.waitDeadline = timeout == 0 ? 0 : now() + timeout;
    return DEFER;
  }
  close(badge: u64): u32 {
    const s = lookupSocket(badge);
    if (s == null) return E.BAD_FD;
    if (s.type == socket.SOCK_TYPE_UDP) freeSocket(s);
    else tcpClose(s, now());
    return 0;
  }
  ping(badge: u64, addr: u32, seq: u32, size: u32, timeout: u64, out: socket.PingReply): u32 {
    if (size > 1400 || seq > 0xffff || timeout == 0) return E.INVALID;
    if (!onLink(addr)) return E.UNREACHABLE;
    if (pings.length >= MAX_PINGS) return E.BUSY;
    const slot = allocSlot();
    if (slot == 0) return E.BUSY;
    if (cnodeSaveCaller(SLOT_CNODE, slot) != 0) { freeSlot(slot); return E.BUSY; }
    const t = now();
    const pg = new Ping();
    pg.slot = slot; pg.addr = addr; pg.seq = seq; pg.sentAt = t; pg.deadline = t + timeout;
    pings.push(pg);
    const e = sendEcho(addr, seq, <i32>size, t);
    if (e != 0) finishPing(pings.length - 1, e, 0, 0);
    return DEFER;
  }
  iface(badge: u64, out: socket.IfaceReply): u32 {
    if (netdevEp == 0) return E.UNAVAILABLE;
    if (netdev.info(netdevEp, infoR) == 0) setInterface(netdevEp, infoR.mac, infoR.link);
    out.addr = myIp; out.mac = myMac; out.mtu = infoR.mtu; out.link = linkUp;
    if (netdev.stats(netdevEp, statsR) == 0) {
      out.rxFrames = statsR.rxFrames; out.rxBytes = statsR.rxBytes; out.rxDropped = statsR.rxDropped;
      out.txFrames = statsR.txFrames; out.txBytes = statsR.txBytes; out.txDropped = statsR.txDropped;
    }
    return 0;
  }
  stats(badge: u64, out: socket.StatsReply): u32 {
    out.ipIn = counters.ipIn; out.ipOut = counters.ipOut; out.bad = counters.bad;
    out.tcpIn = counters.tcpIn; out.tcpOut = counters.tcpOut; out.tcpRetrans = counters.tcpRetrans;
    out.tcpResets = counters.tcpResets; out.udpIn = counters.udpIn; out.icmpIn = counters.icmpIn;
    return 0;
  }
  arp(badge: u64, index: u32, out: socket.ArpReply): u32 {
    if (index >= <u32>arpTable.length) return E.NO_ENTRY;
    const e = arpTable[index];
    out.addr = e.ip; out.mac = e.mac; out.state = e.state;
    return 0;
  }
  netstat(badge: u64, index: u32, out: socket.NetstatReply): u32 {
    if (index >= <u32>sockets.length) return E.NO_ENTRY;
    const s = sockets[index];
    out.type = s.type; out.state = s.state; out.localPort = s.localPort;
    out.remoteAddr = s.remoteAddr; out.remotePort = s.remotePort;
    out.rxQueued = s.type == socket.SOCK_TYPE_TCP ? s.rcvLen : <u32>s.dgrams.length;
    out.txQueued = s.sndLen;
    return 0;
  }
}

// ---- start: find the driver and the timer, attach, announce ----
function start(): void {
  seedGenerations(now());
  const drvNtfn = allocSlot();
  setDriverNtfn(drvNtfn);
  timerNtfn = allocSlot();
  if (cnodeMint(SLOT_CNODE, drvNtfn, SLOT_NOTIFICATION, R_WRITE, DRV_BIT) != 0 ||
      cnodeMint(SLOT_CNODE, timerNtfn, SLOT_NOTIFICATION, R_WRITE, TIMER_BIT) != 0) { say("no notification: not started"); return; }
  timerEp = lookup("timer");
  if (timerEp == 0) say("lookup timer: " + E.errName(lastError) + " (no timeouts)");
  const ep = lookup("netdev");
  if (ep == 0) { say("lookup netdev: " + E.errName(lastError)); return; }
  if (netdev.info(ep, infoR) != 0) { say("netdrv does not answer"); return; }
  setInterface(ep, infoR.mac, infoR.link);
  const e = netdev.attach(ep, drvNtfn);
  if (e != 0) { say("attach: " + E.errName(e)); return; }
  if (linkUp) {
    say("eth0 " + ipText(myIp) + "/24, " + macText(myMac));
    arpAnnounce();
  }
  pollDriver();
  driverCheckAt = now() + DRIVER_CHECK;
  armTimer();
}

start();
serve(SLOT_SELF, new Net());
