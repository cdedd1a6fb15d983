// Numeric helpers of the EL0 core: i64 as (lo, hi) int32 pairs (no BigInt on the hot paths) and the
// float conversions whose rounding or trapping JavaScript does not give directly. A function that
// produces an i64 returns the low word and leaves the high word in `r.hi`.

export const r = { hi: 0 };

const TWO32 = 4294967296;

export function mul64(alo: number, ahi: number, blo: number, bhi: number): number {
  const a0 = alo & 0xffff, a1 = alo >>> 16, b0 = blo & 0xffff, b1 = blo >>> 16;
  const mid = a1 * b0 + a0 * b1; // < 2^33
  const t = a0 * b0 + (mid % 65536) * 65536; // < 2^33
  const carry = Math.floor(t / TWO32);
  r.hi = (a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(alo, bhi) + Math.imul(ahi, blo)) | 0;
  return t | 0;
}

const big = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo >>> 0);
const ubig = (lo: number, hi: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
function fromBig(v: bigint): number {
  r.hi = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
}

/** signed division; callers check b != 0 and the overflow case */
export function divS64(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi === alo >> 31 && bhi === blo >> 31) {
    const q = Math.trunc(alo / blo);
    r.hi = q < 0 ? -1 : 0;
    return q | 0;
  }
  return fromBig(BigInt.asIntN(64, big(alo, ahi) / big(blo, bhi)));
}
export function remS64(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi === alo >> 31 && bhi === blo >> 31) {
    const m = alo % blo;
    r.hi = m < 0 ? -1 : 0;
    return m | 0;
  }
  return fromBig(big(alo, ahi) % big(blo, bhi));
}
export function divU64(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi === 0 && bhi === 0) {
    r.hi = 0;
    return Math.floor((alo >>> 0) / (blo >>> 0)) | 0;
  }
  return fromBig(ubig(alo, ahi) / ubig(blo, bhi));
}
export function remU64(alo: number, ahi: number, blo: number, bhi: number): number {
  if (ahi === 0 && bhi === 0) {
    r.hi = 0;
    return ((alo >>> 0) % (blo >>> 0)) | 0;
  }
  return fromBig(ubig(alo, ahi) % ubig(blo, bhi));
}

export function shl64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) { r.hi = hi; return lo; }
  if (n < 32) { r.hi = (hi << n) | (lo >>> (32 - n)); return lo << n; }
  r.hi = lo << (n - 32);
  return 0;
}
export function shrS64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) { r.hi = hi; return lo; }
  if (n < 32) { r.hi = hi >> n; return (lo >>> n) | (hi << (32 - n)); }
  r.hi = hi >> 31;
  return hi >> (n - 32);
}
export function shrU64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) { r.hi = hi; return lo; }
  if (n < 32) { r.hi = hi >>> n; return (lo >>> n) | (hi << (32 - n)); }
  r.hi = 0;
  return (hi >>> (n - 32)) | 0;
}
export function rotl64(lo: number, hi: number, n: number): number {
  n &= 63;
  const l1 = shl64(lo, hi, n), h1 = r.hi;
  const l2 = shrU64(lo, hi, 64 - n), h2 = r.hi;
  r.hi = n === 0 ? hi : h1 | h2;
  return n === 0 ? lo : l1 | l2;
}
export function rotr64(lo: number, hi: number, n: number): number {
  return rotl64(lo, hi, (64 - (n & 63)) & 63);
}
export function clz64(lo: number, hi: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}
export function ctz32(x: number): number {
  if (x === 0) return 32;
  return 31 - Math.clz32(x & -x);
}
export function ctz64(lo: number, hi: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}
export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** round half to even */
export function nearest(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  let y = Math.round(x);
  if (y - x === 0.5 && y % 2 !== 0) y -= 1;
  if (y === 0 && x < 0) return -0;
  return y;
}

/** unsigned i64 (lo, hi) to the nearest f32 (one rounding) */
export function u64ToF32(lo: number, hi: number): number {
  if (hi >>> 0 < 0x200000) return Math.fround((hi >>> 0) * TWO32 + (lo >>> 0));
  const l2 = (lo & ~0xfff) | ((lo & 0xfff) !== 0 ? 0x800 : 0);
  return Math.fround((hi >>> 0) * TWO32 + (l2 >>> 0));
}
export function s64ToF32(lo: number, hi: number): number {
  if (hi >= 0) return u64ToF32(lo, hi);
  // negate
  const nlo = (~lo + 1) | 0;
  const nhi = (~hi + (nlo === 0 ? 1 : 0)) | 0;
  return -u64ToF32(nlo, nhi);
}

/** f64 to i64 pieces of an integral value t with |t| < 2^64 (caller checked the range) */
export function splitI64(t: number): number {
  const h = Math.floor(t / TWO32);
  r.hi = h | 0;
  return (t - h * TWO32) | 0;
}

export const I64_MIN_F = -9223372036854775808;
export const I64_LIM_F = 9223372036854775808;
export const U64_LIM_F = 18446744073709551616;

/** f32/f64 min and max: NaN if either operand is NaN, else Math.min/max (which order -0 < +0) */
export function fmin(a: number, b: number): number {
  if (a !== a || b !== b) return NaN;
  return Math.min(a, b);
}
export function fmax(a: number, b: number): number {
  if (a !== a || b !== b) return NaN;
  return Math.max(a, b);
}
