// fault.ts — user faults (seL4 src/kernel/faulthandler.c). A synchronous exception from EL0 that
// is not a syscall and not resolved by demand paging becomes a fault of the thread: it is sent as
// a Call-like message to the thread's fault-handler endpoint (TCB slot FAULTEP), or — with no
// handler — the thread stops (FAULTED, or EXITED for an exit) and the console gets one line:
//   thread 4 (fs) faulted: data abort at 0x… (translation fault L3, write)
//
// Fault message (label = kind): MR0 = address (VM) / syscall number / exit code, MR1 = ESR or trap
// code (exit: the exit code), MR2 = PC, MR3 = thread id; badge = the fault endpoint cap's badge.

import * as con from "../console";
import { T_ENDPOINT, T_NULL, R_WRITE, R_GRANT, TS_FAULTEP, TS_CALLER, TS_FAULTED, TS_EXITED, TCB_NAME, tcbSlot,
  F_VM, F_UNKNOWN_SYSCALL, F_USER_EXCEPTION, F_EXIT,
} from "../object/structures";
import { tcb, setBlocked } from "./thread";
import { sendFaultIPC } from "../object/endpoint";
import { cte, cteDelete } from "./cspace";
import { tr } from "./ktrace";
import { TRACE_FAULT, TRACE_THREAD_EXIT } from "../abi";
import { fscName, fscHasLevel, esrEc, EC_DABT_LOW, EC_IABT_LOW, EC_UNKNOWN, ecName } from "../arch";
import { VMF_GUARD, VMF_NO_MEMORY, VMF_NO_REGION, VMF_QUOTA } from "../object/vspace";

/** Extra detail for a VM fault report (VMF_* from demandFault). */
let vmDetail: u32 = 0;
export function setVmDetail(d: u32): void { vmDetail = d; }

/** Total faults (introspection). */
export let faultCount: u64 = 0;

/**
 * Records and delivers a fault of thread t (the current thread). kind = F_*, addr = FAR / syscall
 * number / exit code, esr = ESR_EL1 (0 if none), code = trap code / exit code.
 */
export function userFault(t: u32, kind: u32, addr: u64, esr: u64, code: u64): void {
  let th = tcb(t);
  th.faultKind = kind;
  th.faultAddr = addr;
  th.faultEsr = esr;
  th.faultCode = code;
  th.faultPc = th.r8;
  if (kind != F_EXIT) { th.faults++; faultCount++; }
  let fep = tcbSlot(<usize>t, TS_FAULTEP);
  let handled = fep.type == T_ENDPOINT && (fep.rights & R_WRITE) != 0;
  // an exit is not a fault: it has its own record and is not counted
  if (kind == F_EXIT) tr(TRACE_THREAD_EXIT, th.tid, <u32>code);
  else tr(TRACE_FAULT, th.tid, kind, <u32>addr, <u32>(addr >> 32), <u32>code, handled ? 1 : 0);
  // an exit is final even with a handler (its reply cannot restart it), and with no handler
  // nobody restarts the thread: either way it will not answer the Call it received
  if (kind == F_EXIT || !handled) dropCaller(t);
  if (handled) {
    sendFaultIPC(t, fep.obj, fep.data, (fep.rights & R_GRANT) != 0);
    return;
  }
  report(t);
  setBlocked(t, kind == F_EXIT ? TS_EXITED : TS_FAULTED);
}

/**
 * Thread t stops for good: the reply cap in its hidden CALLER slot is deleted, so its caller's Call
 * returns Cancelled instead of waiting forever (as when a server's TCB is deleted). A thread whose
 * fault goes to a handler keeps the cap: the handler may restart it and it may still reply.
 * Reply caps moved out with CNode SaveCaller belong to that CNode and stay.
 */
export function dropCaller(t: u32): void {
  let cs = changetype<usize>(tcbSlot(<usize>t, TS_CALLER));
  if (cte(cs).type != T_NULL) cteDelete(cs);
}

function printName(t: u32): void {
  let th = tcb(t);
  con.str("thread "); con.dec(th.tid); con.str(" (");
  let p = <usize>t + TCB_NAME;
  let n = 0;
  while (n < 23 && load<u8>(p + n) != 0) {
    let c = <u32>load<u8>(p + n);
    con.putc(c >= 32 && c < 127 ? c : 63); // names are user data: printable ASCII only
    n++;
  }
  if (n == 0) con.str("?");
  con.str(")");
}

/** The one-line console report of an unhandled fault. */
export function report(t: u32): void {
  let th = tcb(t);
  printName(t);
  let kind = th.faultKind;
  if (kind == F_EXIT) {
    con.str(" exited (code "); con.dec(th.faultCode); con.str(")"); con.newline();
    return;
  }
  con.str(" faulted: ");
  if (kind == F_VM) {
    let ec = esrEc(th.faultEsr);
    con.str(ec == EC_IABT_LOW ? "instruction abort at " : "data abort at ");
    con.hexs(th.faultAddr);
    let fsc = <u32>th.faultEsr & 0x3f;
    con.str(" (");
    if (vmDetail == VMF_GUARD) con.str("stack guard page: stack overflow");
    else if (vmDetail == VMF_NO_MEMORY) con.str("out of memory for demand paging");
    else if (vmDetail == VMF_QUOTA) con.str("memory quota of its address space exhausted");
    else {
      con.str(fscName(fsc));
      if (fscHasLevel(fsc)) { con.str(" L"); con.dec(fsc & 3); }
      if (vmDetail == VMF_NO_REGION && fsc >= 4 && fsc <= 7) con.str(", no region");
    }
    if (ec == EC_DABT_LOW) con.str((th.faultEsr & (1 << 6)) != 0 ? ", write" : ", read");
    con.str(")");
  } else if (kind == F_UNKNOWN_SYSCALL) {
    con.str("undefined syscall "); con.dec(th.faultAddr);
  } else if (kind == F_USER_EXCEPTION) {
    let ec = esrEc(th.faultEsr);
    if (ec == EC_UNKNOWN) { con.str("WebAssembly trap: "); con.str(trapName(<u32>th.faultCode)); }
    else { con.str(ecName(ec)); }
  } else {
    con.str("fault "); con.dec(kind);
  }
  con.str(" at pc "); con.hexs(th.faultPc);
  con.newline();
}

/** Trap codes of the EL0 core (hw/el0/traps.ts). */
function trapName(code: u32): string {
  switch (code) {
    case 1: return "unreachable";
    case 2: return "integer divide by zero";
    case 3: return "integer overflow";
    case 4: return "invalid conversion to integer";
    case 5: return "undefined element";
    case 6: return "uninitialized element";
    case 7: return "indirect call type mismatch";
    case 8: return "call stack exhausted";
    case 9: return "invalid program image";
    case 10: return "out of bounds memory access";
    case 11: return "out of bounds table access";
    case 12: return "invalid register state";
    case 13: return "internal error in the EL0 core";
  }
  return "unknown trap";
}
