// main.ts — the kernel's two entries (docs/ARCHITECTURE.md, "The kernel ⇄ machine boundary"):
//   kmain(fdt)      reset entry: EL1, DAIF masked, x0 = FDT physical address;
//   vector(offset)  exception entry at VBAR_EL1 + offset.
// Each entry runs to completion with DAIF masked and ends with wfi() (idle) or eret() (D2);
// after a panic it ends with halt().
//
// Boot order: FDT → console → memory map → frames → vectors → AIC → timer → kernel core (pool,
// init) → idle.

import {
  mrs, msr, wfi, mmioRead32, paOf, DRAM_BASE, PAGE_SIZE, VECTOR_TABLE_BYTES, SYSREG_VBAR_EL1, SYSREG_MIDR_EL1,
  SYSREG_MPIDR_EL1, SYSREG_CURRENT_EL, VEC_CUR_SPX_SYNC, VEC_CUR_SPX_IRQ, VEC_CUR_SPX_FIQ, VEC_CUR_SPX_SERROR,
  VEC_LOWER_SYNC, VEC_LOWER_IRQ, VEC_LOWER_FIQ, VEC_LOWER_SERROR,
} from "./arch";
import { consoleInit, consoleEnableRxIrq, consoleRxIrq, str, line, hex, dec, newline, size, cstr, pad } from "./console";
import { fdtParse, fdtVersion, FDT_OK, consoleFromStdoutPath } from "./fdt";
import {
  bi, bootInfoReset, addReserved, regionAt, deviceAt, regionKindName,
  RSV_KERNEL, RSV_FDT, RSV_INITRD, RSV_MEMRESERVE, DEV_UART, DEV_TIMER, AIC_FIQ, MAX_REGIONS,
} from "./bootinfo";
import { aicInit, aicEvent, aicUnmask, aicIpiAck, eventType, eventNum, AIC_EVENT_TYPE_HW, AIC_EVENT_TYPE_IPI } from "./aic";
import { timerInit, timerFiring, timerTick, timerTicks, timerFreq, timerPeriod, TICK_HZ, vtimerFiring, vtimerMask } from "./timer";
import { framesInit, framesAddFree, framesFree, framesTotal, framesUsed, framesUnmanaged, framesBitmapBytes, FRAMES_MAX, framesTakeLargestRun, takenPages } from "./frames";
import { panic, panicException, panicValue, HALT_NO_CONSOLE } from "./panic";
import { halt } from "./arch";
import { trace, traceInit } from "./trace";
import {
  TRACE_BOOT_STAGE, TRACE_IRQ, TRACE_TICK, TRACE_UART_RX,
  BOOT_ENTRY, BOOT_FDT, BOOT_CONSOLE, BOOT_MEMORY, BOOT_FRAMES, BOOT_VECTORS, BOOT_AIC,
  BOOT_TIMER, BOOT_IDLE, BOOT_INIT,
} from "./abi";
import { createInitialProcess } from "./kernel/boot";
import { dartInit, dartIrq, dartPresent } from "./dart";
import { enterFromUser, enterFromIdle, handleSyncFromUser, kernelExit } from "./kernel/entry";
import { schedTick } from "./kernel/thread";
import { irqDeliver, kernelEcho, setKernelEcho, VTIMER_LINE } from "./object/irq";
import { kiJson, kiBuf } from "./kernel/ki";
import { setCheck, kiCheck } from "./kernel/check";
import { setTraceOn } from "./kernel/ktrace";

/** The exception vector area: 2 KiB, 2 KiB aligned, inside the kernel image. VBAR_EL1 points here. */
const vectorArea: usize = memory.data(<i32>VECTOR_TABLE_BYTES, <i32>VECTOR_TABLE_BYTES);

/** Physical address of the kernel image's first byte (--memoryBase). */
const IMAGE_START: u64 = DRAM_BASE + 0x10000;

let tickAnnounced = false;
let testPanic = false;

// ---------------------------------------------------------------------------------------------
// Reset entry
// ---------------------------------------------------------------------------------------------

