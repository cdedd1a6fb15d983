// syscall.ts — the system-call table and capability invocation (seL4 src/api/syscall.c,
// src/fastpath/fastpath.c). One handler shape: the current thread `t` in, results written to its
// saved registers (X0 = error code, X1 = message info, X2..X5 = MR0..MR3, X6 = badge).
//
// Every error is returned as a code; only an undefined syscall number (and exit) becomes a fault.
// See docs/SYSCALLS.md for the ABI.

import { DRAM_BASE } from "../arch";
import * as con from "../console";
import {
  Tcb, T_NULL, T_UNTYPED, T_ENDPOINT, T_NOTIFICATION, T_REPLY, T_TCB, T_CNODE, T_VSPACE, T_FRAME,
  T_DEVICE_FRAME, T_IRQ_CONTROL, T_IRQ_HANDLER, T_BOOT_IMAGE, T_IO_SPACE, R_READ, R_WRITE, R_GRANT, EP_RECV,
  EP_SEND, TS_CTABLE, TS_VTABLE, TS_CALLER, TS_BLOCKED_RECV, IF_FAULT, tcbSlot, msgInfo, miLabel, miLength,
  miExtraCaps, IPCBUF_CAPS, MSG_REG_WORDS, E_OK, E_INVALID_CAPABILITY, E_INSUFFICIENT_RIGHTS,
  E_INVALID_ARGUMENT, E_RANGE, SYS_CALL, SYS_SEND, SYS_NBSEND, SYS_RECV, SYS_NBRECV, SYS_REPLY, SYS_REPLY_RECV,
  SYS_YIELD, SYS_EXIT, SYS_DEBUG_PUTCHAR, SYS_DEBUG_PUTS, SYS_DEBUG_DUMP_CAPS, SYS_DEBUG_NAME, SYS_COUNT,
  F_UNKNOWN_SYSCALL, F_EXIT, TCB_NAME, typeName, Invocation, CTE_BYTES,
} from "../object/structures";
import { tcb, schedYield, highestReady, directSwitch, setBlocked } from "./thread";
import { cte, lookupCap, lookupError, cteDelete } from "./cspace";
import { sendIPC, receiveIPC, ep, epRemove, epAppend } from "../object/endpoint";
import { sendSignal, receiveSignal, ntfn } from "../object/notification";
import { doReply, setupCallerCap } from "./ipc";
import { decodeCNodeInvocation } from "../object/cnode";
import { decodeUntypedInvocation } from "../object/untyped";
import { decodeTcbInvocation } from "../object/tcb";
import { decodeFrameInvocation } from "../object/frame";
import { decodeIrqControlInvocation, decodeIrqHandlerInvocation } from "../object/irq";
import { decodeIoSpaceInvocation } from "../object/iospace";
import { decodeBootImageInvocation } from "../object/bootimage";
import { userFault } from "./fault";
import { translate, decodeVSpaceInvocation, USER_VA_LIMIT } from "../object/vspace";
import { tr, traceOn, traceWords } from "./ktrace";
import { TRACE_SYSCALL, TRACE_CAP_OP, TRACE_FASTPATH, TRACE_IPC_SEND, TRACE_IPC_RECV, TRACE_IPC_REPLY } from "../abi";

/** The one Invocation record, refilled for every method call (static memory: nothing is allocated). */
const invocation = changetype<Invocation>(memory.data(<i32>offsetof<Invocation>(), 8));

/** Counters for introspection / bench. */
export let syscalls: u64 = 0;
export let fastpaths: u64 = 0;

// @ts-ignore: decorator
@inline function vsOf(t: u32): usize {
  let v = tcbSlot(<usize>t, TS_VTABLE);
  return v.type == T_VSPACE ? <usize>v.obj : 0;
}

/**
 * The thread's IPC buffer as a kernel linear address, or 0. The page is looked up in the thread's
 * own address space every time, so a buffer that was unmapped or whose VSpace died is never used.
 */
export function ipcBuffer(t: u32): usize {
  let th = tcb(t);
  if (th.ipcBufVa == 0) return 0;
  let vs = vsOf(t);
  if (vs == 0) return 0;
  let pa = translate(vs, th.ipcBufVa, true);
  return pa == 0 ? 0 : <usize>(pa - DRAM_BASE);
}

