// boot.ts — the kernel core's part of boot (seL4 src/kernel/boot.c, create_initial_thread and
// friends): turns the MMU on, sets up the kernel pool, and builds the initial process from the
// first file of the boot image, with capabilities to everything the kernel does not keep.
//
// init's CSpace (radix INIT_RADIX), documented in docs/SYSCALLS.md and in the boot-info page:
//   1 TCB · 2 CNode (itself) · 3 VSpace · 4 IRQControl · 5 BootImage
//   6.. device frames (UART, block device, mailbox; one cap per 4 KiB page)
//   then read-only frame caps of the boot image's pages
//   then Untyped caps covering all RAM given to user space, then empty slots.
// The boot-info page is mapped read-only at BOOTINFO_VA (layout below).

import { DRAM_BASE, msr, mrs, SYSREG_MAIR_EL1, SYSREG_TCR_EL1, SYSREG_SCTLR_EL1, SYSREG_TTBR0_EL1 } from "../arch";
import * as con from "../console";
import { bi, deviceAt, DEV_UART, DEV_BLOCK, DEV_NET } from "../bootinfo";
import { VTIMER_LINE } from "../object/irq";
import { cstrEq } from "../fdt";
import {
  T_TCB, T_CNODE, T_VSPACE, T_IRQ_CONTROL, T_BOOT_IMAGE, T_UNTYPED, T_DEVICE_FRAME, T_FRAME, T_IO_SPACE, R_ALL,
  R_READ, RG_BOOTINFO, E_OK, E_NOT_ENOUGH_MEMORY, CTE_SHIFT, VSpace, TCB_NAME,
} from "../object/structures";
import { kmemInit, kmemAlloc, kmemFree, kmemTotal, K_KOBJ, K_IPCBUF } from "./kmem";
import { createObject } from "../object/objecttype";
import { cteInsert } from "./cspace";
import { setupProcess } from "../object/bootimage";
import { cpioIndex, nFiles, filePa, fileSize, fileName, fileNameLen } from "./cpio";
import { loadProgram, loaderError } from "./loader";
import {
  BOOTINFO_VA, SLOT_TCB, SLOT_CNODE, SLOT_VSPACE, SLOT_IRQ_CONTROL, SLOT_BOOT_IMAGE, SLOT_FIRST_FREE, BI_MAGIC,
  BI_MAGIC_VALUE, BI_VERSION, BI_RADIX, BI_FIRST_EMPTY, BI_SLOTS, BI_NDEV, BI_NUT, BI_NFILES, BI_TID, BI_KPOOL,
  BI_IMG_FRAMES, BI_IMG_PA, BI_DEVS, BI_UTS, BI_FILES, BI_DEV_BYTES, BI_DEV_MAX, BI_DEV_PAGES, BI_DEV_IRQ, BI_DEV_KIND_GPIO,
  BI_DEV_SLOT, BI_DEV_KIND, BI_DEV_NAME, BI_UT_BYTES, BI_UT_MAX, BI_UT_BITS, BI_UT_SLOT, BI_FILE_BYTES,
  BI_FILE_SIZE, BI_FILE_NAME, BI_FILE_NAME_MAX, BI_DEV_KIND_UART, BI_DEV_KIND_BLOCK, BI_DEV_KIND_NET,
  BI_DEV_KIND_MAILBOX, BI_DEV_KIND_IOSPACE, BI_DEV_KIND_TIMEBASE, BI_DEV_KIND_VTIMER,
} from "../abi";
import { addRegion, mapPage, ATTR_NORMAL, MAIR_VALUE, TCR_VALUE, setDefaultQuota } from "../object/vspace";
import { tcb, makeReady, MAX_PRIO } from "./thread";
import { setPriority } from "../object/tcb";

const INIT_RADIX: u32 = 10;
const INIT_PRIO: u32 = 10;
/** init's CNode (linear) and its next free slot, while boot fills it. */
let initCNode: u32 = 0;
let nextSlot: u32 = 0;
const INIT_SLOTS: u32 = 1 << INIT_RADIX;

const SCTLR_M: u64 = 1;
const SCTLR_C: u64 = 1 << 2;
const SCTLR_I: u64 = 1 << 12;

// Boot-info page layout: BI_* offsets and record sizes, declared in abi/layout.json.

