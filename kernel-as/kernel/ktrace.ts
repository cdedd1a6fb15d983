// ktrace.ts — trace records of the kernel core (D10): syscalls, IPC, context switches, faults,
// IRQ delivery, capability operations. Every kind, with its arguments, is declared in
// abi/trace.json (TRACE_* in kernel-as/abi.ts).
//
// Tracing costs seven MMIO writes per record; boot argument `mlk.trace=0` turns it off (the
// benchmark does, to measure the kernel and not the trace device).

import { trace } from "../trace";
import { TRACE_SWITCH, TRACE_IPC_WORDS, TRACE_IPC_WORDS2 } from "../abi";
import { Tcb } from "../object/structures";

export let traceOn = true;
export function setTraceOn(on: bool): void { traceOn = on; }

// @ts-ignore: decorator
@inline export function tidOf(a: u32): u32 { return a == 0 ? 0 : changetype<Tcb>(<usize>a).tid; }

export function traceSwitch(from: u32, to: u32): void {
  if (traceOn) trace(TRACE_SWITCH, tidOf(from), tidOf(to));
}

/**
 * The message words of thread `t`'s send or reply (X1 = info, X2..X5 = MR0..MR3), recorded right
 * after its IPC_SEND / IPC_REPLY record: IPC_WORDS when it has words, IPC_WORDS2 for more than two.
 */
export function traceWords(t: u32): void {
  if (!traceOn || t == 0) return;
  let th = changetype<Tcb>(<usize>t);
  let len = <u32>(th.r1 & 0x7f);
  if (len == 0) return;
  trace(TRACE_IPC_WORDS, th.tid, len, <u32>th.r2, <u32>(th.r2 >> 32), <u32>th.r3, <u32>(th.r3 >> 32));
  if (len > 2) trace(TRACE_IPC_WORDS2, th.tid, len, <u32>th.r4, <u32>(th.r4 >> 32), <u32>th.r5, <u32>(th.r5 >> 32));
}

export function tr(kind: u32, a0: u32 = 0, a1: u32 = 0, a2: u32 = 0, a3: u32 = 0, a4: u32 = 0, a5: u32 = 0): void {
  if (traceOn) trace(kind, a0, a1, a2, a3, a4, a5);
}
