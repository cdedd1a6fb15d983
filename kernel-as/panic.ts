// panic.ts — the end of the line: print why (with ESR/ELR/FAR decoded), trace it, halt().
//
// Contract: panic*() stop the machine via halt(); they return to their caller only so that the
// current kernel entry can unwind. Callers return immediately after calling them.
// kabort() is AssemblyScript's abort() (asconfig "use": abort=…/kabort): it must not return,
// so after halt() it traps; the machine is already halted and keeps the first report.

import {
  mrs, halt, SYSREG_ESR_EL1, SYSREG_ELR_EL1, SYSREG_FAR_EL1, SYSREG_SPSR_EL1,
  esrEc, esrIss, esrFsc, ecName, fscName, fscHasLevel, EC_DABT_CUR, EC_DABT_LOW, EC_IABT_CUR,
  EC_IABT_LOW, EC_SVC64, ESR_WNR,
} from "./arch";
import { str, hex, hexs, dec, newline, line, setStamping } from "./console";
import { trace } from "./trace";
import { TRACE_PANIC, KHALT_PANIC, KHALT_ABORT, KHALT_NO_CONSOLE } from "./abi";
import { timerTicks } from "./timer";

/** halt() codes (abi/syscalls.json) */
const HALT_PANIC = KHALT_PANIC;
const HALT_ABORT = KHALT_ABORT;
export const HALT_NO_CONSOLE = KHALT_NO_CONSOLE;

let panicking = false;

function header(reason: string): void {
  setStamping(true);
  newline();
  str("Kernel panic - not syncing: ");
  line(reason);
}

function footer(reason: string): void {
  str("---[ end Kernel panic - not syncing: ");
  str(reason);
  line(" ]---");
}

/** Panics with the exception registers of the current entry (sync vectors, unexpected vectors). */
export function panicException(reason: string, vector: u32): void {
  if (panicking) { halt(HALT_PANIC); return; }
  panicking = true;
  let esr = mrs(SYSREG_ESR_EL1);
  let elr = mrs(SYSREG_ELR_EL1);
  let far = mrs(SYSREG_FAR_EL1);
  let spsr = mrs(SYSREG_SPSR_EL1);
  header(reason);
  let ec = esrEc(esr);
  str("  vector "); hex(vector, 3); str(" ("); str(vectorName(vector)); line(")");
  str("  EC "); hex(ec, 2); str(": "); str(ecName(ec));
  str(", IL "); dec((esr >> 25) & 1); str(", ISS "); hex(esrIss(esr), 7); newline();
  if (ec == EC_DABT_CUR || ec == EC_DABT_LOW || ec == EC_IABT_CUR || ec == EC_IABT_LOW) {
    let fsc = esrFsc(esr);
    str(ec == EC_DABT_CUR || ec == EC_DABT_LOW ? "  DFSC " : "  IFSC ");
    hex(fsc, 2); str(": "); str(fscName(fsc));
    if (fscHasLevel(fsc)) { str(", level "); dec(fsc & 3); }
    if (ec == EC_DABT_CUR || ec == EC_DABT_LOW) str((<u32>esr & ESR_WNR) != 0 ? ", write" : ", read");
    newline();
  } else if (ec == EC_SVC64) {
    str("  SVC #"); hexs(<u64>(esrIss(esr) & 0xffff)); newline();
  }
  str("  ESR_EL1: "); hex(esr); str("  ELR_EL1: "); hex(elr); newline();
  str("  FAR_EL1: "); hex(far); str("  SPSR_EL1: "); hex(spsr); newline();
  str("  ticks: "); dec(timerTicks()); newline();
  footer(reason);
  trace(TRACE_PANIC, vector, <u32>esr, <u32>elr, <u32>(elr >> 32), <u32>far, <u32>(far >> 32));
  halt(HALT_PANIC);
}

/** Panics for a reason that is not an exception (a broken invariant found by the kernel). */
export function panic(reason: string): void {
  if (panicking) { halt(HALT_PANIC); return; }
  panicking = true;
  header(reason);
  str("  ticks: "); dec(timerTicks()); newline();
  footer(reason);
  trace(TRACE_PANIC, 0xffffffff);
  halt(HALT_PANIC);
}

/** Panic with one number attached ("reason: 0x…"). */
export function panicValue(reason: string, v: u64): void {
  if (panicking) { halt(HALT_PANIC); return; }
  panicking = true;
  header(reason);
  str("  value: "); hex(v); newline();
  str("  ticks: "); dec(timerTicks()); newline();
  footer(reason);
  trace(TRACE_PANIC, 0xffffffff, <u32>v, <u32>(v >> 32));
  halt(HALT_PANIC);
}

/** AssemblyScript abort(): a failed assert or a runtime check inside the kernel. */
export function kabort(message: string | null, fileName: string | null, lineNumber: u32, columnNumber: u32): void {
  if (!panicking) {
    panicking = true;
    header("kernel assertion failed");
    str("  ");
    if (message !== null) str(message); else str("abort");
    newline();
    str("  at ");
    if (fileName !== null) str(fileName); else str("?");
    str(":"); dec(lineNumber); str(":"); dec(columnNumber); newline();
    footer("kernel assertion failed");
    trace(TRACE_PANIC, 0xfffffffe, lineNumber, columnNumber);
  }
  halt(HALT_ABORT);
  unreachable();
}

function vectorName(v: u32): string {
  switch (v) {
    case 0x000: return "sync from EL1t";
    case 0x080: return "IRQ from EL1t";
    case 0x100: return "FIQ from EL1t";
    case 0x180: return "SError from EL1t";
    case 0x200: return "sync from EL1";
    case 0x280: return "IRQ from EL1";
    case 0x300: return "FIQ from EL1";
    case 0x380: return "SError from EL1";
    case 0x400: return "sync from EL0";
    case 0x480: return "IRQ from EL0";
    case 0x500: return "FIQ from EL0";
    case 0x580: return "SError from EL0";
  }
  return "AArch32 or invalid vector";
}
