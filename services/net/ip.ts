// ip.ts — IPv4 (RFC 791) and the two small protocols above it: ICMP echo (RFC 792) and UDP
// (RFC 768). One interface, one /24 subnet, no router: a destination outside 10.0.0.0/24 is
// unreachable. No fragments: we never send one (the payload fits the MTU) and drop any we get.

import {
  RX, TX, ETH_HDR, IP_HDR, ETH_MTU, ETHERTYPE_IP, BROADCAST_MAC, NETMASK, get8, get16, get32, put8, put16, put32,
  csumAdd, csumFold, pseudoSum, myIp, counters, ethSend,
} from "./wire";
import { arpResolve } from "./arp";
import { tcpInput } from "./tcp";
import { Socket, Datagram, sockets, MAX_DGRAMS, WAIT_RECVFROM, waitReply, finishWait, ephemeralPort } from "./sock";
import { Msg, ipcSend, freeSlot } from "../lib";
import * as socket from "../gen/socket";
import * as E from "../gen/errors";

export const PROTO_ICMP: u32 = 1, PROTO_TCP: u32 = 6, PROTO_UDP: u32 = 17;
const TTL: u32 = 64;
/** Where a transport builds its header and data in TX before ipOutput. */
export const PAYLOAD: usize = TX + <usize>(ETH_HDR + IP_HDR);
export const MAX_PAYLOAD: i32 = ETH_MTU - IP_HDR;

let ident: u32 = 1;

/** Whether `dst` can be reached on our link at all. */
export function onLink(dst: u32): bool {
  return (dst & NETMASK) == (myIp & NETMASK) && dst != myIp && (dst & ~NETMASK) != 0;
}
function isBroadcast(a: u32): bool { return a == 0xffff_ffff || a == (myIp | ~NETMASK); }

/**
 * Sends the `len` bytes at PAYLOAD to dst as protocol `proto`: writes the IP header, finds the MAC
 * (ARP) and hands the frame to the driver. 0 = sent (or waiting for ARP, sent when the answer
 * comes), UNREACHABLE = not on our link or known not to answer.
 */
export function ipOutput(dst: u32, proto: u32, len: i32, now: u64): u32 {
  if (!isBroadcast(dst) && !onLink(dst)) return E.UNREACHABLE;
  const h = TX + <usize>ETH_HDR;
  put8(h, 0x45); // version 4, header 5 words
  put8(h + 1, 0); // DSCP/ECN
  put16(h + 2, <u32>(IP_HDR + len));
  put16(h + 4, ident); ident = (ident + 1) & 0xffff;
  put16(h + 6, 0x4000); // DF: we never fragment
  put8(h + 8, TTL);
  put8(h + 9, proto);
  put16(h + 10, 0);
  put32(h + 12, myIp);
  put32(h + 16, dst);
  put16(h + 10, csumFold(csumAdd(0, h, IP_HDR)));
  counters.ipOut++;
  if (isBroadcast(dst)) { ethSend(BROADCAST_MAC, ETHERTYPE_IP, ETH_HDR + IP_HDR + len); return 0; }
  const mac = arpResolve(dst, IP_HDR + len, now);
  if (mac == -2) return E.UNREACHABLE;
  if (mac >= 0) ethSend(<u64>mac, ETHERTYPE_IP, ETH_HDR + IP_HDR + len);
  return 0;
}

/** An IPv4 packet (the frame at RX, `len` bytes): checked, then handed to its protocol. */
export function ipInput(len: i32, now: u64): void {
  const h = RX + <usize>ETH_HDR;
  if (len < ETH_HDR + IP_HDR) { counters.bad++; return; }
  const vihl = get8(h);
  const hlen = <i32>(vihl & 15) * 4;
  const total = <i32>get16(h + 2);
  // version 4, a header of 5..15 words inside a packet inside the frame (frames may be padded)
  if ((vihl >> 4) != 4 || hlen < IP_HDR || total < hlen || ETH_HDR + total > len) { counters.bad++; return; }
  if (csumFold(csumAdd(0, h, hlen)) != 0) { counters.bad++; return; }
  if ((get16(h + 6) & 0x3fff) != 0) { counters.bad++; return; } // a fragment (MF or an offset)
  const dst = get32(h + 16);
  if (dst != myIp && !isBroadcast(dst)) return; // not for us (the switch floods unknown unicast)
  counters.ipIn++;
  const src = get32(h + 12);
  const proto = get8(h + 9);
  const p = h + <usize>hlen;
  const n = total - hlen;
  if (proto == PROTO_ICMP) icmpInput(src, get8(h + 8), p, n, now);
  else if (proto == PROTO_UDP) udpInput(src, dst, p, n, now);
  else if (proto == PROTO_TCP && dst == myIp) tcpInput(src, p, n, now);
}

// ---- ICMP echo (ping) ----
const ICMP_ECHO_REPLY: u32 = 0, ICMP_ECHO_REQUEST: u32 = 8;
export const PING_ID: u32 = 0x4d4c; // "ML": the identifier of our echo requests

/** A ping waiting for its echo reply: the caller's reply capability, what to match, when it was sent. */
export class Ping {
  slot: u64 = 0;
  addr: u32 = 0;
  seq: u32 = 0;
  sentAt: u64 = 0;
  deadline: u64 = 0;
}
export const pings = new Array<Ping>();
export const MAX_PINGS: i32 = 4;
const pingMsg = new Msg();