/** Programs the MMU for user address spaces (TTBR0 walks; TTBR1 disabled). */
function mmuInit(): void {
  msr(SYSREG_MAIR_EL1, MAIR_VALUE);
  msr(SYSREG_TCR_EL1, TCR_VALUE);
  msr(SYSREG_TTBR0_EL1, 0);
  msr(SYSREG_SCTLR_EL1, mrs(SYSREG_SCTLR_EL1) | SCTLR_M | SCTLR_C | SCTLR_I);
}

function slotOf(c: u32, i: u32): usize { return <usize>c + (<usize>i << CTE_SHIFT); }

// @ts-ignore: decorator
@inline function lin(pa: u64): usize { return <usize>(pa - DRAM_BASE); }

/**
 * Builds init. `poolBase/poolPages` = the kernel pool; [utBase, utEnd) = RAM for init's Untyped.
 * Returns the init TCB (linear) or 0 when there is no usable init program.
 */
export function createInitialProcess(poolBase: u64, poolPages: u32, utBase: u64, utEnd: u64): u32 {
  mmuInit();
  kmemInit(poolBase, poolPages);
  // A process may use a quarter of the kernel pool for its tables and demand-zero pages (init may
  // change it per child with VSpace.SetQuota); init itself, the root task, may use all of it.
  setDefaultQuota(max<u32>(poolPages / 4, 64));
  cpioIndex(bi.initrdStart, bi.initrdEnd);
  if (nFiles == 0) { con.line("mlk: no boot image, no init to start"); return 0; }

  let cnPages: u32 = ((<u32>1 << (INIT_RADIX + CTE_SHIFT)) + 4095) >> 12;
  let tPa = kmemAlloc(K_KOBJ, 1);
  let vPa = kmemAlloc(K_KOBJ, 1);
  let cPa = kmemAlloc(K_KOBJ, cnPages);
  if (tPa == 0 || vPa == 0 || cPa == 0) { con.line("mlk: out of memory creating init"); return 0; }
  let t = <u32>lin(tPa);
  let v = <u32>lin(vPa);
  let c = <u32>lin(cPa);
  createObject(T_TCB, t, 0, true);
  if (createObject(T_VSPACE, v, 0, true) != E_OK) { con.line("mlk: no ASID / page table for init"); return 0; }
  createObject(T_CNODE, c, INIT_RADIX, true);
  changetype<VSpace>(<usize>v).quota = poolPages;

  initCNode = c;
  cteInsert(slotOf(c, SLOT_TCB), 0, T_TCB, R_ALL, 0, t, 0);
  cteInsert(slotOf(c, SLOT_CNODE), 0, T_CNODE, R_ALL, 0, c, <u64>INIT_RADIX);
  cteInsert(slotOf(c, SLOT_VSPACE), 0, T_VSPACE, R_ALL, 0, v, 0);
  cteInsert(slotOf(c, SLOT_IRQ_CONTROL), 0, T_IRQ_CONTROL, R_ALL, 0, 0, 0);
  cteInsert(slotOf(c, SLOT_BOOT_IMAGE), 0, T_BOOT_IMAGE, R_ALL, 0, 0, 0);
  nextSlot = SLOT_FIRST_FREE;

  let bpa = kmemAlloc(K_IPCBUF);
  if (bpa == 0) { con.line("mlk: out of memory creating init"); return 0; }
  let b = lin(bpa);
  store<u32>(b + BI_MAGIC, BI_MAGIC_VALUE);
  store<u32>(b + BI_VERSION, 1);
  store<u32>(b + BI_RADIX, INIT_RADIX);
  store<u32>(b + BI_SLOTS, SLOT_TCB);
  store<u32>(b + BI_SLOTS + 4, SLOT_CNODE);
  store<u32>(b + BI_SLOTS + 8, SLOT_VSPACE);
  store<u32>(b + BI_SLOTS + 12, SLOT_IRQ_CONTROL);
  store<u32>(b + BI_SLOTS + 16, SLOT_BOOT_IMAGE);
  let ndev = grantDevices(b);
  grantBootImage(b);
  let nut = grantUntyped(b, utBase, utEnd);
  store<u32>(b + BI_FIRST_EMPTY, nextSlot);
  listBootFiles(b);
  store<u32>(b + BI_TID, tcb(t).tid);
  store<u64>(b + BI_KPOOL, <u64>kmemTotal());

  if (!startInit(t, v, c, bpa)) return 0;
  con.str("mlk: init "); con.cstr(<usize>t + TCB_NAME, 23); con.str(" (thread "); con.dec(tcb(t).tid);
  con.str("): "); con.dec(nut); con.str(" untyped ("); con.size(utEnd - utBase); con.str("), ");
  con.dec(ndev); con.str(" devices, "); con.dec(<u64>nFiles); con.str(" boot files, kernel pool ");
  con.size(<u64>kmemFree() << 12); con.str(" free"); con.newline();
  return t;
}