/** Slot of extra cap i of t's message (CPtr in its IPC buffer), 0 when absent / invalid. */
function extraCap(t: u32, i: u32): usize {
  let b = ipcBuffer(t);
  if (b == 0) return 0;
  return lookupCap(<usize>t, load<u64>(b + IPCBUF_CAPS + (<usize>i << 3)));
}

/** Entry point for SVC #0: dispatches on X7. */
export function handleSyscall(t: u32): void {
  let th = tcb(t);
  // X7 above 32 bits is an undefined number, not cut down to a defined one
  let nr = th.r7 > <u64>SYS_COUNT ? SYS_COUNT : <u32>th.r7;
  syscalls++;
  if (traceOn) tr(TRACE_SYSCALL, th.tid, nr, <u32>th.r0, <u32>(th.r1 >> 12));
  switch (nr) {
    case SYS_CALL: if (!fastpathCall(t)) handleInvocation(t, true, true); break;
    case SYS_SEND: handleInvocation(t, false, true); break;
    case SYS_NBSEND: handleInvocation(t, false, false); break;
    case SYS_RECV: handleRecv(t, true); break;
    case SYS_NBRECV: handleRecv(t, false); break;
    case SYS_REPLY: handleReply(t); th.r0 = E_OK; break;
    case SYS_REPLY_RECV: if (!fastpathReplyRecv(t)) { handleReply(t); handleRecv(t, true); } break;
    case SYS_YIELD: th.r0 = E_OK; schedYield(); break;
    case SYS_EXIT: userFault(t, F_EXIT, th.r0, 0, th.r0); break;
    case SYS_DEBUG_PUTCHAR: con.putc(<u32>th.r0 & 0xff); th.r0 = E_OK; break;
    case SYS_DEBUG_PUTS: th.r0 = debugPuts(t, th.r0, th.r1); break;
    case SYS_DEBUG_DUMP_CAPS: dumpCaps(t); th.r0 = E_OK; break;
    case SYS_DEBUG_NAME: {
      let p = <usize>t + TCB_NAME;
      store<u64>(p, th.r0);
      store<u64>(p + 8, th.r1);
      store<u64>(p + 16, th.r2 & 0x00ff_ffff_ffff_ffff);
      th.r0 = E_OK;
      break;
    }
    default: userFault(t, F_UNKNOWN_SYSCALL, th.r7, 0, th.r7);
  }
}

/** Send / NBSend / Call on the cap in X0. */
function handleInvocation(t: u32, isCall: bool, blocking: bool): void {
  let th = tcb(t);
  let s = lookupCap(<usize>t, th.r0);
  if (s == 0) { setResult(th, lookupError, 0); return; }
  let c = cte(s);
  let mi = th.r1;
  switch (c.type) {
    case T_ENDPOINT: {
      if ((c.rights & R_WRITE) == 0) { setResult(th, E_INSUFFICIENT_RIGHTS, 0); return; }
      let grant = (c.rights & R_GRANT) != 0;
      if (miExtraCaps(mi) > 0 && !grant) { setResult(th, E_INSUFFICIENT_RIGHTS, 0); return; }
      let e = sendIPC(blocking, isCall, c.data, grant, t, c.obj);
      if (e != E_OK) setResult(th, e, 0);
      return;
    }
    case T_NOTIFICATION: {
      if ((c.rights & R_WRITE) == 0) { setResult(th, E_INSUFFICIENT_RIGHTS, 0); return; }
      sendSignal(c.obj, c.data, t);
      setResult(th, E_OK, 0);
      return;
    }
    case T_REPLY: {
      doReply(t, s);
      setResult(th, E_OK, 0);
      return;
    }
  }
  // a kernel object: decode and perform the method, reply at once
  let inv = invocation;
  let nExtra = miExtraCaps(mi);
  inv.label = miLabel(mi);
  inv.length = miLength(mi);
  inv.mr0 = th.r2; inv.mr1 = th.r3; inv.mr2 = th.r4; inv.mr3 = th.r5;
  inv.thread = t;
  inv.slot = <u32>s;
  inv.extraCaps = nExtra;
  inv.extra0 = nExtra > 0 ? <u32>extraCap(t, 0) : 0;
  inv.extra1 = nExtra > 1 ? <u32>extraCap(t, 1) : 0;
  inv.extra2 = nExtra > 2 ? <u32>extraCap(t, 2) : 0;
  inv.out0 = 0; inv.out1 = 0; inv.out2 = 0; inv.out3 = 0;
  let e = decodeInvocation(inv, c.type);
  if (traceOn) tr(TRACE_CAP_OP, th.tid, <u32>inv.label, <u32>th.r0, c.type, <u32>e);
  th.r0 = e;
  th.r1 = msgInfo(e, 0, 0, 4);
  th.r2 = inv.out0;
  th.r3 = inv.out1;
  th.r4 = inv.out2;
  th.r5 = inv.out3;
}

