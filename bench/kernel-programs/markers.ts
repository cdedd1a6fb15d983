// The lines a benchmark program prints around its timed loop (bench/kernel.ts waits for them).
// They must never appear in a boot log: the old "B" / "E" matched any log line ending in "B".
export const BENCH_BEGIN = "@@mlk-bench-begin@@";
export const BENCH_END = "@@mlk-bench-end@@";