/** Writes device record `i` of the boot-info page at `b` (pa, pages, IRQ, first cap slot, kind, name). */
function deviceRecord(b: usize, i: u32, pa: u64, pages: u32, irq: i32, slot: u32, kind: u32, name: string): void {
  let rec = b + BI_DEVS + <usize>i * BI_DEV_BYTES;
  store<u64>(rec, pa);
  store<u32>(rec + BI_DEV_PAGES, pages);
  store<i32>(rec + BI_DEV_IRQ, irq);
  store<u32>(rec + BI_DEV_SLOT, slot);
  store<u32>(rec + BI_DEV_KIND, kind);
  for (let k = 0; k < name.length; k++) store<u8>(rec + BI_DEV_NAME + k, <u8>name.charCodeAt(k));
}

/**
 * Caps for user-space drivers, each with its boot-info record: device frames (UART, block device,
 * host mailbox), the block device's IOSpace, the AIC timebase page, the EL1 virtual timer's line.
 * Returns the number of records.
 */
function grantDevices(b: usize): u32 {
  let c = initCNode;
  let ndev: u32 = 0;
  for (let i = 0; i < bi.nDevices && ndev < BI_DEV_MAX; i++) {
    let d = deviceAt(i);
    let isMailbox = cstrEq(<usize>d.compat, "mlk,host-mailbox");
    let isGpio = cstrEq(<usize>d.compat, "arm,pl061"); // the driver exercise's LED and button bank
    if (d.kind != DEV_UART && d.kind != DEV_BLOCK && d.kind != DEV_NET && !isMailbox && !isGpio) continue;
    let pages = <u32>((d.size + 4095) >> 12);
    if (pages == 0) pages = 1;
    let name = d.kind == DEV_UART ? "uart" : d.kind == DEV_BLOCK ? "block" : d.kind == DEV_NET ? "net" : isGpio ? "gpio" : "mailbox";
    let kind = d.kind == DEV_UART ? BI_DEV_KIND_UART : d.kind == DEV_BLOCK ? BI_DEV_KIND_BLOCK : d.kind == DEV_NET ? BI_DEV_KIND_NET : isGpio ? BI_DEV_KIND_GPIO : BI_DEV_KIND_MAILBOX;
    deviceRecord(b, ndev++, d.base, pages, d.irq, nextSlot, kind, name);
    for (let j: u32 = 0; j < pages && nextSlot < INIT_SLOTS; j++) {
      cteInsert(slotOf(c, nextSlot++), 0, T_DEVICE_FRAME, R_ALL, 0, <u32>((d.base >> 12) + j), 0);
    }
  }
  // the block device's DMA stream: an IOSpace capability (object/iospace.ts), in a record of kind
  // BI_DEV_KIND_IOSPACE named after the device (pa = the DART, pages 0, irq = the stream)
  if (bi.blockSid >= 0 && ndev < BI_DEV_MAX && nextSlot < INIT_SLOTS) {
    deviceRecord(b, ndev++, bi.dartBase, 0, bi.blockSid, nextSlot, BI_DEV_KIND_IOSPACE, "block");
    cteInsert(slotOf(c, nextSlot++), 0, T_IO_SPACE, R_ALL, 0, <u32>bi.blockSid, 0);
  }
  // the network device's DMA stream, the same way
  if (bi.netSid >= 0 && ndev < BI_DEV_MAX && nextSlot < INIT_SLOTS) {
    deviceRecord(b, ndev++, bi.dartBase, 0, bi.netSid, nextSlot, BI_DEV_KIND_IOSPACE, "net");
    cteInsert(slotOf(c, nextSlot++), 0, T_IO_SPACE, R_ALL, 0, <u32>bi.netSid, 0);
  }
  // the AIC timebase page (the system counter), read-only: a clock EL0 can read (proc.uptime)
  if (bi.aicTimebase != 0 && ndev < BI_DEV_MAX && nextSlot < INIT_SLOTS) {
    deviceRecord(b, ndev++, bi.aicTimebase, 1, -1, nextSlot, BI_DEV_KIND_TIMEBASE, "timebase");
    cteInsert(slotOf(c, nextSlot++), 0, T_DEVICE_FRAME, R_READ, 0, <u32>(bi.aicTimebase >> 12), 0);
  }
  // the EL1 virtual timer: no page, its "IRQ" is the line IRQControl.Get issues a handler for
  if (ndev < BI_DEV_MAX) deviceRecord(b, ndev++, 0, 0, <i32>VTIMER_LINE, 0, BI_DEV_KIND_VTIMER, "vtimer");
  store<u32>(b + BI_NDEV, ndev);
  return ndev;
}

