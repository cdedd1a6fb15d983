// endpoint.ts — synchronous IPC rendezvous (seL4 src/object/endpoint.c).
//
// An endpoint holds a FIFO queue of blocked threads, never data: all senders (state SEND) or all
// receivers (state RECV). The message stays in the blocked sender's registers and IPC buffer until
// a receiver arrives; the badge and the rights of the cap it used are recorded in its TCB.

import {
  Endpoint, EP_IDLE, EP_SEND, EP_RECV, TS_BLOCKED_SEND, TS_BLOCKED_RECV, IF_CALL, IF_GRANT, IF_FAULT,
  E_OK, E_WOULD_BLOCK, E_CANCELLED, REG_X0,
} from "./structures";
import { tcb, setBlocked, makeReady } from "../kernel/thread";
import { doIPCTransfer, setupCallerCap, completeSend } from "../kernel/ipc";
import { tr, traceWords, tidOf } from "../kernel/ktrace";
import { TRACE_IPC_SEND, TRACE_IPC_RECV } from "../abi";
import { notificationPendingForRecv } from "./notification";
import { tqAppend, tqRemove } from "../kernel/tqueue";

// @ts-ignore: decorator
@inline export function ep(a: u32): Endpoint { return changetype<Endpoint>(<usize>a); }

/** Appends thread t to the queue of e. */
export function epAppend(e: u32, t: u32): void {
  tqAppend(<usize>e + offsetof<Endpoint>("qHead"), t);
}

/** Removes thread t from the queue of e; the endpoint goes idle when the queue empties. */
export function epRemove(e: u32, t: u32): void {
  tqRemove(<usize>e + offsetof<Endpoint>("qHead"), t);
  if (ep(e).qHead == 0) ep(e).state = EP_IDLE;
}

/**
 * Send (or Call) from thread t on endpoint e with the badge and Grant right of the cap used.
 * A waiting receiver gets the message at once; otherwise a blocking send queues t. A Call leaves t
 * blocked on the reply. Returns E_OK or E_WOULD_BLOCK (non-blocking send, nobody waiting).
 * Precondition: rights were checked by the caller.
 */
export function sendIPC(blocking: bool, isCall: bool, badge: u64, canGrant: bool, t: u32, e: u32): u64 {
  let x = ep(e);
  if (x.state == EP_RECV) {
    let r = x.qHead;
    epRemove(e, r);
    tr(TRACE_IPC_SEND, tidOf(t), tidOf(r), e, <u32>(tcb(t).r1 >> 12), <u32>badge, <u32>(badge >> 32));
    traceWords(t);
    doIPCTransfer(t, badge, canGrant, r, e);
    makeReady(r);
    if (isCall) setupCallerCap(t, r, canGrant);
    else completeSend(t);
    return E_OK;
  }
  if (!blocking) return E_WOULD_BLOCK;
  let th = tcb(t);
  th.blockBadge = badge;
  th.ipcFlags = (isCall ? IF_CALL : 0) | (canGrant ? IF_GRANT : 0);
  th.blockedOn = e;
  setBlocked(t, TS_BLOCKED_SEND);
  epAppend(e, t);
  x.state = EP_SEND;
  tr(TRACE_IPC_SEND, tidOf(t), 0, e, <u32>(th.r1 >> 12), <u32>badge, <u32>(badge >> 32));
  traceWords(t);
  return E_OK;
}

/** Queues a faulting thread on its fault endpoint (IF_FAULT: the message is built from its TCB). */
export function sendFaultIPC(t: u32, e: u32, badge: u64, canGrant: bool): void {
  let x = ep(e);
  if (x.state == EP_RECV) {
    let r = x.qHead;
    epRemove(e, r);
    tcb(t).ipcFlags = IF_FAULT | IF_CALL;
    doIPCTransfer(t, badge, false, r, e);
    makeReady(r);
    setupCallerCap(t, r, canGrant);
    return;
  }
  let th = tcb(t);
  th.blockBadge = badge;
  th.ipcFlags = IF_FAULT | IF_CALL | (canGrant ? IF_GRANT : 0);
  th.blockedOn = e;
  setBlocked(t, TS_BLOCKED_SEND);
  epAppend(e, t);
  x.state = EP_SEND;
}

/**
 * Receive on endpoint e by thread t. A pending signal on t's bound notification is taken first.
 * Returns E_OK (message delivered, or t now blocked) or E_WOULD_BLOCK (non-blocking, nothing there).
 */
export function receiveIPC(t: u32, e: u32, blocking: bool): u64 {
  if (notificationPendingForRecv(t)) return E_OK;
  let x = ep(e);
  if (x.state == EP_SEND) {
    let s = x.qHead;
    epRemove(e, s);
    let st = tcb(s);
    let flags = st.ipcFlags;
    tr(TRACE_IPC_RECV, tidOf(t), tidOf(s), e, (flags & IF_FAULT) != 0 ? st.faultKind : <u32>(st.r1 >> 12), <u32>st.blockBadge, <u32>(st.blockBadge >> 32));
    doIPCTransfer(s, st.blockBadge, (flags & IF_GRANT) != 0, t, e);
    if ((flags & IF_CALL) != 0) setupCallerCap(s, t, (flags & IF_GRANT) != 0);
    else { completeSend(s); makeReady(s); }
    return E_OK;
  }
  if (!blocking) return E_WOULD_BLOCK;
  let th = tcb(t);
  th.blockedOn = e;
  setBlocked(t, TS_BLOCKED_RECV);
  epAppend(e, t);
  x.state = EP_RECV;
  tr(TRACE_IPC_RECV, tidOf(t), 0, e);
  return E_OK;
}

/** Takes a blocked thread off its endpoint queue (suspend, delete, notification delivery). */
export function cancelEndpointIPC(t: u32): void {
  let th = tcb(t);
  if (th.blockedOn != 0) epRemove(th.blockedOn, t);
  th.ipcFlags = 0;
}

/** The endpoint is being destroyed: every queued thread wakes with E_CANCELLED. */
export function endpointCancelAll(e: u32): void {
  let x = ep(e);
  while (x.qHead != 0) {
    let t = x.qHead;
    epRemove(e, t);
    let th = tcb(t);
    let wasFault = (th.ipcFlags & IF_FAULT) != 0;
    th.ipcFlags = 0;
    if (wasFault) {
      // a faulting thread whose handler endpoint vanished stays stopped
      setBlocked(t, 7 /* TS_FAULTED */);
      continue;
    }
    store<u64>(<usize>t + (<usize>REG_X0 << 3), E_CANCELLED);
    th.state = 0;
    makeReady(t);
  }
  x.state = EP_IDLE;
}
