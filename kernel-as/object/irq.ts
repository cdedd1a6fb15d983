// irq.ts — IRQ control and IRQ handler capabilities (seL4 src/object/interrupt.c).
//
// IRQControl.Get(irq, slot) issues the one IRQHandler cap for an AIC line (RevokeFirst if taken).
// IRQHandler.SetNotification binds the line to a notification; the kernel's IRQ vector reads
// AIC EVENT (which masks the line) and signals that notification with the handler's badge bit;
// the driver handles the device and calls IRQHandler.Ack, which unmasks the line (AIC MASK_CLR).
// AIC registers: shared reference apple-m1.md §1.2 (MASK_SET 0x4100, MASK_CLR 0x4180, +4·(n/32)).
//
// Lines 0..MAX_IRQ-1 are AIC hardware IRQs. Line VTIMER_LINE (MAX_IRQ + 3, "FIQ 3" of the AIC
// binding: AIC_TMR_GUEST_VIRT) is the core's EL1 virtual timer, which Apple wires to FIQ like the
// physical timer the kernel ticks with. Its handler works like an AIC line — the FIQ vector masks
// it (CNTV_CTL.IMASK) and signals the notification — plus IRQHandler.SetDeadline(cval), which
// programs CNTV_CVAL and unmasks, and returns the counter. It is what the timer service runs on.

import { mmioWrite32 } from "../arch";
import { vtimerMask, vtimerUnmask, vtimerSetDeadline, vtimerDisable } from "../timer";
import { bi } from "../bootinfo";
import { T_NOTIFICATION, T_IRQ_HANDLER, T_NULL, R_WRITE, E_OK, E_RANGE, E_REVOKE_FIRST, E_INVALID_CAPABILITY,
  E_INSUFFICIENT_RIGHTS, E_DELETE_FIRST, E_TRUNCATED_MESSAGE, E_FAILED_LOOKUP, E_ILLEGAL_OPERATION,
  IRQ_CONTROL_GET, IRQ_HANDLER_SET_NOTIFICATION, IRQ_HANDLER_ACK, IRQ_HANDLER_CLEAR, IRQ_HANDLER_SET_DEADLINE,
  Invocation,
} from "./structures";
import { ntfn, sendSignal } from "./notification";
import { cte, cteInsert, lookupSlot } from "../kernel/cspace";
import { tr, tidOf } from "../kernel/ktrace";
import { TRACE_IRQ_USER } from "../abi";

export const MAX_IRQ: u32 = 1024;
/** The EL1 virtual timer's line: FIQ 3 (AIC_TMR_GUEST_VIRT) after the AIC's IRQ lines. */
export const VTIMER_LINE: u32 = MAX_IRQ + 3;
const MAX_LINES: u32 = MAX_IRQ + 4;
const AIC_MASK_SET: u64 = 0x4100;
const AIC_MASK_CLR: u64 = 0x4180;

// per line: bound notification (u32), handler cap count (u32)
const irqNtfn: usize = memory.data(<i32>MAX_LINES * 4, 4);
const irqCaps: usize = memory.data(<i32>MAX_LINES * 4, 4);
/** Reserved lines (the kernel's own: none today; the timer is a FIQ). */
function irqNotification(irq: u32): u32 { return load<u32>(irqNtfn + (<usize>irq << 2)); }
export function irqHandlerIssued(irq: u32): bool { return load<u32>(irqCaps + (<usize>irq << 2)) != 0; }

function nrIrq(): u32 { return bi.aicNrIrq != 0 ? bi.aicNrIrq : 896; }

/** Masks a line: the AIC's MASK_SET, or the virtual timer's IMASK. */
function lineMask(line: u32): void {
  if (line == VTIMER_LINE) vtimerMask(); else aicMask(line);
}
function lineUnmask(line: u32): void {
  if (line == VTIMER_LINE) vtimerUnmask(); else aicUnmask(line);
}

export function aicMask(irq: u32): void {
  if (bi.aicBase != 0) mmioWrite32(bi.aicBase + AIC_MASK_SET + (<u64>(irq >> 5) << 2), 1 << (irq & 31));
}
export function aicUnmask(irq: u32): void {
  if (bi.aicBase != 0) mmioWrite32(bi.aicBase + AIC_MASK_CLR + (<u64>(irq >> 5) << 2), 1 << (irq & 31));
}

/**
 * Called by the IRQ vector after AIC EVENT named `irq` (the line is now masked). Returns true when
 * a user handler owns the line (its notification was signalled); false = the kernel's own line.
 */
export function irqDeliver(irq: u32): bool {
  if (irq >= MAX_LINES || !irqHandlerIssued(irq)) return false;
  let n = irqNotification(irq);
  let woken: u32 = 0;
  if (n != 0) woken = sendSignal(n, ntfnIrqBadge(n), 0);
  tr(TRACE_IRQ_USER, irq, n, tidOf(woken)); // the trace contract names the woken thread by tid
  return true;
}

// The badge signalled for an IRQ: the badge of the notification cap given to SetNotification
// (recorded in the notification's irq field's neighbour). Kept simple: bit 0 unless recorded.
const irqBadge: usize = memory.data(<i32>MAX_LINES * 8, 8);
function ntfnIrqBadge(n: u32): u64 {
  let irq = ntfn(n).irq;
  if (irq < 0) return 1;
  let b = load<u64>(irqBadge + (<usize>irq << 3));
  return b != 0 ? b : 1;
}