/** The boot image's pages, read-only (a loader in user space maps them as program images). */
function grantBootImage(b: usize): void {
  let imgFirst = (bi.initrdStart & ~(<u64>0xfff));
  let imgEnd = (bi.initrdEnd + 0xfff) & ~(<u64>0xfff);
  store<u32>(b + BI_IMG_FRAMES, nextSlot);
  store<u64>(b + BI_IMG_PA, imgFirst);
  let nimg: u32 = 0;
  for (let q = imgFirst; q < imgEnd && nextSlot < INIT_SLOTS; q += 4096) {
    cteInsert(slotOf(initCNode, nextSlot++), 0, T_FRAME, R_READ, 0, <u32>(q >> 12), 0);
    nimg++;
  }
  store<u32>(b + BI_IMG_FRAMES + 4, nimg);
}

/** Untyped caps over [utBase, utEnd) in naturally aligned power-of-two blocks; returns how many. */
function grantUntyped(b: usize, utBase: u64, utEnd: u64): u32 {
  let nut: u32 = 0;
  let p = utBase;
  while (p < utEnd && nut < BI_UT_MAX && nextSlot < INIT_SLOTS) {
    let bits: u32 = 12;
    while (bits < 30 && (p & ((<u64>1 << (bits + 1)) - 1)) == 0 && p + (<u64>1 << (bits + 1)) <= utEnd) bits++;
    if (p + (<u64>1 << bits) > utEnd) break;
    let rec = b + BI_UTS + <usize>nut * BI_UT_BYTES;
    store<u64>(rec, p);
    store<u32>(rec + BI_UT_BITS, bits);
    store<u32>(rec + BI_UT_SLOT, nextSlot);
    cteInsert(slotOf(initCNode, nextSlot++), 0, T_UNTYPED, R_ALL, 0, <u32>(p >> 12), <u64>bits);
    nut++;
    p += <u64>1 << bits;
  }
  store<u32>(b + BI_NUT, nut);
  return nut;
}

/** The boot image's files: offset in the image, size, name. */
function listBootFiles(b: usize): void {
  store<u32>(b + BI_NFILES, <u32>nFiles);
  for (let i = 0; i < nFiles; i++) {
    let rec = b + BI_FILES + <usize>i * BI_FILE_BYTES;
    store<u32>(rec, <u32>(filePa(i) - bi.initrdStart));
    store<u32>(rec + BI_FILE_SIZE, fileSize(i));
    memory.copy(rec + BI_FILE_NAME, fileName(i), min(<usize>fileNameLen(i), BI_FILE_NAME_MAX - 1));
  }
}

/** Loads the first boot file into init's VSpace, maps the boot-info page, makes init ready. */
function startInit(t: u32, v: u32, c: u32, bootInfoPa: u64): bool {
  let e = loadProgram(<usize>v, t, filePa(0), fileSize(0));
  if (e != E_OK) {
    con.str("mlk: init ("); con.cstr(fileName(0), 40); con.str(") rejected: ");
    con.str(e == E_NOT_ENOUGH_MEMORY ? "out of memory" : loaderError); con.newline();
    return false;
  }
  addRegion(<usize>v, BOOTINFO_VA, BOOTINFO_VA + 4096, RG_BOOTINFO, R_READ);
  mapPage(<usize>v, BOOTINFO_VA, bootInfoPa, R_READ, ATTR_NORMAL, K_IPCBUF + 1);
  setupProcess(t, 0, slotOf(c, SLOT_VSPACE), slotOf(c, SLOT_CNODE), fileName(0), fileNameLen(0), false);
  setPriority(t, MAX_PRIO); // mcp = 31 so init may create threads at any priority
  setPriority(t, INIT_PRIO);
  tcb(t).mcp = MAX_PRIO;
  makeReady(t);
  return true;
}
