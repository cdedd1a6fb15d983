// @ts-nocheck -- AssemblyScript source (compiled by asc, not tsc)
// String building: number formatting, concatenation, char codes.
export function run(n: i32): i32 {
  let h: i32 = 0;
  for (let r = 0; r < n; r++) {
    let s = "";
    for (let i = 0; i < 20; i++) s += (r * 31 + i).toString() + ",";
    for (let i = 0; i < s.length; i++) h = h * 33 + s.charCodeAt(i);
  }
  return h;
}
