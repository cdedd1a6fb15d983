// tcb.ts — thread control blocks: creation, suspension, finalisation and the TCB methods
// (seL4 src/object/tcb.c). decodeTcbInvocation checks everything; the invoke* helpers cannot fail.

import {
  T_CNODE, T_VSPACE, T_FRAME, T_ENDPOINT, T_NOTIFICATION, R_READ, R_WRITE, TS_INACTIVE, TS_READY,
  TS_BLOCKED_SEND, TS_BLOCKED_RECV, TS_BLOCKED_REPLY, TS_BLOCKED_NTFN, TS_FAULTED, TS_EXITED, TS_CTABLE,
  TS_VTABLE, TS_IPCBUF, TS_FAULTEP, TCB_NSLOTS, TCB_NAME, TCB_NAME_LEN, tcbSlot, reg, setReg, E_OK, E_RANGE,
  E_ILLEGAL_OPERATION, E_INVALID_CAPABILITY, E_TRUNCATED_MESSAGE, E_FAILED_LOOKUP, E_INSUFFICIENT_RIGHTS,
  E_ALIGNMENT, REG_SPLIM, TCB_CONFIGURE, TCB_SET_PRIORITY, TCB_RESUME, TCB_SUSPEND, TCB_WRITE_REGISTERS,
  TCB_READ_REGISTERS, TCB_BIND_NOTIFICATION, TCB_UNBIND_NOTIFICATION, TCB_SET_FAULT_HANDLER, TCB_SET_NAME, TCB_GET_INFO,
  CF_MAPPED, IF_FAULT, Invocation, CTE_BYTES,
} from "./structures";
import { tcb, allocTid, makeReady, MAX_PRIO, schedDequeue, threadGone, TIMESLICE } from "../kernel/thread";
import { cte, cteInsert, cteDelete } from "../kernel/cspace";
import { cancelEndpointIPC } from "./endpoint";
import { USER_VA_LIMIT } from "./vspace";
import { cancelSignalWait, ntfn } from "./notification";

/** Fresh TCB in zeroed memory. */
export function tcbInitObject(a: u32): void {
  let t = tcb(a);
  t.state = TS_INACTIVE;
  t.tid = allocTid();
  t.prio = 0;
  t.mcp = 0;
  t.slice = TIMESLICE;
}

export function setName(a: u32, s: string): void {
  let p = <usize>a + TCB_NAME;
  memory.fill(p, 0, TCB_NAME_LEN);
  let n = min(s.length, TCB_NAME_LEN - 1);
  for (let i = 0; i < n; i++) store<u8>(p + i, <u8>s.charCodeAt(i));
}

/**
 * Stops thread a: takes it off whatever queue it is on and cancels its pending IPC; an awaited
 * reply cap is destroyed. The thread ends in `state` (INACTIVE, FAULTED or EXITED).
 */
export function tcbSuspendTo(a: u32, state: u32): void {
  let t = tcb(a);
  // Suspend interrupting a blocking syscall (not a fault message): it runs again on Resume, as
  // seL4's Restart state does; its arguments are still in X0..X7.
  if (state == TS_INACTIVE && t.state >= TS_BLOCKED_SEND && t.state <= TS_BLOCKED_NTFN && (t.ipcFlags & IF_FAULT) == 0) t.restart = 1;
  switch (t.state) {
    case TS_BLOCKED_SEND: case TS_BLOCKED_RECV: cancelEndpointIPC(a); break;
    case TS_BLOCKED_NTFN: cancelSignalWait(a); break;
    case TS_BLOCKED_REPLY: {
      if (t.replySlot != 0) memory.fill(<usize>t.replySlot, 0, CTE_BYTES);
      t.replySlot = 0;
      break;
    }
    case TS_READY: schedDequeue(a); break;
  }
  t.ipcFlags = 0;
  t.blockedOn = 0;
  t.state = state;
}

/** The last cap to the TCB is gone: stop it, unbind, delete its own slots. */
export function tcbFinalise(a: u32): void {
  tcbSuspendTo(a, TS_INACTIVE);
  let t = tcb(a);
  if (t.boundNtfn != 0) { ntfn(t.boundNtfn).boundTcb = 0; t.boundNtfn = 0; }
  for (let i: u32 = 0; i < TCB_NSLOTS; i++) cteDelete(changetype<usize>(tcbSlot(<usize>a, i)));
  threadGone(a);
}

