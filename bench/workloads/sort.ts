// @ts-nocheck -- AssemblyScript source (compiled by asc, not tsc)
// Sorting an array with a comparator closure (call_indirect).
export function run(n: i32): i32 {
  const a = new Array<i32>(n);
  let seed: u32 = 7;
  for (let i = 0; i < n; i++) { seed = seed * 1664525 + 1013904223; a[i] = <i32>(seed >> 4); }
  a.sort((x: i32, y: i32): i32 => (x > y ? 1 : 0) - (x < y ? 1 : 0));
  let h: i32 = 0;
  for (let i = 0; i < n; i += 97) h = h * 31 + a[i];
  return h;
}
