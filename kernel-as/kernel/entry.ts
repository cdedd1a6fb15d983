// entry.ts — kernel entry and exit for the kernel core (seL4 src/arch/arm/64/c_traps.c).
//
// Every exception from EL0 starts with enterFromUser(): the EL0 register file is stored in the
// current TCB (ctx_save) and its PC taken from ELR_EL1. Every entry ends with kernelExit(): the
// scheduler picks a thread, its address space is installed, its registers loaded (ctx_restore),
// ELR_EL1/SPSR_EL1 set, and ERET; with nothing to run, the kernel unmasks interrupts and WFIs.
//
// main.ts's vector() calls, per offset:
//   0x400 sync from EL0     enterFromUser(); handleSyncFromUser(); kernelExit()
//   0x480/0x500 IRQ/FIQ EL0 enterFromUser(); <interrupt work>; kernelExit()
//   0x280/0x300 from idle   <interrupt work>; kernelExit()

import {
  mrs, msr, ctxSave, ctxRestore, eret, wfi, SYSREG_ELR_EL1, SYSREG_ESR_EL1, SYSREG_FAR_EL1, SYSREG_SPSR_EL1,
  SYSREG_DAIF, DRAM_BASE, esrEc, EC_SVC64, EC_DABT_LOW, EC_IABT_LOW, EC_UNKNOWN,
} from "../arch";
import {
  F_VM, F_USER_EXCEPTION, F_EXIT, F_UNKNOWN_SYSCALL, TS_VTABLE, TS_FAULTED, T_VSPACE, tcbSlot, SVC_SYSCALL, SVC_EXIT,
} from "../object/structures";
import { cur, tcb, schedule } from "./thread";
import { tcbSuspendTo } from "../object/tcb";
import * as con from "../console";
import { handleSyscall } from "./syscall";
import { userFault, setVmDetail, dropCaller } from "./fault";
import { demandFault, VMF_RESOLVED } from "../object/vspace";
import { kiCheckAfterEntry, checkEnabled } from "./check";
import { tr, traceOn } from "./ktrace";
import { TRACE_FAULT } from "../abi";

/** Kernel entries from EL0 (introspection / bench). */
export let entries: u64 = 0;
let fromUser = false;
/** The thread whose return PC is in ELR_EL1 since the exception entry, and that PC. */
let elrThread: u32 = 0;
let elrPc: u64 = 0;

/** Saves the current thread's EL0 state into its TCB. */
export function enterFromUser(): void {
  entries++;
  fromUser = true;
  let t = cur;
  if (t == 0) return;
  // The saved PC (slot 8) is the preferred return address: the core stores ELR_EL1 there on an
  // exception (for a fault before the first instruction, the "enter function" PC it resumed at).
  ctxSave(DRAM_BASE + <u64>t);
  elrThread = t;
  elrPc = tcb(t).r8;
}

/** Entry from the idle loop (IRQ/FIQ at EL1): nothing to save. */
export function enterFromIdle(): void {
  fromUser = false;
  elrThread = 0;
}

/** Synchronous exception from EL0: syscall, abort, WebAssembly trap, exit. */
export function handleSyncFromUser(): void {
  let t = cur;
  if (t == 0) return;
  let esr = mrs(SYSREG_ESR_EL1);
  let ec = esrEc(esr);
  if (ec == EC_SVC64) {
    let imm = <u32>esr & 0xffff;
    if (imm == SVC_SYSCALL) { handleSyscall(t); return; }
    if (imm == SVC_EXIT) { userFault(t, F_EXIT, tcb(t).r0, esr, tcb(t).r0); return; }
    userFault(t, F_UNKNOWN_SYSCALL, <u64>imm, esr, <u64>imm); // an import other than mlk.svc
    return;
  }
  if (ec == EC_DABT_LOW || ec == EC_IABT_LOW) {
    let far = mrs(SYSREG_FAR_EL1);
    let vs = tcbSlot(<usize>t, TS_VTABLE);
    let r: u32 = 1;
    if (vs.type == T_VSPACE) r = demandFault(<usize>vs.obj, far, <u32>esr & 0x3f, ec == EC_DABT_LOW && (esr & (1 << 6)) != 0);
    if (r == VMF_RESOLVED) { // retry the instruction
      if (traceOn) tr(TRACE_FAULT, tcb(t).tid, F_VM, <u32>far, <u32>(far >> 32), <u32>esr, 2);
      return;
    }
    setVmDetail(r);
    userFault(t, F_VM, far, esr, <u64>(esr & 0x3f));
    return;
  }
  // EC 0x00: a WebAssembly trap, ISS = trap code; anything else is a user exception too
  userFault(t, F_USER_EXCEPTION, 0, esr, ec == EC_UNKNOWN ? <u64>(esr & 0x1ffffff) : <u64>ec);
}

/** Chooses the next thread and leaves the kernel (ERET, or WFI when idle). */
export function kernelExit(): void {
  let next = schedule();
  // A thread whose address space capability was deleted (revoked) cannot run: stop it rather
  // than let it run on a stale TTBR0. A thread whose blocking syscall was interrupted by Suspend
  // runs that syscall again now (seL4's Restart state); it may block again.
  while (next != 0) {
    if (tcbSlot(<usize>next, TS_VTABLE).type != T_VSPACE) lostVSpace(next);
    else if (tcb(next).restart != 0) { tcb(next).restart = 0; handleSyscall(next); }
    else break;
    next = schedule();
  }
  if (checkEnabled) kiCheckAfterEntry();
  if (next == 0) {
    msr(SYSREG_DAIF, 0); // take the next interrupt in the idle loop
    wfi();
    return;
  }
  let t = tcb(next);
  // ERET returns to ELR_EL1: rewrite it only when it does not already hold this thread's PC
  if (next != elrThread || t.r8 != elrPc) msr(SYSREG_ELR_EL1, t.r8);
  if (!fromUser) msr(SYSREG_SPSR_EL1, 0); // EL0t, DAIF clear
  ctxRestore(DRAM_BASE + <u64>next);
  eret();
}

function lostVSpace(t: u32): void {
  con.str("thread "); con.dec(tcb(t).tid); con.line(" stopped: its address space was deleted");
  tcbSuspendTo(t, TS_FAULTED);
  dropCaller(t); // it cannot run again until reconfigured: its caller must not wait on it
}