// @ts-ignore: decorator
@inline function setResult(th: Tcb, e: u64, label: u64): void {
  th.r0 = e;
  th.r1 = msgInfo(label, 0, 0, 0);
}

/** Hands a method call to the decoder of the invoked object's type (seL4 decodeInvocation). */
function decodeInvocation(inv: Invocation, type: u8): u64 {
  switch (type) {
    case T_UNTYPED: return decodeUntypedInvocation(inv);
    case T_CNODE: return decodeCNodeInvocation(inv);
    case T_TCB: return decodeTcbInvocation(inv);
    case T_FRAME: case T_DEVICE_FRAME: return decodeFrameInvocation(inv);
    case T_VSPACE: return decodeVSpaceInvocation(inv);
    case T_IRQ_CONTROL: return decodeIrqControlInvocation(inv);
    case T_IRQ_HANDLER: return decodeIrqHandlerInvocation(inv);
    case T_BOOT_IMAGE: return decodeBootImageInvocation(inv);
    case T_IO_SPACE: return decodeIoSpaceInvocation(inv);
  }
  return E_INVALID_CAPABILITY;
}

/** Recv / NBRecv on the endpoint or notification in X0. */
function handleRecv(t: u32, blocking: bool): void {
  let th = tcb(t);
  let s = lookupCap(<usize>t, th.r0);
  if (s == 0) { setResult(th, lookupError, 0); return; }
  let c = cte(s);
  if (c.type == T_ENDPOINT) {
    if ((c.rights & R_READ) == 0) { setResult(th, E_INSUFFICIENT_RIGHTS, 0); return; }
    // an unanswered caller from the previous receive is cancelled (seL4 deleteCallerCap)
    let cs = changetype<usize>(tcbSlot(<usize>t, TS_CALLER));
    if (cte(cs).type != T_NULL) cteDelete(cs);
    let e = receiveIPC(t, c.obj, blocking);
    if (e != E_OK) setResult(th, e, 0);
    return;
  }
  if (c.type == T_NOTIFICATION) {
    if ((c.rights & R_READ) == 0) { setResult(th, E_INSUFFICIENT_RIGHTS, 0); return; }
    let e = receiveSignal(t, c.obj, blocking);
    if (e != E_OK) th.r0 = e;
    return;
  }
  setResult(th, E_INVALID_CAPABILITY, 0);
}

/** Reply through the hidden caller slot (nothing happens when it is empty, as in seL4). */
function handleReply(t: u32): void {
  let cs = changetype<usize>(tcbSlot(<usize>t, TS_CALLER));
  if (cte(cs).type == T_REPLY) doReply(t, cs);
}

// ---- fastpath (seL4 fastpath_call / fastpath_reply_recv) ----------------------------------------

/**
 * Call on an endpoint with a receiver waiting, ≤ 4 words, no caps, and the receiver would be the
 * highest-priority runnable thread: copy the registers and switch to it directly.
 */
function fastpathCall(t: u32): bool {
  let th = tcb(t);
  let mi = th.r1;
  if ((mi & 0x1ff) > MSG_REG_WORDS) return false; // extraCaps != 0 or length > 4
  let s = lookupCap(<usize>t, th.r0);
  if (s == 0) return false;
  let c = cte(s);
  if (c.type != T_ENDPOINT || (c.rights & R_WRITE) == 0) return false;
  let e = ep(c.obj);
  if (e.state != EP_RECV) return false;
  let r = e.qHead;
  let rt = tcb(r);
  if (highestReady() > <i32>rt.prio) return false;
  if (vsOf(r) == 0) return false;
  epRemove(c.obj, r);
  rt.r0 = E_OK;
  rt.r1 = (mi & ~(<u64>0xfff)) | (mi & 0x7f);
  rt.r2 = th.r2;
  rt.r3 = th.r3;
  rt.r4 = th.r4;
  rt.r5 = th.r5;
  rt.r6 = c.data;
  setupCallerCap(t, r, (c.rights & R_GRANT) != 0);
  directSwitch(r);
  fastpaths++;
  if (traceOn) {
    tr(TRACE_IPC_SEND, th.tid, rt.tid, c.obj, <u32>(mi >> 12), <u32>c.data, <u32>(c.data >> 32));
    traceWords(t);
    tr(TRACE_FASTPATH, th.tid, rt.tid, <u32>(mi >> 12));
  }
  return true;
}

