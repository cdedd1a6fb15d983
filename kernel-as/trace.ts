// trace.ts — kernel trace records written to the trace-ring device ("mlk,trace-ring", D10).
//
// Device protocol (see hw/trace.ts): write up to six 32-bit arguments to ARG0..ARG5
// (offsets 0x10..0x24), then write the record kind to KIND (0x0C); the KIND write commits the
// record (the machine stamps it with the counter). Unused arguments are written as 0.
//
// Record kinds. kernel-as/trace-kinds.json mirrors this table for the UI and the CLI; keep both
// in sync by hand (tests/kernel/trace-kinds.test.ts checks it). One line per kind, in the form
//   export const TRACE_<NAME>: u32 = <kind>; // args: <arg0>, <arg1>, ...
//
// | kind | name       | args                                     | when                        |
// |------|------------|------------------------------------------|-----------------------------|
// | 0x01 | BOOT_STAGE | stage (BOOT_* below)                     | each boot step completes    |
// | 0x02 | IRQ        | irq (AIC number)                         | AIC EVENT delivered an IRQ  |
// | 0x03 | TICK       | ticks_lo, ticks_hi                       | timer FIQ handled           |
// | 0x04 | PANIC      | vector, esr, elr_lo, elr_hi, far_lo, far_hi | before halt()            |
// | 0x05 | UART_RX    | bytes                                    | UART RX interrupt drained   |
// | 0x06 | DART_FAULT | stream, code, iova_lo, iova_hi, error    | DART IRQ: a DMA was refused |
// | 0x10 | SYSCALL    | tid, nr, cptr, label                     | kernel core (kernel/ktrace) |
// | 0x11 | IPC_SEND   | from_tid, to_tid, endpoint, label, badge | kernel core (kernel/ktrace) |
// | 0x12 | IPC_RECV   | tid, from_tid, endpoint, label, badge_lo | kernel core (kernel/ktrace) |
// | 0x13 | IPC_REPLY  | from_tid, to_tid, label                  | kernel core (kernel/ktrace) |
// | 0x14 | SWITCH     | from_tid, to_tid                         | kernel core (kernel/ktrace) |
// | 0x15 | FAULT      | tid, kind, addr_lo, addr_hi, code, handl | kernel core (kernel/ktrace) |
//   handled: 0 = no handler (thread stopped), 1 = sent to the fault handler, 2 = resolved by demand
//   paging (kind = F_VM, code = ESR_EL1: EC, WnR bit 6, DFSC)
// | 0x16 | IRQ_USER   | irq, notification, woken_tid             | kernel core (kernel/ktrace) |
// | 0x17 | CAP_OP     | tid, method, cptr, type, result          | kernel core (kernel/ktrace) |
// | 0x18 | SIGNAL     | from_tid, notification, badge_lo, woken_ | kernel core (kernel/ktrace) |
// | 0x19 | FASTPATH   | from_tid, to_tid, label                  | kernel core (kernel/ktrace) |
// | 0x1a | IPC_WORDS  | from_tid, length, mr0_lo/hi, mr1_lo/hi   | after IPC_SEND / IPC_REPLY  |
// | 0x1b | IPC_WORDS2 | from_tid, length, mr2_lo/hi, mr3_lo/hi   | after IPC_WORDS, length > 2 |
// | 0x1c | THREAD_EXIT | tid, code                               | a thread exits (not a fault) |
// | 0x1d | IPC_WORDS_MORE | from_tid, index, w0_lo/hi, w1_lo/hi  | after IPC_WORDS2, length > 4 |
//
// IPC_WORDS / IPC_WORDS2 carry the message words MR0..MR3 of the send or reply recorded just
// before them by the same thread (length = the message's word count; only words < length are
// meaningful). Messages of length 0 have none. A longer message's words 4..length−1 (from the
// sender's IPC buffer, at most 64 words in all) follow as IPC_WORDS_MORE records, two words each,
// `index` = the message index of w0 (4, 6, 8, …) — so strings passed in the buffer can be decoded.
// A sender without a mapped IPC buffer has its message cut to four words, and no IPC_WORDS_MORE.

import { mmioWrite32 } from "./arch";

export const TRACE_BOOT_STAGE: u32 = 0x01; // args: stage
export const TRACE_IRQ: u32 = 0x02; // args: irq
export const TRACE_TICK: u32 = 0x03; // args: ticks_lo, ticks_hi
export const TRACE_PANIC: u32 = 0x04; // args: vector, esr, elr_lo, elr_hi, far_lo, far_hi
export const TRACE_UART_RX: u32 = 0x05; // args: bytes
export const TRACE_DART_FAULT: u32 = 0x06; // args: stream, code, iova_lo, iova_hi, error
export const TRACE_SYSCALL: u32 = 0x10; // args: tid, nr, cptr, label
export const TRACE_IPC_SEND: u32 = 0x11; // args: from_tid, to_tid, endpoint, label, badge_lo, badge_hi
export const TRACE_IPC_RECV: u32 = 0x12; // args: tid, from_tid, endpoint, label, badge_lo, badge_hi
export const TRACE_IPC_REPLY: u32 = 0x13; // args: from_tid, to_tid, label
export const TRACE_SWITCH: u32 = 0x14; // args: from_tid, to_tid
export const TRACE_FAULT: u32 = 0x15; // args: tid, kind, addr_lo, addr_hi, code, handled
export const TRACE_IRQ_USER: u32 = 0x16; // args: irq, notification, woken_tid
export const TRACE_CAP_OP: u32 = 0x17; // args: tid, method, cptr, type, result
export const TRACE_SIGNAL: u32 = 0x18; // args: from_tid, notification, badge_lo, woken_tid
export const TRACE_FASTPATH: u32 = 0x19; // args: from_tid, to_tid, label
export const TRACE_IPC_WORDS: u32 = 0x1a; // args: from_tid, length, mr0_lo, mr0_hi, mr1_lo, mr1_hi
export const TRACE_IPC_WORDS2: u32 = 0x1b; // args: from_tid, length, mr2_lo, mr2_hi, mr3_lo, mr3_hi
export const TRACE_THREAD_EXIT: u32 = 0x1c; // args: tid, code
export const TRACE_IPC_WORDS_MORE: u32 = 0x1d; // args: from_tid, index, w0_lo, w0_hi, w1_lo, w1_hi

// Boot stages (argument of TRACE_BOOT_STAGE), in boot order.
export const BOOT_ENTRY: u32 = 0; // kmain entered (recorded once the ring is known)
export const BOOT_FDT: u32 = 1; // device tree parsed
export const BOOT_CONSOLE: u32 = 2; // UART console registered
export const BOOT_MEMORY: u32 = 3; // memory map computed
export const BOOT_FRAMES: u32 = 4; // frame allocator ready
export const BOOT_HEAP: u32 = 5; // kernel heap ready
export const BOOT_VECTORS: u32 = 6; // VBAR_EL1 written
export const BOOT_AIC: u32 = 7; // AIC initialised
export const BOOT_TIMER: u32 = 8; // tick armed
export const BOOT_INIT: u32 = 9; // kernel core: pool, initial process
export const BOOT_IDLE: u32 = 10; // interrupts unmasked, first kernel exit (init or idle)

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
