// wire.ts — bytes on the wire: the shared page with netdrv, network byte order, the Internet
// checksum (RFC 1071), and the interface's identity. Every header is read and written here with
// explicit big-endian loads and stores at byte offsets, the way the RFCs draw them.

import * as netdev from "../gen/netdev";
import { BUSY, NOT_CONNECTED, CANCELLED } from "../gen/errors";
import { print } from "../lib";

// The page "netio", shared with netdrv (manifest): received frames land at RX, frames to send are
// built at TX (netdev.recv / netdev.send take offsets into it). netdrv's own scratch is its last 64 bytes.
export const IO: usize = 0xe000;
export const RX_OFF: u32 = 0;
export const TX_OFF: u32 = 2048;
export const RX: usize = IO + <usize>RX_OFF;
export const TX: usize = IO + <usize>TX_OFF;

export const ETH_HDR: i32 = 14;
export const IP_HDR: i32 = 20; // we send no IP options
export const ETH_MTU: i32 = 1500; // IP packet size the link carries
export const ETHERTYPE_IP: u32 = 0x0800;
export const ETHERTYPE_ARP: u32 = 0x0806;
export const BROADCAST_MAC: u64 = 0xffff_ffff_ffff;

// @ts-ignore: decorator
@inline export function get8(p: usize): u32 { return <u32>load<u8>(p); }
// @ts-ignore: decorator
@inline export function get16(p: usize): u32 { return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p + 1); }
export function get32(p: usize): u32 { return (get16(p) << 16) | get16(p + 2); }
// @ts-ignore: decorator
@inline export function put8(p: usize, v: u32): void { store<u8>(p, <u8>v); }
// @ts-ignore: decorator
@inline export function put16(p: usize, v: u32): void { store<u8>(p, <u8>(v >> 8)); store<u8>(p + 1, <u8>v); }
export function put32(p: usize, v: u32): void { put16(p, v >> 16); put16(p + 2, v & 0xffff); }
/** A MAC address (48 bits in a u64, most significant byte first on the wire). */
export function getMac(p: usize): u64 { return (<u64>get16(p) << 32) | <u64>get32(p + 2); }
export function putMac(p: usize, m: u64): void { put16(p, <u32>(m >> 32)); put32(p + 2, <u32>m); }

/** Adds `len` bytes at p to a running one's-complement sum of 16-bit big-endian words (RFC 1071). */
export function csumAdd(sum: u32, p: usize, len: i32): u32 {
  // Four bytes a step in the machine's (little-endian) order, then the folded sum byte-swapped:
  // RFC 1071 §2(B), the one's complement sum is independent of byte order. A quarter of the
  // instructions of a loop over big-endian 16-bit words, and this runs over every byte sent and received.
  let acc: u64 = 0;
  let i = 0;
  for (; i + 4 <= len; i += 4) acc += <u64>load<u32>(p + <usize>i);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >> 16);
  sum += <u32>(((acc & 0xff) << 8) | (acc >> 8));
  for (; i + 1 < len; i += 2) sum += get16(p + <usize>i);
  if (i < len) sum += get8(p + <usize>i) << 8; // an odd last byte is padded with zero
  return sum;
}
/** The checksum field for a sum: the one's complement of the folded sum. */
export function csumFold(sum: u32): u32 {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}
/** The TCP/UDP pseudo-header sum (RFC 9293 §3.1, RFC 768): addresses, protocol, length. */
export function pseudoSum(src: u32, dst: u32, proto: u32, len: u32): u32 {
  return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

/** "10.0.0.2" */
export function ipText(a: u32): string {
  return (a >> 24).toString() + "." + ((a >> 16) & 0xff).toString() + "." + ((a >> 8) & 0xff).toString() + "." + (a & 0xff).toString();
}
function hex2(b: u32): string { return (b < 16 ? "0" : "") + b.toString(16); }
/** "02:00:00:00:00:01" */
export function macText(m: u64): string {
  let s = "";
  for (let i = 5; i >= 0; i--) s += hex2(<u32>(m >> (<u64>i * 8)) & 0xff) + (i > 0 ? ":" : "");
  return s;
}

// ---- the interface ----
/** netdrv's endpoint (0 until looked up). */
export let netdevEp: u64 = 0;
export let myMac: u64 = 0;
/** This machine's address: 10.0.0.k on 10.0.0.0/24, k = the MAC's last byte (docs/NETWORK.md). */
export let myIp: u32 = 0;
export const NETMASK: u32 = 0xffff_ff00;
export let linkUp = false;

export function setInterface(ep: u64, mac: u64, link: bool): void {
  netdevEp = ep;
  myMac = mac;
  linkUp = link;
  myIp = 0x0a00_0000 | <u32>(mac & 0xff);
}

/** Our notification as netdrv signals it (badge DRV_BIT), given to netdev.attach. */
export let driverNtfn: u64 = 0;
export function setDriverNtfn(slot: u64): void { driverNtfn = slot; }

/**
 * Whether `e`, from a netdev call, says the driver was restarted: NOT_CONNECTED (a new instance
 * knows no client) or CANCELLED (it died during our call). Then we attach again — the endpoint is
 * init's and outlives the driver — and the caller retries. What was in its rings is lost, as frames
 * are on a real wire; TCP retransmits.
 */
export function driverRestarted(e: u32): bool {
  if (e != NOT_CONNECTED && e != CANCELLED) return false;
  const a = netdev.attach(netdevEp, driverNtfn);
  counters.reattached++;
  print("net: netdrv restarted: " + (a == 0 ? "attached again" : "attach failed") + "\n");
  return a == 0;
}

/** The stack's counters (socket.stats). */
export class Counters {
  ipIn: u64 = 0; ipOut: u64 = 0; bad: u64 = 0;
  tcpIn: u64 = 0; tcpOut: u64 = 0; tcpRetrans: u64 = 0; tcpResets: u64 = 0;
  udpIn: u64 = 0; icmpIn: u64 = 0; txFailed: u64 = 0; reattached: u64 = 0;
}
export const counters = new Counters();

/**
 * Sends the Ethernet frame of `len` bytes built at TX (destination MAC, our MAC and `type` are
 * written here) through netdrv. A busy transmit ring is retried a few times; a frame the driver
 * refuses (link down) is counted and lost, as on a real wire.
 */
export function ethSend(dst: u64, type: u32, len: i32): bool {
  putMac(TX, dst);
  putMac(TX + 6, myMac);
  put16(TX + 12, type);
  if (len < 60) { memory.fill(TX + <usize>len, 0, <usize>(60 - len)); len = 60; } // the Ethernet minimum (without FCS)
  let e: u32 = 0;
  for (let t = 0; t < 4; t++) {
    e = netdev.send(netdevEp, TX_OFF, <u32>len);
    if (e != BUSY && !driverRestarted(e)) break;
  }
  if (e != 0) { counters.txFailed++; return false; }
  return true;
}
