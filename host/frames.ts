// A decoder of Ethernet frames for people: what tcpdump prints on one line, and the fields of each
// layer for a detail view. Ethernet II, ARP (RFC 826), IPv4 (RFC 791), ICMP echo (RFC 792), UDP
// (RFC 768) and TCP (RFC 9293) — the protocols the machine's `net` service speaks. It reads the
// bytes only (the page's Network view, tests, the CLI): a truncated or malformed frame decodes as
// far as its bytes go and says what is wrong, it never throws.

export interface Field { name: string; value: string }
export interface Layer { name: string; fields: Field[] }

export interface DecodedFrame {
  /** Source and destination MAC addresses, as aa:bb:cc:dd:ee:ff. */
  src: string;
  dst: string;
  /** The innermost protocol understood: 'ARP', 'ICMP', 'UDP', 'TCP', 'IPv4', or the EtherType in hex. */
  protocol: string;
  /** One line as tcpdump writes it (without the timestamp). */
  summary: string;
  layers: Layer[];
}

const hex = (v: number, digits: number) => `0x${v.toString(16).padStart(digits, '0')}`;
export const macText = (b: Uint8Array, at: number) => Array.from(b.subarray(at, at + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
const ipText = (b: Uint8Array, at: number) => Array.from(b.subarray(at, at + 4)).join('.');
const be16 = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const be32 = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** The Internet checksum (RFC 1071) over `b`, starting from `sum`; 0 means a packet's checksum is right. */
export function inetChecksum(b: Uint8Array, sum = 0): number {
  for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The machine a lab MAC address names (02:00:00:00:00:0k → "machine k"), else the address. */
export function macName(mac: string): string {
  if (mac === 'ff:ff:ff:ff:ff:ff') return 'broadcast';
  const m = /^02:00:00:00:00:([0-9a-f]{2})$/.exec(mac);
  return m ? `machine ${parseInt(m[1], 16)}` : mac;
}

/** TCP flags as tcpdump writes them: S F P R U, '.' for ACK, e.g. [S.] for SYN+ACK. */
export function tcpFlags(f: number): string {
  let s = '';
  if (f & 0x02) s += 'S';
  if (f & 0x01) s += 'F';
  if (f & 0x08) s += 'P';
  if (f & 0x04) s += 'R';
  if (f & 0x20) s += 'U';
  if (f & 0x10) s += '.';
  return s || 'none';
}

interface Ip { src: string; dst: string; proto: number; payload: Uint8Array; srcBytes: Uint8Array; dstBytes: Uint8Array }

/** The TCP/UDP pseudo-header sum (RFC 9293 §3.1, RFC 768). */
function pseudoSum(ip: Ip, length: number): number {
  return be16(ip.srcBytes, 0) + be16(ip.srcBytes, 2) + be16(ip.dstBytes, 0) + be16(ip.dstBytes, 2) + ip.proto + length;
}

function decodeArp(p: Uint8Array, out: DecodedFrame): void {
  if (p.length < 28) {
    out.summary = `ARP, truncated (${p.length} bytes)`;
    return;
  }
  const op = be16(p, 6);
  const len = 8 + 2 * p[4] + 2 * p[5]; // tcpdump's length: the ARP packet, not the frame's padding
  const sha = macText(p, 8), spa = ipText(p, 14), tha = macText(p, 18), tpa = ipText(p, 24);
  out.protocol = 'ARP';
  out.summary = op === 1 ? `ARP, Request who-has ${tpa} tell ${spa}, length ${len}`
    : op === 2 ? `ARP, Reply ${spa} is-at ${sha}, length ${len}`
      : `ARP, operation ${op}, length ${len}`;
  out.layers.push({
    name: 'ARP',
    fields: [
      { name: 'hardware type', value: String(be16(p, 0)) },
      { name: 'protocol type', value: hex(be16(p, 2), 4) },
      { name: 'operation', value: op === 1 ? '1 (request)' : op === 2 ? '2 (reply)' : String(op) },
      { name: 'sender MAC', value: sha },
      { name: 'sender IP', value: spa },
      { name: 'target MAC', value: tha },
      { name: 'target IP', value: tpa },
    ],
  });
}

function decodeIcmp(ip: Ip, out: DecodedFrame): string {
  const p = ip.payload;
  if (p.length < 8) return `ICMP, truncated (${p.length} bytes)`;
  const type = p[0], code = p[1], id = be16(p, 4), seq = be16(p, 6);
  const ok = inetChecksum(p) === 0;
  out.protocol = 'ICMP';
  out.layers.push({
    name: 'ICMP',
    fields: [
      { name: 'type', value: `${type}${type === 8 ? ' (echo request)' : type === 0 ? ' (echo reply)' : ''}` },
      { name: 'code', value: String(code) },
      { name: 'checksum', value: `${hex(be16(p, 2), 4)} (${ok ? 'correct' : 'wrong'})` },
      { name: 'id', value: String(id) },
      { name: 'seq', value: String(seq) },
      { name: 'data', value: `${p.length - 8} bytes` },
    ],
  });
  const what = type === 8 ? 'echo request' : type === 0 ? 'echo reply' : `type ${type} code ${code}`;
  return `ICMP ${what}, id ${id}, seq ${seq}, length ${p.length}${ok ? '' : ' [bad cksum]'}`;
}

function decodeUdp(ip: Ip, out: DecodedFrame): string {
  const p = ip.payload;
  if (p.length < 8) return `UDP, truncated (${p.length} bytes)`;
  const sport = be16(p, 0), dport = be16(p, 2), len = be16(p, 4), sum = be16(p, 6);
  const ok = sum === 0 || inetChecksum(p, pseudoSum(ip, p.length)) === 0;
  out.protocol = 'UDP';
  out.layers.push({
    name: 'UDP',
    fields: [
      { name: 'source port', value: String(sport) },
      { name: 'destination port', value: String(dport) },
      { name: 'length', value: String(len) },
      { name: 'checksum', value: `${hex(sum, 4)} (${sum === 0 ? 'none' : ok ? 'correct' : 'wrong'})` },
    ],
  });
  return `${ip.src}.${sport} > ${ip.dst}.${dport}: UDP, length ${len - 8}${ok ? '' : ' [bad udp cksum]'}`;
}

function decodeTcp(ip: Ip, out: DecodedFrame): string {
  const p = ip.payload;
  if (p.length < 20) return `TCP, truncated (${p.length} bytes)`;
  const sport = be16(p, 0), dport = be16(p, 2), seq = be32(p, 4), ack = be32(p, 8);
  const off = (p[12] >> 4) * 4, flags = p[13], win = be16(p, 14);
  const len = Math.max(0, p.length - off);
  const ok = inetChecksum(p, pseudoSum(ip, p.length)) === 0;
  out.protocol = 'TCP';
  out.layers.push({
    name: 'TCP',
    fields: [
      { name: 'source port', value: String(sport) },
      { name: 'destination port', value: String(dport) },
      { name: 'seq', value: String(seq) },
      { name: 'ack', value: String(ack) },
      { name: 'header length', value: String(off) },
      { name: 'flags', value: `${hex(flags, 2)} [${tcpFlags(flags)}]` },
      { name: 'window', value: String(win) },
      { name: 'checksum', value: `${hex(be16(p, 16), 4)} (${ok ? 'correct' : 'wrong'})` },
      { name: 'data', value: `${len} bytes` },
    ],
  });
  const seqText = len > 0 || flags & 0x03 ? `, seq ${len > 0 ? `${seq}:${(seq + len) >>> 0}` : seq}` : '';
  const ackText = flags & 0x10 ? `, ack ${ack}` : '';
  return `${ip.src}.${sport} > ${ip.dst}.${dport}: Flags [${tcpFlags(flags)}]${seqText}${ackText}, win ${win}, length ${len}${ok ? '' : ' [bad tcp cksum]'}`;
}

function decodeIpv4(b: Uint8Array, out: DecodedFrame): void {
  if (b.length < 20 || b[0] >> 4 !== 4) {
    out.summary = `IPv4, ${b.length < 20 ? `truncated (${b.length} bytes)` : `version ${b[0] >> 4}`}`;
    return;
  }
  const ihl = (b[0] & 15) * 4, total = be16(b, 2);
  const bad = ihl < 20 || total < ihl || total > b.length;
  const header = b.subarray(0, Math.min(ihl, b.length));
  const ip: Ip = { src: ipText(b, 12), dst: ipText(b, 16), proto: b[9], payload: b.subarray(ihl, Math.min(total, b.length)), srcBytes: b.subarray(12, 16), dstBytes: b.subarray(16, 20) };
  const ok = inetChecksum(header) === 0;
  out.protocol = 'IPv4';
  out.layers.push({
    name: 'IPv4',
    fields: [
      { name: 'header length', value: String(ihl) },
      { name: 'total length', value: `${total}${bad ? ' (bogus)' : ''}` },
      { name: 'id', value: String(be16(b, 4)) },
      { name: 'flags', value: hex(b[6] >> 5, 1) + (b[6] & 0x40 ? ' (DF)' : '') },
      { name: 'ttl', value: String(b[8]) },
      { name: 'protocol', value: String(ip.proto) },
      { name: 'checksum', value: `${hex(be16(b, 10), 4)} (${ok ? 'correct' : 'wrong'})` },
      { name: 'source', value: ip.src },
      { name: 'destination', value: ip.dst },
    ],
  });
  if (bad) {
    out.summary = `IP ${ip.src} > ${ip.dst}: bogus lengths (header ${ihl}, total ${total}, ${b.length} bytes)`;
    return;
  }
  const rest = ip.proto === 1 ? decodeIcmp(ip, out) : ip.proto === 17 ? decodeUdp(ip, out) : ip.proto === 6 ? decodeTcp(ip, out) : `ip-proto-${ip.proto} ${ip.payload.length}`;
  const prefix = ip.proto === 17 || ip.proto === 6 ? '' : `${ip.src} > ${ip.dst}: `;
  out.summary = `IP ${prefix}${rest}${ok ? '' : ' [bad ip cksum]'}`;
}

/** Decodes one Ethernet frame (from the switch's capture or a pcap record). */
export function decodeFrame(f: Uint8Array): DecodedFrame {
  if (f.length < 14) return { src: '?', dst: '?', protocol: 'runt', summary: `runt frame (${f.length} bytes)`, layers: [] };
  const type = be16(f, 12);
  const out: DecodedFrame = { src: macText(f, 6), dst: macText(f, 0), protocol: hex(type, 4), summary: '', layers: [] };
  out.layers.push({
    name: 'Ethernet',
    fields: [
      { name: 'destination', value: out.dst },
      { name: 'source', value: out.src },
      { name: 'type', value: `${hex(type, 4)}${type === 0x0800 ? ' (IPv4)' : type === 0x0806 ? ' (ARP)' : ''}` },
      { name: 'length', value: `${f.length} bytes` },
    ],
  });
  const payload = f.subarray(14);
  if (type === 0x0806) decodeArp(payload, out);
  else if (type === 0x0800) decodeIpv4(payload, out);
  else out.summary = `ethertype ${hex(type, 4)}, length ${f.length}`;
  return out;
}

/** Hex dump lines, 16 bytes each: offset, hex bytes, printable ASCII (as `tcpdump -X`). */
export function hexDump(f: Uint8Array): string[] {
  const lines: string[] = [];
  for (let at = 0; at < f.length; at += 16) {
    const row = f.subarray(at, at + 16);
    const bytes = Array.from(row, (x) => x.toString(16).padStart(2, '0')).join(' ');
    const text = Array.from(row, (x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join('');
    lines.push(`${at.toString(16).padStart(4, '0')}  ${bytes.padEnd(47)}  ${text}`);
  }
  return lines;
}
