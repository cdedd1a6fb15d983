// @ts-nocheck -- AssemblyScript source (compiled by asc, not tsc)
// A hash map: inserts, lookups and updates of i32 keys.
export function run(n: i32): i32 {
  const m = new Map<i32, i32>();
  for (let i = 0; i < n; i++) m.set(i * 7919, i);
  let h: i32 = 0;
  for (let i = 0; i < n * 2; i++) {
    const k = (i * 7919) % (n * 7919 + 13);
    if (m.has(k)) { h += m.get(k); m.set(k, h & 0xffff); }
  }
  return h + m.size;
}
