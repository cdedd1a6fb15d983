// ktrace.ts — trace records of the kernel core (D10): syscalls, IPC, context switches, faults,
// IRQ delivery, capability operations. The kinds extend kernel-as/trace.ts's table (0x10+) and
// are mirrored in kernel-as/trace-kinds.json.
//
// | kind | name      | args                                               |
// |------|-----------|----------------------------------------------------|
// | 0x10 | SYSCALL   | tid, nr, cptr, label, result                       |
// | 0x11 | IPC_SEND  | from_tid, to_tid (0 = queued), object, label, badge_lo, badge_hi |
// | 0x12 | IPC_RECV  | tid, from_tid, object, label, badge_lo, badge_hi   |
// | 0x13 | IPC_REPLY | from_tid, to_tid, label                             |
// | 0x14 | SWITCH    | from_tid, to_tid (0 = idle)                         |
// | 0x15 | FAULT     | tid, kind, addr_lo, addr_hi, code, handled         |
// | 0x16 | IRQ_USER  | irq, notification, woken_tid                        |
// | 0x17 | CAP_OP    | tid, method, slot, type, result                     |
// | 0x18 | SIGNAL    | from_tid, notification, badge_lo, woken_tid         |
// | 0x19 | FASTPATH  | from_tid, to_tid, label                             |
//
// Tracing costs seven MMIO writes per record; boot argument `mlk.trace=0` turns it off (the
// benchmark does, to measure the kernel and not the trace device).

import { trace } from "../trace";
import { Tcb } from "../object/structures";

export const TR_SYSCALL: u32 = 0x10;
export const TR_IPC_SEND: u32 = 0x11;
export const TR_IPC_RECV: u32 = 0x12;
export const TR_IPC_REPLY: u32 = 0x13;
export const TR_SWITCH: u32 = 0x14;
export const TR_FAULT: u32 = 0x15;
export const TR_IRQ_USER: u32 = 0x16;
export const TR_CAP_OP: u32 = 0x17;
export const TR_SIGNAL: u32 = 0x18;
export const TR_FASTPATH: u32 = 0x19;

export let traceOn = true;
export function setTraceOn(on: bool): void { traceOn = on; }

// @ts-ignore: decorator
@inline export function tidOf(a: u32): u32 { return a == 0 ? 0 : changetype<Tcb>(<usize>a).tid; }

export function traceSwitch(from: u32, to: u32): void {
  if (traceOn) trace(TR_SWITCH, tidOf(from), tidOf(to));
}

export function tr(kind: u32, a0: u32 = 0, a1: u32 = 0, a2: u32 = 0, a3: u32 = 0, a4: u32 = 0, a5: u32 = 0): void {
  if (traceOn) trace(kind, a0, a1, a2, a3, a4, a5);
}
