// ktrace.ts — trace records of the kernel core (D10): syscalls, IPC, context switches, faults,
// IRQ delivery, capability operations. Every kind, with its arguments, is declared in
// abi/trace.json (TRACE_* in kernel-as/abi.ts).
//
// Tracing costs seven MMIO writes per record; boot argument `mlk.trace=0` turns it off (the
// benchmark does, to measure the kernel and not the trace device).

import { trace } from "../trace";
import { TRACE_SWITCH, TRACE_IPC_WORDS, TRACE_IPC_WORDS2, TRACE_IPC_WORDS_MORE } from "../abi";
import { Tcb, IPCBUF_MSG, MSG_MAX_WORDS, MSG_REG_WORDS } from "../object/structures";
import { ipcBuffer } from "./syscall";

export let traceOn = true;
export function setTraceOn(on: bool): void { traceOn = on; }

// @ts-ignore: decorator
@inline export function tidOf(a: u32): u32 { return a == 0 ? 0 : changetype<Tcb>(<usize>a).tid; }

export function traceSwitch(from: u32, to: u32): void {
  if (traceOn) trace(TRACE_SWITCH, tidOf(from), tidOf(to));
}

/**
 * The message words of thread `t`'s send or reply (X1 = info, X2..X5 = MR0..MR3), recorded right
 * after its IPC_SEND / IPC_REPLY record: IPC_WORDS when it has words, IPC_WORDS2 for more than two,
 * then words 4.. from its IPC buffer as IPC_WORDS_MORE (the ones the transfer copies: at most 64,
 * none when the buffer is not mapped).
 */
export function traceWords(t: u32): void {
  if (!traceOn || t == 0) return;
  let th = changetype<Tcb>(<usize>t);
  let len = <u32>(th.r1 & 0x7f);
  if (len == 0) return;
  trace(TRACE_IPC_WORDS, th.tid, len, <u32>th.r2, <u32>(th.r2 >> 32), <u32>th.r3, <u32>(th.r3 >> 32));
  if (len > 2) trace(TRACE_IPC_WORDS2, th.tid, len, <u32>th.r4, <u32>(th.r4 >> 32), <u32>th.r5, <u32>(th.r5 >> 32));
  if (len <= MSG_REG_WORDS) return;
  let b = ipcBuffer(t);
  if (b == 0) return;
  if (len > MSG_MAX_WORDS) len = MSG_MAX_WORDS;
  for (let i = MSG_REG_WORDS; i < len; i += 2) {
    let w0 = load<u64>(b + IPCBUF_MSG + (<usize>i << 3));
    let w1 = i + 1 < len ? load<u64>(b + IPCBUF_MSG + (<usize>(i + 1) << 3)) : 0;
    trace(TRACE_IPC_WORDS_MORE, th.tid, i, <u32>w0, <u32>(w0 >> 32), <u32>w1, <u32>(w1 >> 32));
  }
}

export function tr(kind: u32, a0: u32 = 0, a1: u32 = 0, a2: u32 = 0, a3: u32 = 0, a4: u32 = 0, a5: u32 = 0): void {
  if (traceOn) trace(kind, a0, a1, a2, a3, a4, a5);
}
