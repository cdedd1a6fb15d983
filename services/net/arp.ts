// arp.ts — the Address Resolution Protocol (RFC 826) for IPv4 over Ethernet: a small cache of
// address → MAC entries, requests for unknown addresses (retried, then given up), replies to
// requests for our address, and learning from every ARP packet addressed to us (RFC 826's
// "merge" rule). A packet for an address being resolved waits in its entry (one per entry, the
// latest, as lwIP's ARP_QUEUEING off does); it is sent when the reply comes.

import {
  RX, TX, ETH_HDR, ETHERTYPE_ARP, ETHERTYPE_IP, BROADCAST_MAC, get16, get32, getMac, put16, put32, putMac,
  myIp, myMac, ethSend,
} from "./wire";
import { ARP_STATE_INCOMPLETE, ARP_STATE_REACHABLE, ARP_STATE_FAILED } from "../gen/socket";

/** Counter ticks per virtual millisecond (24 MHz). */
export const MS: u64 = 24_000;
const REQUEST_EVERY: u64 = 250 * MS; // a request is repeated after this
const REQUEST_TRIES: u32 = 3; // then the address is unreachable (Linux: mcast_solicit 3, 1 s apart)
const REACHABLE_FOR: u64 = 60_000 * MS; // an answer is trusted this long (Linux base_reachable_time 30 s)
const FAILED_FOR: u64 = 3_000 * MS; // a failure is remembered this long: new sends fail at once
const MAX_ENTRIES: i32 = 8;

export class ArpEntry {
  ip: u32 = 0;
  mac: u64 = 0;
  state: u32 = ARP_STATE_INCOMPLETE;
  /** INCOMPLETE: when to ask again; else when the entry expires. */
  deadline: u64 = 0;
  tries: u32 = 0;
  /** The IP packet (from its IP header on) waiting for this address, and its length. */
  waiting: StaticArray<u8> = new StaticArray<u8>(1500);
  waitingLen: i32 = 0;
}
export const arpTable = new Array<ArpEntry>();
/** Addresses that just failed to resolve: main.ts fails what was waiting for them. */
export const arpFailed = new Array<u32>();

function find(ip: u32): ArpEntry | null {
  for (let i = 0; i < arpTable.length; i++) if (arpTable[i].ip == ip) return arpTable[i];
  return null;
}

/** An entry for ip: a free one, or the one that expires first (never an INCOMPLETE one if avoidable). */
function make(ip: u32): ArpEntry {
  let e: ArpEntry;
  if (arpTable.length < MAX_ENTRIES) { e = new ArpEntry(); arpTable.push(e); }
  else {
    e = arpTable[0];
    for (let i = 1; i < arpTable.length; i++) {
      const c = arpTable[i];
      if ((e.state == ARP_STATE_INCOMPLETE) && c.state != ARP_STATE_INCOMPLETE) e = c;
      else if ((e.state == ARP_STATE_INCOMPLETE) == (c.state == ARP_STATE_INCOMPLETE) && c.deadline < e.deadline) e = c;
    }
  }
  e.ip = ip; e.mac = 0; e.state = ARP_STATE_INCOMPLETE; e.tries = 0; e.waitingLen = 0; e.deadline = 0;
  return e;
}

/** Builds an ARP packet at TX and sends it. */
function sendArp(op: u32, targetMac: u64, targetIp: u32, ethDst: u64): void {
  const a = TX + <usize>ETH_HDR;
  put16(a, 1); // hardware: Ethernet
  put16(a + 2, ETHERTYPE_IP); // protocol: IPv4
  store<u8>(a + 4, 6); store<u8>(a + 5, 4); // address lengths
  put16(a + 6, op);
  putMac(a + 8, myMac); put32(a + 14, myIp);
  putMac(a + 18, targetMac); put32(a + 24, targetIp);
  ethSend(ethDst, ETHERTYPE_ARP, ETH_HDR + 28);
}

function request(e: ArpEntry, now: u64): void {
  e.tries++;
  e.deadline = now + REQUEST_EVERY;
  sendArp(1, 0, e.ip, BROADCAST_MAC);
}

/** Announces our address (a gratuitous ARP request, RFC 5227 §3), e.g. when the stack starts. */
export function arpAnnounce(): void { sendArp(1, 0, myIp, BROADCAST_MAC); }

/**
 * The MAC for `ip`, or -1 when it is not known yet: then the IP packet at TX + ETH_HDR (`len`
 * bytes) is kept in the entry and a request goes out; or -2 when the address is known to be
 * unreachable (a recent failure).
 */
export function arpResolve(ip: u32, len: i32, now: u64): i64 {
  let e = find(ip);
  if (e != null && e.state == ARP_STATE_REACHABLE) return <i64>e.mac;
  if (e != null && e.state == ARP_STATE_FAILED) return -2;
  const fresh = e == null;
  if (e == null) e = make(ip);
  memory.copy(changetype<usize>(e.waiting), TX + <usize>ETH_HDR, <usize>len); // TX is reused by the request
  e.waitingLen = len;
  if (fresh) request(e, now);
  return -1;
}

/** An ARP packet (the frame at RX, `len` bytes). */
export function arpInput(len: i32, now: u64): bool {
  const a = RX + <usize>ETH_HDR;
  if (len < ETH_HDR + 28 || get16(a) != 1 || get16(a + 2) != ETHERTYPE_IP || load<u8>(a + 4) != 6 || load<u8>(a + 5) != 4) return false;
  const op = get16(a + 6);
  const senderMac = getMac(a + 8), senderIp = get32(a + 14), targetIp = get32(a + 24);
  if (op != 1 && op != 2) return false;
  if (senderIp == 0 || senderIp == myIp) return true; // a probe, or our own announcement echoed
  // RFC 826: update an entry we have for the sender; add one only when the packet is for us
  let e = find(senderIp);
  if (e == null && targetIp == myIp) e = make(senderIp);
  if (e != null) {
    e.mac = senderMac;
    e.state = ARP_STATE_REACHABLE;
    e.deadline = now + REACHABLE_FOR;
    if (e.waitingLen > 0) { // the packet that waited for this answer
      memory.copy(TX + <usize>ETH_HDR, changetype<usize>(e.waiting), <usize>e.waitingLen);
      const n = e.waitingLen;
      e.waitingLen = 0;
      ethSend(senderMac, ETHERTYPE_IP, ETH_HDR + n);
    }
  }
  if (op == 1 && targetIp == myIp) sendArp(2, senderMac, senderIp, senderMac);
  return true;
}

/** Timeouts: repeat or give up requests, forget old answers. */
export function arpTick(now: u64): void {
  for (let i = arpTable.length - 1; i >= 0; i--) {
    const e = arpTable[i];
    if (now < e.deadline) continue;
    if (e.state == ARP_STATE_INCOMPLETE) {
      if (e.tries < REQUEST_TRIES) { request(e, now); continue; }
      e.state = ARP_STATE_FAILED;
      e.waitingLen = 0;
      e.deadline = now + FAILED_FOR;
      arpFailed.push(e.ip);
    } else arpTable.splice(i, 1); // REACHABLE or FAILED, expired
  }
}

/** The earliest ARP deadline (u64 max when there is none). */
export function arpNextDeadline(): u64 {
  let t = u64.MAX_VALUE;
  for (let i = 0; i < arpTable.length; i++) if (arpTable[i].deadline < t) t = arpTable[i].deadline;
  return t;
}