export function kmain(fdt: u64): void {
  bootInfoReset();
  line("Hello from MyLittleKernel!");

  let err = fdtParse(fdt);
  if (bi.uartBase == 0) { halt(HALT_NO_CONSOLE); return; } // nowhere to say why
  consoleInit(bi.uartBase);
  traceInit(bi.traceBase);
  trace(TRACE_BOOT_STAGE, BOOT_ENTRY);
  if (err != FDT_OK) { panicValue("cannot parse the device tree", <u64>err); return; }
  trace(TRACE_BOOT_STAGE, BOOT_FDT);
  trace(TRACE_BOOT_STAGE, BOOT_CONSOLE);

  str("MyLittleKernel 0.1.0 (AssemblyScript 0.28.20, wasm32) EL"); dec(mrs(SYSREG_CURRENT_EL) >> 2);
  str(", MIDR_EL1 "); hex(mrs(SYSREG_MIDR_EL1), 8); str(", MPIDR_EL1 "); hex(mrs(SYSREG_MPIDR_EL1), 8); newline();
  str("Machine model: "); if (bi.model != 0) cstr(<usize>bi.model); else str("(unknown)"); newline();
  str("FDT: v"); dec(fdtVersion); str(" at "); hex(bi.fdtPa); str(", "); dec(bi.fdtSize); line(" bytes");
  if (bi.bootargs != 0 && load<u8>(<usize>bi.bootargs) != 0) { str("Kernel command line: "); cstr(<usize>bi.bootargs); newline(); }
  str("earlycon: s5l0 at MMIO "); hex(bi.uartBase, 9);
  line(consoleFromStdoutPath ? " (options '') [from /chosen/stdout-path]" : " [first apple,s5l-uart]");

  if (!memoryMap()) return;
  trace(TRACE_BOOT_STAGE, BOOT_MEMORY);
  trace(TRACE_BOOT_STAGE, BOOT_FRAMES);

  listDevices();

  // Vectors
  bi.vbar = paOf(vectorArea);
  msr(SYSREG_VBAR_EL1, bi.vbar);
  str("vectors: VBAR_EL1 = "); hex(bi.vbar); line(" (2 KiB, in the kernel image)");
  trace(TRACE_BOOT_STAGE, BOOT_VECTORS);

  // AIC
  if (bi.aicBase == 0) { panic("no interrupt controller (compatible \"apple,aic\") in the device tree"); return; }
  bi.aicNrIrq = aicInit(bi.aicBase);
  str("AIC: AICv1 at "); hex(bi.aicBase, 9); str(", "); dec(bi.aicNrIrq); line(" IRQs, all masked, routed to CPU0");
  trace(TRACE_BOOT_STAGE, BOOT_AIC);
  // The UART raises RX interrupts, but its AIC line stays masked here: with a boot image, init's
  // console driver binds it and reads every byte typed so far (the UART holds them); without one,
  // the kernel unmasks it and echoes (below).
  if (bi.uartIrq >= 0) consoleEnableRxIrq();

  // DART (the IOMMU in front of the DMA devices): reset, its fault IRQ is the kernel's own
  if (bi.dartBase != 0) {
    if (dartInit(bi.dartBase)) {
      str("apple-dart: DART at "); hex(bi.dartBase, 9); str(" [pagesize 0x1000, 16 streams, IRQ "); dec(bi.dartIrq);
      str("] initialized; block device on stream "); if (bi.blockSid >= 0) dec(bi.blockSid); else str("(none)"); newline();
      if (bi.dartIrq >= 0) aicUnmask(<u32>bi.dartIrq);
    } else {
      line("apple-dart: DART locked or not 4 KiB pages: DMA devices stay without IO mappings");
      bi.blockSid = -1;
      bi.netSid = -1;
    }
  }

  // Timer
  if (bi.timerFiq < 0) line("timer: no arm,armv8-timer node; using the EL1 physical timer anyway");
  let period = timerInit();
  let f = timerFreq();
  str("arch_timer: cp15 timer running at "); dec(f / 1000000); str("."); dec2((f / 10000) % 100);
  str("MHz, EL1 physical timer (FIQ "); dec(bi.timerFiq < 0 ? 2 : bi.timerFiq); line(")");
  str("timer: "); dec(TICK_HZ); str(" Hz tick, period "); dec(period); line(" counter ticks");
  trace(TRACE_BOOT_STAGE, BOOT_TIMER);

  testPanic = bi.bootargs != 0 && bootargHas("mlk.test=panic");
  if (bi.bootargs != 0 && bootargHas("mlk.check=1")) { setCheck(true); line("mlk: invariant checker on (mlk.check=1)"); }
  if (bi.bootargs != 0 && bootargHas("mlk.trace=0")) setTraceOn(false);

  // Kernel core: the longest free run of RAM becomes the kernel pool (page tables, demand-zero
  // pages, init's objects) and init's Untyped memory.
  let runBase = framesTakeLargestRun();
  let runPages = takenPages;
  let pool = runPages / 4;
  if (pool < 512) pool = min(512, runPages);
  if (pool > 8192) pool = 8192;
  let utBase = runBase + (<u64>pool << 12);
  str("mlk: kernel pool "); size(<u64>pool << 12); str(" at "); hex(runBase); str(", user memory "); size(<u64>(runPages - pool) << 12); newline();
  let init = createInitialProcess(runBase, pool, utBase, runBase + (<u64>runPages << 12));
  trace(TRACE_BOOT_STAGE, BOOT_INIT);

  setKernelEcho(false);
  if (init == 0 && bi.uartIrq >= 0) {
    // No user space: the kernel's own console takes UART input (echo).
    setKernelEcho(true);
    aicUnmask(<u32>bi.uartIrq);
    str("console: UART RX interrupt on AIC IRQ "); dec(bi.uartIrq); line(" (echo)");
  } else if (bi.uartIrq >= 0) {
    str("console: UART RX (AIC IRQ "); dec(bi.uartIrq); line(") left to the console service");
  }
  line(init != 0 ? "mlk: boot complete, starting init" : "mlk: boot complete, idling with interrupts enabled");
  trace(TRACE_BOOT_STAGE, BOOT_IDLE);
  enterFromIdle();
  kernelExit();
}

