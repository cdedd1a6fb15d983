// ktrace.ts — trace records of the kernel core (D10): syscalls, IPC, context switches, faults,
// IRQ delivery, capability operations. The kinds extend kernel-as/trace.ts's table (0x10+) and
// are mirrored in kernel-as/trace-kinds.json.
//
// The kinds (0x10–0x19) are declared in kernel-as/trace.ts with the boot kinds.
//
// Tracing costs seven MMIO writes per record; boot argument `mlk.trace=0` turns it off (the
// benchmark does, to measure the kernel and not the trace device).

import {
  trace, TRACE_SYSCALL, TRACE_IPC_SEND, TRACE_IPC_RECV, TRACE_IPC_REPLY, TRACE_SWITCH, TRACE_FAULT,
  TRACE_IRQ_USER, TRACE_CAP_OP, TRACE_SIGNAL, TRACE_FASTPATH, TRACE_IPC_WORDS, TRACE_IPC_WORDS2, TRACE_THREAD_EXIT,
  TRACE_IPC_WORDS_MORE,
} from "../trace";
import { Tcb, IPCBUF_MSG, MSG_MAX_WORDS, MSG_REG_WORDS } from "../object/structures";
import { ipcBuffer } from "./syscall";

export const TR_SYSCALL: u32 = TRACE_SYSCALL;
export const TR_IPC_SEND: u32 = TRACE_IPC_SEND;
export const TR_IPC_RECV: u32 = TRACE_IPC_RECV;
export const TR_IPC_REPLY: u32 = TRACE_IPC_REPLY;
export const TR_SWITCH: u32 = TRACE_SWITCH;
export const TR_FAULT: u32 = TRACE_FAULT;
export const TR_IRQ_USER: u32 = TRACE_IRQ_USER;
export const TR_CAP_OP: u32 = TRACE_CAP_OP;
export const TR_SIGNAL: u32 = TRACE_SIGNAL;
export const TR_FASTPATH: u32 = TRACE_FASTPATH;
export const TR_THREAD_EXIT: u32 = TRACE_THREAD_EXIT;

export let traceOn = true;
export function setTraceOn(on: bool): void { traceOn = on; }

// @ts-ignore: decorator
@inline export function tidOf(a: u32): u32 { return a == 0 ? 0 : changetype<Tcb>(<usize>a).tid; }

export function traceSwitch(from: u32, to: u32): void {
  if (traceOn) trace(TR_SWITCH, tidOf(from), tidOf(to));
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