/**
 * ReplyRecv where the caller waits for a normal reply, ≤ 4 words, no caps, no sender queued on the
 * receive endpoint, no pending bound signal, and the caller would be the highest-priority runnable.
 */
function fastpathReplyRecv(t: u32): bool {
  let th = tcb(t);
  let mi = th.r1;
  if ((mi & 0x1ff) > MSG_REG_WORDS) return false;
  let cs = changetype<usize>(tcbSlot(<usize>t, TS_CALLER));
  let rc = cte(cs);
  if (rc.type != T_REPLY) return false;
  let callerA = rc.obj;
  let ct = tcb(callerA);
  if ((ct.ipcFlags & IF_FAULT) != 0) return false;
  let s = lookupCap(<usize>t, th.r0);
  if (s == 0) return false;
  let c = cte(s);
  if (c.type != T_ENDPOINT || (c.rights & R_READ) == 0) return false;
  let e = ep(c.obj);
  if (e.state == EP_SEND) return false;
  if (th.boundNtfn != 0 && ntfn(th.boundNtfn).word != 0) return false;
  if (highestReady() > <i32>ct.prio) return false;
  if (vsOf(callerA) == 0) return false;
  // reply
  memory.fill(cs, 0, CTE_BYTES);
  ct.replySlot = 0;
  ct.ipcFlags = 0;
  ct.r0 = E_OK;
  ct.r1 = (mi & ~(<u64>0xfff)) | (mi & 0x7f);
  ct.r2 = th.r2;
  ct.r3 = th.r3;
  ct.r4 = th.r4;
  ct.r5 = th.r5;
  ct.r6 = 0;
  // receive: block on the endpoint
  th.blockedOn = c.obj;
  setBlocked(t, TS_BLOCKED_RECV);
  epAppend(c.obj, t);
  e.state = EP_RECV;
  directSwitch(callerA);
  fastpaths++;
  if (traceOn) {
    tr(TRACE_IPC_REPLY, th.tid, ct.tid, <u32>(mi >> 12));
    traceWords(t);
    tr(TRACE_IPC_RECV, th.tid, 0, c.obj);
    tr(TRACE_FASTPATH, th.tid, ct.tid, <u32>(mi >> 12));
  }
  return true;
}

// ---- debug syscalls ---------------------------------------------------------------------------

/** DebugPuts(X0 = va, X1 = len ≤ 4096): prints user bytes; E_INVALID_ARGUMENT if not mapped. */
function debugPuts(t: u32, va: u64, len: u64): u64 {
  if (len > 4096) return E_RANGE;
  if (va >= USER_VA_LIMIT || len > USER_VA_LIMIT - va) return E_INVALID_ARGUMENT; // va + i must not wrap
  let vs = vsOf(t);
  if (vs == 0) return E_INVALID_ARGUMENT;
  for (let i: u64 = 0; i < len; i++) {
    let pa = translate(vs, va + i, false);
    if (pa == 0) return E_INVALID_ARGUMENT;
    con.putc(<u32>load<u8>(<usize>(pa - DRAM_BASE)));
  }
  return E_OK;
}

/** Prints the thread's non-empty CSpace slots. */
export function dumpCaps(t: u32): void {
  let root = tcbSlot(<usize>t, TS_CTABLE);
  con.str("caps of thread "); con.dec(tcb(t).tid); con.newline();
  if (root.type != T_CNODE) return;
  let n: u32 = 1 << <u32>root.data;
  for (let i: u32 = 1; i < n; i++) {
    let c = cte(<usize>root.obj + (<usize>i << 5));
    if (c.type == T_NULL) continue;
    con.str("  slot "); con.dec(i); con.str(": "); con.str(typeName(c.type));
    con.str(" obj "); con.hexs(c.obj); con.str(" rights ");
    con.putc((c.rights & R_READ) != 0 ? 82 : 45);
    con.putc((c.rights & R_WRITE) != 0 ? 87 : 45);
    con.putc((c.rights & R_GRANT) != 0 ? 71 : 45);
    if (c.data != 0) { con.str(" data "); con.hexs(c.data); }
    con.newline();
  }
}
