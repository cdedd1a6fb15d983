// MurmurHash3 x86_128 (Austin Appleby's public-domain reference, MurmurHash3.cpp), seed 0: a fast,
// well-mixed, non-cryptographic 128-bit hash in 32-bit arithmetic, so the same code runs in Node and
// in the page, synchronously. Used for the machine state hash, the build id and state-file
// integrity (hw/snapshot-format.ts). It detects accidents (a different run, a damaged file), not
// forgery; nothing here needs more.

const C1 = 0x239b961b, C2 = 0xab0e9789, C3 = 0x38b34ae5, C4 = 0xa1e38b93;
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Hash of the concatenation of `parts`, as 32 lowercase hex digits (the digest bytes in order). */
export function murmur128(...parts: Uint8Array[]): string {
  let h1 = 0, h2 = 0, h3 = 0, h4 = 0;
  let len = 0;
  // 16-byte blocks run across part boundaries through this carry buffer
  const carry = new Uint8Array(16);
  const cdv = new DataView(carry.buffer);
  let cn = 0;
  const block = (k1: number, k2: number, k3: number, k4: number) => {
    k1 = Math.imul(k1, C1); k1 = rotl(k1, 15); k1 = Math.imul(k1, C2); h1 ^= k1;
    h1 = rotl(h1, 19); h1 = (h1 + h2) | 0; h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(k2, C2); k2 = rotl(k2, 16); k2 = Math.imul(k2, C3); h2 ^= k2;
    h2 = rotl(h2, 17); h2 = (h2 + h3) | 0; h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(k3, C3); k3 = rotl(k3, 17); k3 = Math.imul(k3, C4); h3 ^= k3;
    h3 = rotl(h3, 15); h3 = (h3 + h4) | 0; h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(k4, C4); k4 = rotl(k4, 18); k4 = Math.imul(k4, C1); h4 ^= k4;
    h4 = rotl(h4, 13); h4 = (h4 + h1) | 0; h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  };
  for (const part of parts) {
    len += part.length;
    let i = 0;
    while (cn > 0 && i < part.length) {
      carry[cn++] = part[i++];
      if (cn === 16) { block(cdv.getInt32(0, true), cdv.getInt32(4, true), cdv.getInt32(8, true), cdv.getInt32(12, true)); cn = 0; }
    }
    const end = i + ((part.length - i) & ~15);
    if (LITTLE_ENDIAN && ((part.byteOffset + i) & 3) === 0) {
      // aligned: read words through an Int32Array (several times faster than DataView)
      const w = new Int32Array(part.buffer, part.byteOffset + i, (end - i) >> 2);
      for (let j = 0; j < w.length; j += 4) block(w[j], w[j + 1], w[j + 2], w[j + 3]);
      i = end;
    } else {
      const dv = new DataView(part.buffer, part.byteOffset, part.byteLength);
      for (; i < end; i += 16) block(dv.getInt32(i, true), dv.getInt32(i + 4, true), dv.getInt32(i + 8, true), dv.getInt32(i + 12, true));
    }
    while (i < part.length) carry[cn++] = part[i++];
  }
  // tail (len & 15 bytes)
  let k1 = 0, k2 = 0, k3 = 0, k4 = 0;
  const t = carry;
  switch (cn) {
    case 15: k4 ^= t[14] << 16; // falls through
    case 14: k4 ^= t[13] << 8; // falls through
    case 13: k4 ^= t[12];
      k4 = Math.imul(k4, C4); k4 = rotl(k4, 18); k4 = Math.imul(k4, C1); h4 ^= k4; // falls through
    case 12: k3 ^= t[11] << 24; // falls through
    case 11: k3 ^= t[10] << 16; // falls through
    case 10: k3 ^= t[9] << 8; // falls through
    case 9: k3 ^= t[8];
      k3 = Math.imul(k3, C3); k3 = rotl(k3, 17); k3 = Math.imul(k3, C4); h3 ^= k3; // falls through
    case 8: k2 ^= t[7] << 24; // falls through
    case 7: k2 ^= t[6] << 16; // falls through
    case 6: k2 ^= t[5] << 8; // falls through
    case 5: k2 ^= t[4];
      k2 = Math.imul(k2, C2); k2 = rotl(k2, 16); k2 = Math.imul(k2, C3); h2 ^= k2; // falls through
    case 4: k1 ^= t[3] << 24; // falls through
    case 3: k1 ^= t[2] << 16; // falls through
    case 2: k1 ^= t[1] << 8; // falls through
    case 1: k1 ^= t[0];
      k1 = Math.imul(k1, C1); k1 = rotl(k1, 15); k1 = Math.imul(k1, C2); h1 ^= k1;
  }
  // the reference hashes a 32-bit length; states stay far below 4 GiB
  h1 ^= len; h2 ^= len; h3 ^= len; h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0; h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  h1 = fmix(h1); h2 = fmix(h2); h3 = fmix(h3); h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0; h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  const out = new DataView(new ArrayBuffer(16));
  out.setUint32(0, h1, true); out.setUint32(4, h2, true); out.setUint32(8, h3, true); out.setUint32(12, h4, true);
  let hex = '';
  for (let i = 0; i < 16; i++) hex += out.getUint8(i).toString(16).padStart(2, '0');
  return hex;
}
