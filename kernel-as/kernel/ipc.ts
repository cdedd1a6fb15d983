// ipc.ts — moving a message between two threads, one-shot reply capabilities, and replies
// (seL4 src/kernel/thread.c doIPCTransfer / doReplyTransfer / setupCallerCap).
//
// Register convention on delivery (docs/SYSCALLS.md): X0 = 0 (E_OK), X1 = message info,
// X2..X5 = MR0..MR3, X6 = badge. Words 4.. of a longer message go from the sender's IPC buffer to
// the receiver's. A fault message is built from the faulting thread's TCB.

import { DEBUG, CTE_BYTES } from "../object/structures";
import {
  Cte, T_REPLY, T_ENDPOINT, T_NULL, T_UNTYPED, T_IRQ_CONTROL, R_GRANT, TS_CALLER, tcbSlot, IF_FAULT,
  TS_BLOCKED_REPLY, TS_FAULTED, msgInfo, miLabel, miLength, miExtraCaps, IPCBUF_MSG, IPCBUF_CAPS,
  IPCBUF_RECV_SLOT, MSG_MAX_WORDS, MSG_REG_WORDS, E_OK, E_CANCELLED, TS_EXITED, F_EXIT, F_VM,
} from "../object/structures";
import { tcb, setBlocked, makeReady } from "./thread";
import { cte, lookupCap, lookupSlot, cteInsert, cteDelete } from "./cspace";
import { tr, traceWords, tidOf } from "./ktrace";
import { TRACE_IPC_REPLY } from "../abi";
import { ipcBuffer } from "./syscall";
import { deriveCap } from "../object/cnode";


/** Copies the message of `s` (badge, grant as recorded) to receiver `r` and sets r's registers. */
export function doIPCTransfer(s: u32, badge: u64, canGrant: bool, r: u32, e: u32): void {
  let st = tcb(s);
  let rt = tcb(r);
  if ((st.ipcFlags & IF_FAULT) != 0) {
    // fault message: label = fault kind, MR0 = address/exit code, MR1 = ESR or trap code,
    // MR2 = PC, MR3 = faulting thread id
    rt.r0 = E_OK;
    rt.r1 = msgInfo(<u64>st.faultKind, 0, 0, 4);
    rt.r2 = st.faultAddr;
    rt.r3 = st.faultKind == F_VM ? st.faultEsr : st.faultCode;
    rt.r4 = st.faultPc;
    rt.r5 = <u64>st.tid;
    rt.r6 = badge;
    return;
  }
  let mi = st.r1;
  let len = miLength(mi);
  if (len > MSG_MAX_WORDS) len = MSG_MAX_WORDS;
  let nCaps = miExtraCaps(mi);
  let sb: usize = 0;
  let rb: usize = 0;
  if (len > MSG_REG_WORDS || nCaps > 0) {
    sb = ipcBuffer(s);
    rb = ipcBuffer(r);
    if (sb == 0 || rb == 0) { if (len > MSG_REG_WORDS) len = MSG_REG_WORDS; nCaps = 0; }
  }
  rt.r2 = st.r2;
  rt.r3 = st.r3;
  rt.r4 = st.r4;
  rt.r5 = st.r5;
  if (len > MSG_REG_WORDS) {
    memory.copy(rb + IPCBUF_MSG + (MSG_REG_WORDS << 3), sb + IPCBUF_MSG + (MSG_REG_WORDS << 3), (len - MSG_REG_WORDS) << 3);
  }
  let extra: u32 = 0;
  let unwrapped: u32 = 0;
  if (nCaps > 0 && canGrant) {
    let used = false;
    for (let i: u32 = 0; i < nCaps; i++) {
      let cptr = load<u64>(sb + IPCBUF_CAPS + (i << 3));
      let src = lookupCap(<usize>s, cptr);
      if (src == 0) break;
      let c = cte(src);
      if (c.type == T_ENDPOINT && c.obj == e && c.data != 0) {
        // a cap to the endpoint itself travels as its badge ("unwrapped")
        store<u64>(rb + IPCBUF_CAPS + (i << 3), c.data);
        unwrapped |= 1 << i;
        extra = i + 1;
        continue;
      }
      if (used || !derivable(c)) break;
      let dptr = load<u64>(rb + IPCBUF_RECV_SLOT);
      let dest: usize = dptr == 0 ? 0 : lookupSlot(<usize>r, dptr);
      if (dest == 0 || cte(dest).type != T_NULL) break;
      deriveCap(dest, src, c.rights, 0);
      used = true;
      extra = i + 1;
    }
  }
  rt.r0 = E_OK;
  rt.r1 = msgInfo(miLabel(mi), unwrapped, extra, len);
  rt.r6 = badge;
}