function dec2(v: u64): void { if (v < 10) str("0"); dec(v); }

function bootargHas(word: string): bool {
  let p = <usize>bi.bootargs;
  let n = word.length;
  for (let i = 0; load<u8>(p + i) != 0 && i < 1024; i++) {
    let ok = true;
    for (let j = 0; j < n; j++) if (<u32>load<u8>(p + i + j) != <u32>word.charCodeAt(j)) { ok = false; break; }
    if (ok) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Memory map: reserve, print, hand the rest to the frame allocator
// ---------------------------------------------------------------------------------------------

// Adds a region, unless a /memreserve/ entry already covers it: that entry is then relabelled
// (the loader reserves the FDT's whole 64 KiB slot and the initrd there).
function reserve(base: u64, sz: u64, kind: u32): void {
  for (let i = 0; i < bi.nRegions; i++) {
    let r = regionAt(i);
    if (r.kind == RSV_MEMRESERVE && r.base <= base && base + sz <= r.base + r.size) { r.kind = kind; return; }
  }
  if (!addReserved(base, sz, kind)) line("memory: too many reserved regions; ignoring one");
}

function range(base: u64, sz: u64): void {
  str("[mem "); hex(base); str("-"); hex(base + sz - 1); str("]");
}

function memoryMap(): bool {
  if (bi.ramSize == 0) { panic("no /memory node in the device tree"); return false; }
  let ramEnd = bi.ramBase + bi.ramSize;
  if (bi.ramBase != DRAM_BASE) { panicValue("RAM does not start at the DRAM base", bi.ramBase); return false; }

  // Kernel image (static data from --memoryBase to __heap_base) and the frame bitmap: together
  // the kernel's reservation [DRAM_BASE, kernelEnd). The kernel has no heap: its objects live in
  // memory user space retypes (Untyped) or in the kernel pool (kernel/kmem.ts).
  let imageEnd = (paOf(__heap_base) + 15) & ~<u64>15;
  let mapBase = (imageEnd + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  let mapBytes = <u64>framesBitmapBytes(bi.ramSize);
  bi.kernelEnd = (mapBase + mapBytes + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  if (bi.kernelEnd > ramEnd) { panic("RAM too small for the kernel's frame map"); return false; }
  reserve(DRAM_BASE, bi.kernelEnd - DRAM_BASE, RSV_KERNEL);
  reserve(bi.fdtPa, bi.fdtSize, RSV_FDT);
  if (bi.initrdEnd > bi.initrdStart) reserve(bi.initrdStart, bi.initrdEnd - bi.initrdStart, RSV_INITRD);

  line("Memory map:");
  str("  RAM       "); range(bi.ramBase, bi.ramSize); str(" "); size(bi.ramSize); newline();
  str("  kernel    "); range(IMAGE_START, imageEnd - IMAGE_START); str(" image, "); size(imageEnd - IMAGE_START); newline();
  str("  frame map "); range(mapBase, mapBytes); str(" bitmap, "); size(mapBytes); newline();
  line("Reserved:");
  sortRegions();
  for (let i = 0; i < bi.nRegions; i++) {
    let r = regionAt(i);
    str("  reserved  "); range(r.base, r.size); str(" "); str(regionKindName(r.kind)); str(", "); size(r.size); newline();
  }

  // Free ranges = RAM minus reserved regions (rounded out to pages); hand them to frames.
  framesInit(bi.ramBase, bi.ramSize, <usize>(mapBase - DRAM_BASE));
  line("Free:");
  let cursor = bi.ramBase;
  let freeBytes: u64 = 0;
  for (let i = 0; i <= bi.nRegions; i++) {
    let rb = ramEnd, re = ramEnd;
    if (i < bi.nRegions) {
      let r = regionAt(i);
      rb = r.base & ~(PAGE_SIZE - 1);
      re = (r.base + r.size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
      if (re <= bi.ramBase || rb >= ramEnd) continue; // outside RAM (e.g. a /memreserve/ of MMIO)
      if (rb < bi.ramBase) rb = bi.ramBase;
      if (re > ramEnd) re = ramEnd;
    }
    if (rb > cursor) {
      str("  free      "); range(cursor, rb - cursor); str(" "); size(rb - cursor); newline();
      framesAddFree(cursor, rb - cursor);
      freeBytes += rb - cursor;
    }
    if (re > cursor) cursor = re;
  }
  str("Memory: "); dec(freeBytes >> 10); str("K/"); dec(bi.ramSize >> 10); str("K available ("); dec((bi.ramSize - freeBytes) >> 10); line("K reserved)");
  str("frames: "); dec(framesTotal()); str(" x 4 KiB, "); dec(framesFree()); str(" free, "); dec(framesUsed()); line(" in use");
  let lost = framesUnmanaged(bi.ramSize);
  if (lost != 0) { str("frames: "); dec(lost); str(" frames above "); dec(<u64>FRAMES_MAX); line(" are not managed"); }
  return true;
}

// Insertion sort of the reserved regions by base (at most MAX_REGIONS).
function sortRegions(): void {
  let tmp = memory.data(24, 8);
  for (let i = 1; i < bi.nRegions; i++) {
    let j = i;
    while (j > 0 && regionAt(j - 1).base > regionAt(j).base) {
      let a = changetype<usize>(regionAt(j - 1)), b = changetype<usize>(regionAt(j));
      memory.copy(tmp, a, 24); memory.copy(a, b, 24); memory.copy(b, tmp, 24);
      j--;
    }
  }
  if (bi.nRegions > MAX_REGIONS) panic("region table overflow");
}

function listDevices(): void {
  line("Devices:");
  for (let i = 0; i < bi.nDevices; i++) {
    let d = deviceAt(i);
    str("  ");
    let w = cstr(<usize>d.name, 40);
    pad(w, 32);
    w = cstr(<usize>d.compat, 40);
    pad(w, 17);
    if (d.size != 0) { str("[mmio "); hex(d.base, 9); str("-"); hex(d.base + d.size - 1, 9); str("]"); }
    else str("                              ");
    if (d.irq >= 0) {
      str(d.irqType == AIC_FIQ ? " fiq " : " irq "); dec(d.irq);
    }
    if (d.kind == DEV_UART && d.base == bi.uartBase) str(" (console)");
    if (d.kind == DEV_TIMER) str(" (EL1 phys)");
    newline();
  }
}

// ---------------------------------------------------------------------------------------------
// Exception entry
// ---------------------------------------------------------------------------------------------

export function vector(offset: u32): void {
  switch (offset) {
    case VEC_LOWER_SYNC: enterFromUser(); handleSyncFromUser(); break;
    case VEC_LOWER_FIQ: enterFromUser(); fiq(); break;
    case VEC_LOWER_IRQ: enterFromUser(); irq(); break;
    case VEC_CUR_SPX_FIQ: enterFromIdle(); fiq(); break;
    case VEC_CUR_SPX_IRQ: enterFromIdle(); irq(); break;
    case VEC_CUR_SPX_SYNC: panicException("kernel fault (synchronous exception at EL1)", offset); return;
    case VEC_CUR_SPX_SERROR: case VEC_LOWER_SERROR: panicException("SError (asynchronous abort)", offset); return;
    default: panicException("unexpected exception vector", offset); return;
  }
  kernelExit();
}

// FIQ: the two timers of the core (no status register: poll them). The EL1 physical timer is the
// kernel's tick; the EL1 virtual timer belongs to whoever holds its IRQHandler (the timer service).
function fiq(): void {
  let vtimer = vtimerFiring();
  if (vtimer) {
    vtimerMask(); // level-triggered: masked until the owner sets the next deadline
    trace(TRACE_IRQ, VTIMER_LINE);
    irqDeliver(VTIMER_LINE);
  }
  if (!timerFiring()) return; // the virtual timer alone, or a spurious FIQ
  let t = timerTick();
  trace(TRACE_TICK, <u32>t, <u32>(t >> 32));
  schedTick(timerPeriod());
  if (!tickAnnounced) {
    tickAnnounced = true;
    str("timer: "); dec(TICK_HZ); line(" Hz tick running");
    if (testPanic) {
      // Test hook (bootargs "mlk.test=panic"): a kernel bug in interrupt context. Physical 0x0 is
      // a hole, so the load is a synchronous external abort → vector 0x200 → panic.
      line("mlk.test=panic: reading the MMIO hole at 0x0");
      mmioRead32(0);
    }
  }
}

// IRQ: drain AIC events; each EVENT read masks its source, MASK_CLR after service is the EOI.
function irq(): void {
  for (let i = 0; i < 64; i++) {
    let ev = aicEvent();
    if (ev == 0) return;
    let type = eventType(ev), num = eventNum(ev);
    if (type == AIC_EVENT_TYPE_HW) {
      trace(TRACE_IRQ, num);
      if (irqDeliver(num)) continue; // a user-space driver owns the line: it acks (unmasks) it
      if (<i32>num == bi.dartIrq && dartPresent()) {
        dartIrq(); // a refused DMA: traced (DART_FAULT); the device reports the error to its driver
        aicUnmask(num);
      } else if (<i32>num == bi.uartIrq && kernelEcho) {
        let n = consoleRxIrq();
        trace(TRACE_UART_RX, n);
        aicUnmask(num);
      } else {
        str("irq "); dec(num); line(": nobody cared, left masked");
      }
    } else if (type == AIC_EVENT_TYPE_IPI) {
      aicIpiAck(num);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Introspection (read-only)
// ---------------------------------------------------------------------------------------------

/** Timer ticks since boot. */
export function ki_ticks(): u64 { return timerTicks(); }
/** Frames left free after boot (not handed to the kernel core). */
export function ki_frames_free(): u32 { return framesFree(); }
/** Frames handed to the kernel core at boot (kernel pool + init's Untyped memory). */
export function ki_frames_core(): u32 { return takenPages; }

/** Writes introspection JSON (what: 0 threads, 1 CSpace of tid arg, 2 address space of tid arg,
 *  3 endpoints/notifications, 4 memory, 5 counters, 6 one thread, 7 last invariant violation) into ki_buf(); returns its length. */
export function ki_json(what: u32, arg: u32): u32 { return kiJson(what, arg); }
/** Address (kernel linear = RAM offset) of the ki_json buffer. */
export function ki_buf(): usize { return kiBuf(); }
/** Runs the invariant checker: 0 = all hold, else the violated invariant's code (printed). */
export function ki_check(): u32 { return kiCheck(); }
