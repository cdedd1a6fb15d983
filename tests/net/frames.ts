// Frames built on the host, byte by byte as the RFCs draw them, to feed a machine's NIC from "the
// wire" (good ones and malformed ones), and checks of the frames the stack sent.

export const MAC = (k: number) => [2, 0, 0, 0, 0, k];
export const IP = (k: number) => [10, 0, 0, k];

/** The Internet checksum (RFC 1071) of bytes. */
export function inetChecksum(b: ArrayLike<number>, sum = 0): number {
  for (let i = 0; i < b.length; i += 2) sum += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
const be16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

export function ethernet(dst: number[], src: number[], type: number, payload: number[]): Uint8Array {
  const f = [...dst, ...src, ...be16(type), ...payload];
  while (f.length < 60) f.push(0);
  return Uint8Array.from(f);
}

/** An IPv4 packet; `totalLength` and `badChecksum` make malformed ones. */
export function ipv4(src: number[], dst: number[], proto: number, payload: number[], o: { totalLength?: number; badChecksum?: boolean; flags?: number } = {}): number[] {
  const h = [0x45, 0, ...be16(o.totalLength ?? 20 + payload.length), 0, 1, ...be16(o.flags ?? 0x4000), 64, proto, 0, 0, ...src, ...dst];
  const c = inetChecksum(h) ^ (o.badChecksum ? 0x5555 : 0);
  h[10] = c >> 8; h[11] = c & 0xff;
  return [...h, ...payload];
}

function pseudo(src: number[], dst: number[], proto: number, len: number): number {
  return ((src[0] << 8) | src[1]) + ((src[2] << 8) | src[3]) + ((dst[0] << 8) | dst[1]) + ((dst[2] << 8) | dst[3]) + proto + len;
}

/** A TCP segment (no options). */
export function tcp(src: number[], dst: number[], sport: number, dport: number, seq: number, ack: number, flags: number, data: number[] = [], o: { badChecksum?: boolean } = {}): number[] {
  const t = [...be16(sport), ...be16(dport), ...be32(seq), ...be32(ack), 5 << 4, flags, ...be16(4096), 0, 0, 0, 0, ...data];
  const c = inetChecksum(t, pseudo(src, dst, 6, t.length)) ^ (o.badChecksum ? 0x1234 : 0);
  t[16] = c >> 8; t[17] = c & 0xff;
  return t;
}

export function udp(src: number[], dst: number[], sport: number, dport: number, data: number[], o: { length?: number } = {}): number[] {
  const u = [...be16(sport), ...be16(dport), ...be16(o.length ?? 8 + data.length), 0, 0, ...data];
  const c = inetChecksum(u, pseudo(src, dst, 17, u.length));
  u[6] = c >> 8; u[7] = c & 0xff;
  return u;
}

/** An IPv4 frame from the pcap, decoded enough for the tests; null for other frames. */
export function decodeIp(f: Uint8Array) {
  if (f[12] !== 8 || f[13] !== 0) return null;
  const ihl = (f[14] & 15) * 4, total = (f[16] << 8) | f[17];
  const ip = f.subarray(14, 14 + total), p = ip.subarray(ihl);
  const src = [...ip.subarray(12, 16)], dst = [...ip.subarray(16, 20)];
  const proto = ip[9];
  const ipOk = inetChecksum(ip.subarray(0, ihl)) === 0;
  const l4Ok = proto === 1 ? inetChecksum(p) === 0 : inetChecksum(p, pseudo(src, dst, proto, p.length)) === 0;
  return { src, dst, proto, ipOk, l4Ok, p, ttl: ip[8] };
}
