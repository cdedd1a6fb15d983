// @ts-nocheck -- AssemblyScript source (compiled by asc, not tsc)
// Integer loop: xorshift and arithmetic on locals.
export function run(n: i32): i32 {
  let x: u32 = 2463534242;
  let acc: u32 = 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    acc += (x & 0xff) * (i & 7) + (acc >>> 3);
  }
  return <i32>acc;
}