/** The kernel's own console echo owns the UART RX line when no driver does (set at boot only
 *  when there is no init to start: otherwise bytes wait in the UART for the console driver). */
export let kernelEcho = false;
export function setKernelEcho(on: bool): void { kernelEcho = on; }

// ---- IRQControl ---------------------------------------------------------------------------------

/** IRQControl.Get: MR0 = irq, MR1 = destination slot (in the invoker's CSpace). */
export function decodeIrqControlInvocation(inv: Invocation): u64 {
  if (inv.length < 2) return E_TRUNCATED_MESSAGE;
  let irq = inv.mr0;
  let dest = lookupSlot(<usize>inv.thread, inv.mr1);
  if (inv.label != IRQ_CONTROL_GET) return E_ILLEGAL_OPERATION;
  if (irq >= <u64>nrIrq() && irq != <u64>VTIMER_LINE) return E_RANGE;
  if (<i32>irq == bi.dartIrq && bi.dartBase != 0) return E_ILLEGAL_OPERATION; // the kernel's own line
  if (dest == 0) return E_FAILED_LOOKUP;
  if (cte(dest).type != T_NULL) return E_DELETE_FIRST;
  if (irqHandlerIssued(<u32>irq)) return E_REVOKE_FIRST;
  invokeIrqControlGet(<u32>irq, dest);
  return E_OK;
}

function invokeIrqControlGet(irq: u32, dest: usize): void {
  cteInsert(dest, 0, T_IRQ_HANDLER, 0, 0, irq, 0);
  store<u32>(irqCaps + (<usize>irq << 2), 1);
}

/** A copy of an IRQHandler cap was made (CNode Copy / transfer). */
export function irqCapCopied(irq: u32): void {
  let p = irqCaps + (<usize>irq << 2);
  store<u32>(p, load<u32>(p) + 1);
}

/** An IRQHandler cap was deleted; the last one frees the line (masked, unbound). */
export function irqCapDeleted(irq: u32): void {
  let p = irqCaps + (<usize>irq << 2);
  let n = load<u32>(p);
  if (n > 0) n--;
  store<u32>(p, n);
  if (n == 0) {
    unbind(irq);
    if (irq == VTIMER_LINE) { vtimerDisable(); return; }
    // the console UART line goes back to the kernel's echo handler when it has one (no init);
    // otherwise it stays masked and input waits in the UART for the next console driver
    if (<i32>irq == bi.uartIrq && kernelEcho) aicUnmask(irq); else aicMask(irq);
  }
}

function unbind(irq: u32): void {
  let n = irqNotification(irq);
  if (n != 0) ntfn(n).irq = -1;
  store<u32>(irqNtfn + (<usize>irq << 2), 0);
  store<u64>(irqBadge + (<usize>irq << 3), 0);
}

/** The notification dies: lines bound to it are unbound (and stay masked). */
export function irqNotificationDeleted(n: u32): void {
  let irq = ntfn(n).irq;
  if (irq >= 0) { unbind(<u32>irq); lineMask(<u32>irq); }
}

// ---- IRQHandler ---------------------------------------------------------------------------------

/**
 * IRQHandler methods. `nc` = the notification cap passed as extra cap 0 (SetNotification);
 * SetDeadline takes MR0 = the counter value (CNTV_CVAL) and returns the counter now in out[0].
 */
export function decodeIrqHandlerInvocation(inv: Invocation): u64 {
  let irq = inv.cap.obj;
  let label = inv.label;
  if (label == IRQ_HANDLER_ACK) { lineUnmask(irq); return E_OK; }
  if (label == IRQ_HANDLER_CLEAR) { unbind(irq); lineMask(irq); return E_OK; }
  if (label == IRQ_HANDLER_SET_DEADLINE) {
    if (irq != VTIMER_LINE) return E_ILLEGAL_OPERATION; // only a timer has a deadline
    if (inv.length < 1) return E_TRUNCATED_MESSAGE;
    inv.out0 = vtimerSetDeadline(inv.mr0);
    return E_OK;
  }
  if (label != IRQ_HANDLER_SET_NOTIFICATION) return E_ILLEGAL_OPERATION;
  if (inv.extraCaps < 1) return E_TRUNCATED_MESSAGE;
  if (inv.extra0 == 0) return E_FAILED_LOOKUP;
  let c = cte(<usize>inv.extra0);
  if (c.type != T_NOTIFICATION) return E_INVALID_CAPABILITY;
  if ((c.rights & R_WRITE) == 0) return E_INSUFFICIENT_RIGHTS;
  let n = c.obj;
  if (ntfn(n).irq >= 0 && <u32>ntfn(n).irq != irq) return E_ILLEGAL_OPERATION; // one line per notification
  unbind(irq);
  store<u32>(irqNtfn + (<usize>irq << 2), n);
  store<u64>(irqBadge + (<usize>irq << 3), c.data);
  ntfn(n).irq = <i32>irq;
  if (irq != VTIMER_LINE) aicUnmask(irq); // the timer starts when its owner sets a deadline
  return E_OK;
}