/** Answers ping i (removing it) with an error or (ttl, rtt). */
export function finishPing(i: i32, err: u32, ttl: u32, rtt: u64): void {
  const pg = pings[i];
  pings.splice(i, 1);
  if (err != 0) pingMsg.reset(<u64>err);
  else { const out = new socket.PingReply(); out.ttl = ttl; out.rtt = rtt; socket.replyPing(pingMsg, out); }
  ipcSend(pg.slot, pingMsg);
  freeSlot(pg.slot);
}

/** Sends an echo request of `size` data bytes; 0 or UNREACHABLE. */
export function sendEcho(addr: u32, seq: u32, size: i32, now: u64): u32 {
  const p = PAYLOAD;
  put8(p, ICMP_ECHO_REQUEST); put8(p + 1, 0); put16(p + 2, 0);
  put16(p + 4, PING_ID); put16(p + 6, seq);
  for (let i = 0; i < size; i++) store<u8>(p + 8 + <usize>i, <u8>(0x10 + i)); // ping's pattern after the timestamp
  put16(p + 2, csumFold(csumAdd(0, p, 8 + size)));
  return ipOutput(addr, PROTO_ICMP, 8 + size, now);
}

function icmpInput(src: u32, ttl: u32, p: usize, n: i32, now: u64): void {
  if (n < 8 || csumFold(csumAdd(0, p, n)) != 0) { counters.bad++; return; }
  counters.icmpIn++;
  const type = get8(p);
  if (type == ICMP_ECHO_REQUEST) {
    memory.copy(PAYLOAD, p, <usize>n); // the same identifier, sequence and data back
    put8(PAYLOAD, ICMP_ECHO_REPLY);
    put16(PAYLOAD + 2, 0);
    put16(PAYLOAD + 2, csumFold(csumAdd(0, PAYLOAD, n)));
    ipOutput(src, PROTO_ICMP, n, now);
  } else if (type == ICMP_ECHO_REPLY && get16(p + 4) == PING_ID) {
    const seq = get16(p + 6);
    for (let i = 0; i < pings.length; i++) {
      if (pings[i].addr == src && pings[i].seq == seq) { finishPing(i, 0, ttl, now - pings[i].sentAt); return; }
    }
  }
}

// ---- UDP ----
export const ECHO_PORT: u32 = 7; // RFC 862: answered by the stack when no socket has the port (inetd's internal echo)

/** Sends a datagram of the `len` bytes at `data` from port sport to dst:dport. */
export function udpOutput(sport: u32, dst: u32, dport: u32, data: usize, len: i32, now: u64): u32 {
  if (len > MAX_PAYLOAD - 8) return E.INVALID;
  const p = PAYLOAD;
  memory.copy(p + 8, data, <usize>len); // first: data may point at RX
  put16(p, sport); put16(p + 2, dport); put16(p + 4, <u32>(8 + len)); put16(p + 6, 0);
  let c = csumFold(csumAdd(pseudoSum(myIp, dst, PROTO_UDP, <u32>(8 + len)), p, 8 + len));
  put16(p + 6, c == 0 ? 0xffff : c); // 0 means "no checksum" in UDP
  return ipOutput(dst, PROTO_UDP, 8 + len, now);
}

function udpInput(src: u32, dst: u32, p: usize, n: i32, now: u64): void {
  if (n < 8) { counters.bad++; return; }
  const ulen = <i32>get16(p + 4);
  if (ulen < 8 || ulen > n) { counters.bad++; return; }
  if (get16(p + 6) != 0 && csumFold(csumAdd(pseudoSum(src, dst, PROTO_UDP, <u32>ulen), p, ulen)) != 0) { counters.bad++; return; }
  counters.udpIn++;
  const sport = get16(p), dport = get16(p + 2);
  let s: Socket | null = null;
  for (let i = 0; i < sockets.length; i++) {
    const c = sockets[i];
    if (c.type == socket.SOCK_TYPE_UDP && c.localPort == dport && (c.remoteAddr == 0 || (c.remoteAddr == src && c.remotePort == sport))) { s = c; break; }
  }
  if (s == null) {
    if (dport == ECHO_PORT && dst == myIp) udpOutput(ECHO_PORT, src, sport, p + 8, ulen - 8, now);
    return; // no ICMP port unreachable: not needed by anything here
  }
  if (s.waitOp == WAIT_RECVFROM) { deliverDatagram(s, src, sport, p + 8, ulen - 8); return; }
  if (s.dgrams.length >= MAX_DGRAMS) return; // the queue is full: dropped, as a full socket buffer does
  const d = new Uint8Array(ulen - 8);
  memory.copy(d.dataStart, p + 8, <usize>(ulen - 8));
  s.dgrams.push(new Datagram(src, sport, d));
}

/** Answers s's waiting recvfrom with a datagram. */
export function deliverDatagram(s: Socket, addr: u32, port: u32, data: usize, len: i32): void {
  const out = new socket.RecvfromReply();
  out.addr = addr; out.port = port; out.data = data; out.dataLen = min(min(len, <i32>s.waitMax), 448);
  socket.replyRecvfrom(waitReply(), out);
  finishWait(s);
}

/** Binds an unbound UDP socket to an ephemeral port; false when none is free. */
export function autobind(s: Socket): bool {
  if (s.localPort != 0) return true;
  s.localPort = ephemeralPort(s.type);
  return s.localPort != 0;
}
