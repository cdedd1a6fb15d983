// trace.ts — kernel trace records written to the trace-ring device ("mlk,trace-ring", D10).
//
// Device protocol (see hw/trace.ts): write up to six 32-bit arguments to ARG0..ARG5
// (offsets 0x10..0x24), then write the record kind to KIND (0x0C); the KIND write commits the
// record (the machine stamps it with the counter). Unused arguments are written as 0.
//
// Record kinds, their arguments and the boot stages are declared in abi/trace.json; scripts/abi.mjs
// generates TRACE_* and BOOT_* (kernel-as/abi.ts) and the host's TRACE_KINDS (host/abi.ts) from it.

import { mmioWrite32 } from "./arch";

const KIND: u64 = 0x0c;
const ARG0: u64 = 0x10;

let ringBase: u64 = 0;

/** Sets the trace ring's MMIO base (0 = no ring: records are dropped). */
export function traceInit(base: u64): void { ringBase = base; }

/** Writes one record. Arguments past the kind's arity are ignored by readers. */
export function trace(kind: u32, a0: u32 = 0, a1: u32 = 0, a2: u32 = 0, a3: u32 = 0, a4: u32 = 0, a5: u32 = 0): void {
  let b = ringBase;
  if (b == 0) return;
  mmioWrite32(b + ARG0, a0);
  mmioWrite32(b + ARG0 + 4, a1);
  mmioWrite32(b + ARG0 + 8, a2);
  mmioWrite32(b + ARG0 + 12, a3);
  mmioWrite32(b + ARG0 + 16, a4);
  mmioWrite32(b + ARG0 + 20, a5);
  mmioWrite32(b + KIND, kind);
}