/** Caps that may be copied (CNode Copy/Mint, IPC transfer). Untyped, reply and IRQ control may not. */
export function derivable(c: Cte): bool {
  return c.type != T_NULL && c.type != T_UNTYPED && c.type != T_REPLY && c.type != T_IRQ_CONTROL;
}

/** A completed send: the sender's syscall returns E_OK. */
export function completeSend(s: u32): void {
  let st = tcb(s);
  st.r0 = E_OK;
  st.ipcFlags = 0;
}

/**
 * After a Call was received: the caller waits for the reply, and the receiver holds a one-shot
 * reply cap to it in its hidden CALLER slot (an unanswered earlier caller there is cancelled).
 */
export function setupCallerCap(caller: u32, receiver: u32, canGrant: bool): void {
  setBlocked(caller, TS_BLOCKED_REPLY);
  tcb(caller).blockedOn = 0;
  let slot = tcbSlot(<usize>receiver, TS_CALLER);
  let sa = changetype<usize>(slot);
  if (slot.type != T_NULL) cteDelete(sa);
  cteInsert(sa, 0, T_REPLY, canGrant ? R_GRANT : 0, 0, caller, 0);
  tcb(caller).replySlot = <u32>sa;
}

/**
 * Reply through the reply cap in slot `rs` from thread `s`: the caller gets s's message (or, for a
 * fault, is restarted when the label is 0 and left stopped otherwise). Consumes the cap.
 * Returns the caller (now READY, or stopped).
 */
export function doReply(s: u32, rs: usize): u32 {
  let rc = cte(rs);
  let c = rc.obj;
  let canGrant = (rc.rights & R_GRANT) != 0;
  memory.fill(rs, 0, CTE_BYTES);
  let ct = tcb(c);
  ct.replySlot = 0;
  if (DEBUG) assert(ct.state == TS_BLOCKED_REPLY, "doReply: caller not waiting for a reply");
  let st = tcb(s);
  tr(TRACE_IPC_REPLY, tidOf(s), tidOf(c), <u32>(st.r1 >> 12));
  if ((ct.ipcFlags & IF_FAULT) == 0) traceWords(s);
  if ((ct.ipcFlags & IF_FAULT) != 0) {
    ct.ipcFlags = 0;
    if (miLabel(st.r1) == 0 && ct.faultKind != F_EXIT) { ct.faultKind = 0; makeReady(c); }
    else setBlocked(c, ct.faultKind == F_EXIT ? TS_EXITED : TS_FAULTED);
    return c;
  }
  ct.ipcFlags = 0;
  doIPCTransfer(s, 0, canGrant, c, 0);
  makeReady(c);
  return c;
}

/**
 * A reply cap is deleted without a reply (server died, slot overwritten, caller's cap revoked):
 * the caller's Call returns E_CANCELLED; a thread waiting on a fault reply stays stopped.
 */
export function replyCapDeleted(caller: u32, slot: usize): void {
  let ct = tcb(caller);
  if (ct.state != TS_BLOCKED_REPLY || ct.replySlot != <u32>slot) return;
  ct.replySlot = 0;
  if ((ct.ipcFlags & IF_FAULT) != 0) {
    ct.ipcFlags = 0;
    setBlocked(caller, ct.faultKind == F_EXIT ? TS_EXITED : TS_FAULTED);
    return;
  }
  ct.r0 = E_CANCELLED;
  ct.r1 = 0;
  makeReady(caller);
}