/** True when the thread has what it needs to run: a CSpace root and an address space. */
function tcbRunnable(a: u32): bool {
  return tcbSlot(<usize>a, TS_CTABLE).type == T_CNODE && tcbSlot(<usize>a, TS_VTABLE).type == T_VSPACE;
}

/** Copies the cap in `src` into TCB slot `i` (replacing what is there) as its CDT child. */
function setSlot(a: u32, i: u32, src: usize): void {
  let s = changetype<usize>(tcbSlot(<usize>a, i));
  cteDelete(s);
  if (src == 0) return;
  let c = cte(src);
  cteInsert(s, src, c.type, c.rights, c.flags & ~CF_MAPPED, c.obj, (c.flags & CF_MAPPED) != 0 && c.type == T_FRAME ? 0 : c.data);
}

/** TCB methods on the TCB the invoked cap names (`target`); `invoker` is the calling thread. */
export function decodeTcbInvocation(inv: Invocation): u64 {
  let target = inv.cap.obj;
  let invoker = inv.thread;
  let t = tcb(target);
  let len = inv.length, nExtra = inv.extraCaps;
  let mr0 = inv.mr0, mr1 = inv.mr1, mr2 = inv.mr2, mr3 = inv.mr3;
  let x0 = <usize>inv.extra0, x1 = <usize>inv.extra1, x2 = <usize>inv.extra2;
  switch (<u32>inv.label) {
    case <u32>TCB_CONFIGURE: {
      // extra caps: 0 CNode, 1 VSpace, 2 IPC-buffer frame (optional); MR1 = IPC buffer VA, MR2 = priority
      if (nExtra < 2) return E_TRUNCATED_MESSAGE;
      if (x0 == 0 || x1 == 0) return E_FAILED_LOOKUP;
      if (cte(x0).type != T_CNODE || cte(x1).type != T_VSPACE) return E_INVALID_CAPABILITY;
      if (nExtra >= 3) {
        if (x2 == 0) return E_FAILED_LOOKUP;
        if (cte(x2).type != T_FRAME) return E_INVALID_CAPABILITY; // never a device frame (invariant 7)
        if ((mr1 & 0xfff) != 0) return E_ALIGNMENT;
        if (mr1 >= USER_VA_LIMIT) return E_RANGE; // could never be mapped: refuse it now
      }
      if (mr2 > <u64>tcb(invoker).mcp) return E_RANGE;
      if (target == invoker) return E_ILLEGAL_OPERATION;
      setSlot(target, TS_CTABLE, x0);
      setSlot(target, TS_VTABLE, x1);
      if (nExtra >= 3) {
        setSlot(target, TS_IPCBUF, x2);
        t.ipcBufPa = <u64>cte(x2).obj << 12;
        t.ipcBufVa = mr1;
      }
      setPriority(target, <u32>mr2);
      return E_OK;
    }
    case <u32>TCB_SET_PRIORITY: {
      if (len < 1) return E_TRUNCATED_MESSAGE;
      if (mr0 > <u64>MAX_PRIO || mr0 > <u64>tcb(invoker).mcp) return E_RANGE;
      let mcp = tcb(target).mcp;
      setPriority(target, <u32>mr0);
      tcb(target).mcp = mcp; // as in seL4, SetPriority leaves the maximum controlled priority alone
      return E_OK;
    }
    case <u32>TCB_RESUME: {
      if (!tcbRunnable(target)) return E_ILLEGAL_OPERATION;
      let s = t.state;
      if (s == TS_INACTIVE || s == TS_FAULTED || s == TS_EXITED) {
        t.faultKind = 0;
        makeReady(target);
      }
      return E_OK;
    }
    case <u32>TCB_SUSPEND: {
      tcbSuspendTo(target, TS_INACTIVE);
      return E_OK;
    }
    case <u32>TCB_WRITE_REGISTERS: {
      // MR0 = first register, MR1..MR3 = values (len - 1 of them). Only the architectural slots
      // 0..16 may be written, with any value (the EL0 core checks them when it resumes the thread);
      // the engine-private slots 17..31 never. The range test is written so it cannot wrap.
      if (len < 2) return E_TRUNCATED_MESSAGE;
      let n = min(len - 1, 3);
      if (mr0 > <u64>REG_SPLIM || <u64>n > <u64>(REG_SPLIM + 1) - mr0) return E_RANGE;
      if (target == invoker) return E_ILLEGAL_OPERATION;
      let first = <u32>mr0; // < 17 here
      setReg(<usize>target, first, mr1);
      if (n > 1) setReg(<usize>target, first + 1, mr2);
      if (n > 2) setReg(<usize>target, first + 2, mr3);
      t.restart = 0; // new registers: the thread goes on from them, no interrupted syscall reruns
      return E_OK;
    }
    case <u32>TCB_READ_REGISTERS: {
      // MR0 = first register (0..16): MR0..MR3 of the reply = that register and the next three,
      // 0 past slot 16 (engine-private slots are never read).
      if (len < 1) return E_TRUNCATED_MESSAGE;
      if (mr0 > <u64>REG_SPLIM) return E_RANGE;
      let first = <u32>mr0;
      inv.out0 = reg(<usize>target, first);
      inv.out1 = first + 1 <= REG_SPLIM ? reg(<usize>target, first + 1) : 0;
      inv.out2 = first + 2 <= REG_SPLIM ? reg(<usize>target, first + 2) : 0;
      inv.out3 = first + 3 <= REG_SPLIM ? reg(<usize>target, first + 3) : 0;
      return E_OK;
    }
    case <u32>TCB_BIND_NOTIFICATION: {
      if (nExtra < 1) return E_TRUNCATED_MESSAGE;
      if (x0 == 0) return E_FAILED_LOOKUP;
      let c = cte(x0);
      if (c.type != T_NOTIFICATION) return E_INVALID_CAPABILITY;
      if ((c.rights & R_READ) == 0) return E_INSUFFICIENT_RIGHTS;
      if (t.boundNtfn != 0 || ntfn(c.obj).boundTcb != 0) return E_ILLEGAL_OPERATION;
      t.boundNtfn = c.obj;
      ntfn(c.obj).boundTcb = target;
      return E_OK;
    }
    case <u32>TCB_UNBIND_NOTIFICATION: {
      if (t.boundNtfn == 0) return E_ILLEGAL_OPERATION;
      ntfn(t.boundNtfn).boundTcb = 0;
      t.boundNtfn = 0;
      return E_OK;
    }
    case <u32>TCB_SET_FAULT_HANDLER: {
      // x0 = the endpoint cap (extra cap 0), or none to clear
      if (nExtra >= 1) {
        if (x0 == 0) return E_FAILED_LOOKUP;
        if (cte(x0).type != T_ENDPOINT) return E_INVALID_CAPABILITY;
        if ((cte(x0).rights & R_WRITE) == 0) return E_INSUFFICIENT_RIGHTS;
      }
      setSlot(target, TS_FAULTEP, nExtra >= 1 ? x0 : 0);
      return E_OK;
    }
    case <u32>TCB_SET_NAME: {
      let p = <usize>target + TCB_NAME;
      memory.fill(p, 0, TCB_NAME_LEN);
      store<u64>(p, mr0);
      store<u64>(p + 8, mr1);
      store<u64>(p + 16, mr2 & 0x00ff_ffff_ffff_ffff);
      return E_OK;
    }
    case <u32>TCB_GET_INFO: {
      // What the holder of the TCB cap may know of its thread, so a supervisor names threads by
      // the kernel's id and reports their real state (ps): MR0 tid, MR1 state (TS_*), MR2
      // priority, MR3 CPU time in counter ticks. A read only, like ReadRegisters.
      inv.out0 = <u64>t.tid;
      inv.out1 = <u64>t.state;
      inv.out2 = <u64>t.prio;
      inv.out3 = t.cpuTicks;
      return E_OK;
    }
  }
  return E_ILLEGAL_OPERATION;
}

/** Changes priority, moving a READY thread to its new level. */
export function setPriority(a: u32, p: u32): void {
  let t = tcb(a);
  if (t.state == TS_READY) {
    schedDequeue(a);
    t.prio = p;
    t.state = TS_INACTIVE;
    makeReady(a);
  } else t.prio = p;
  t.mcp = p;
}
