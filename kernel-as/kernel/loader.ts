// loader.ts — the kernel's WebAssembly program loader (WebAssembly core spec §5 "Binary format").
//
// It reads only what the kernel must act on: imports (functions only; imported memories, tables
// and globals are rejected), the memory limits, globals with constant initialisers, the "_start"
// export, and active data segments. It rejects a start section (compile with
// `--exportStart _start`), data below 64 KiB (compile with `--memoryBase 65536`), and anything
// malformed, with a one-line reason in `loaderError`. Code, types, tables and elements are left to
// the EL0 core, which reads the image through the MMU at IMG.
//
// User address-space layout it builds (docs/SYSCALLS.md):
//   0x0000_0000  null page (never mapped)
//   0x0000_1000  IPC buffer (RW)
//   0x0000_2000  boot info (init only, R)
//   0x0000_4000  free for Frame.Map (to 0x1_0000)
//   0x0001_0000  linear memory: data + heap, demand-zero, up to MEMMAX · 64 KiB
//   IMG_VA       the program image (R+X), the boot-image pages themselves
//   GLOBALS_VA   globals, 8 bytes each (RW)
//   STACK_VA     value stack + frames (RW, demand-zero), STACK_BYTES, then one guard page

import { DRAM_BASE } from "../arch";
import {
  Tcb, RG_IMAGE, RG_DATA, RG_STACK, RG_GUARD, RG_IPCBUF, RG_GLOBALS, R_READ, R_WRITE, MAP_EXEC, RG_DEMAND,
  E_OK, E_BAD_IMAGE, E_NOT_ENOUGH_MEMORY, REG_PC, REG_SP, REG_FP, REG_GP, REG_IMG, REG_IMGLEN,
  REG_MEMPAGES, REG_MEMMAX, REG_SPLIM, IPCBUF_VA,
} from "../object/structures";
import { addRegion, mapPage, translate, ATTR_NORMAL } from "../object/vspace";
import { kmemAlloc, kmemRelease, K_DATA, K_IPCBUF } from "./kmem";

const LINEAR_BASE: u64 = 0x10000;
// The three high regions sit at different offsets inside their 1 GiB slots so that their page
// numbers differ in the low bits: the MMU's TLB is direct-mapped (indexed by VPN bits), and the
// image, globals and stack pages are touched on every kernel exit.
export const IMG_VA: u64 = 0x40_0040_0000;
const GLOBALS_VA: u64 = 0x40_4060_0000;
export const STACK_VA: u64 = 0x40_8070_0000;
export const STACK_BYTES: u64 = 256 * 1024;
/** memory.grow limit: 256 pages (16 MiB of address space; pages cost RAM only when touched). */
const USER_MEMMAX: u32 = 256;
const MAX_GLOBALS: u32 = 4096;

export let loaderError: string = "";

// ---- a bounds-checked reader over the image (kernel linear addresses) ---------------------------
let p: usize = 0;
let lim: usize = 0;
let bad = false;

function fail(msg: string): void { if (!bad) { bad = true; loaderError = msg; } }

function u8_(): u32 {
  if (p >= lim) { fail("truncated image"); return 0; }
  return <u32>load<u8>(p++);
}

function uleb(maxBits: u32): u64 {
  let result: u64 = 0;
  let shift: u32 = 0;
  while (true) {
    let b = u8_();
    if (bad) return 0;
    if (shift >= maxBits) { fail("malformed LEB128 integer"); return 0; }
    result |= <u64>(b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) == 0) break;
  }
  if (maxBits < 64 && (result >> maxBits) != 0) { fail("LEB128 integer too large"); return 0; }
  return result;
}

function sleb(maxBits: u32): i64 {
  let result: i64 = 0;
  let shift: u32 = 0;
  let b: u32 = 0;
  while (true) {
    b = u8_();
    if (bad) return 0;
    if (shift >= maxBits) { fail("malformed LEB128 integer"); return 0; }
    result |= <i64>(b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) == 0) break;
  }
  if (shift < 64 && (b & 0x40) != 0) result |= <i64>-1 << shift;
  return result;
}

function skip(n: u64): void {
  if (<u64>(lim - p) < n) { fail("truncated image"); return; }
  p += <usize>n;
}

function nameEq(len: u64, s: string): bool {
  if (len != <u64>s.length || <u64>(lim - p) < len) return false;
  for (let i = 0; i < s.length; i++) if (<i32>load<u8>(p + i) != s.charCodeAt(i)) return false;
  return true;
}

/** Evaluates a constant expression; returns the raw bits of the value. */
function constExpr(globalsLin: usize, nGlobals: u32): u64 {
  let op = u8_();
  let v: u64 = 0;
  switch (op) {
    case 0x41: v = <u64><u32><i32>sleb(32); break; // i32.const
    case 0x42: v = <u64>sleb(64); break; // i64.const
    case 0x43: { if (lim - p < 4) { fail("truncated image"); return 0; } v = <u64>load<u32>(p); p += 4; break; }
    case 0x44: { if (lim - p < 8) { fail("truncated image"); return 0; } v = load<u64>(p); p += 8; break; }
    case 0x23: {
      let g = <u32>uleb(32);
      if (g >= nGlobals || globalsLin == 0) { fail("global.get of an unknown global in a constant expression"); return 0; }
      v = load<u64>(globalsLin + (<usize>g << 3));
      break;
    }
    default: fail("unsupported constant expression"); return 0;
  }
  if (u8_() != 0x0b) fail("constant expression without end");
  return v;
}

// ---- what pass 1 learns about the module ----------------------------------------------------------
let importedFuncs: u32 = 0;
let definedFuncs: u32 = 0;
let haveFuncSection = false;
let memMin: u64 = 0;
let memMax: u64 = 0;
let haveMemory = false;
let startFunc: i64 = -1;
// [start, end) of the sections read again in pass 2 (0 = absent)
let globalsSec: usize = 0, globalsEnd: usize = 0;
let dataSec: usize = 0, dataEnd: usize = 0;
let tableSec: usize = 0, tableEnd: usize = 0;
let elemSec: usize = 0, elemEnd: usize = 0;
// the globals area (the EL0 core's layout): counts and where each part starts, in 8-byte slots
let nGlobals: u32 = 0;
let nTables: u32 = 0;
let tableMin0: u32 = 0;
let nDatas: u32 = 0;
let nElems: u32 = 0;
let tableBase: u64 = 0;
let dataDropped: u64 = 0;
let elemDropped: u64 = 0;
/** Error of the last failed mapGlobalsArea / mapIpcBuffer. */
let mapError: u64 = E_OK;

/**
 * Loads the program at physical [pa, pa+len) into the empty address space `vs` for thread `t`:
 * regions, image mapping, data pages, globals, stack + guard, IPC buffer, and the registers.
 * Returns E_OK, E_BAD_IMAGE (reason in loaderError) or E_NOT_ENOUGH_MEMORY.
 */
/**
 * Loads the image at physical `pa` (`len` bytes) into the fresh VSpace `vs` and thread `t`.
 * `imageOwner` is the owner tag of the image pages' mappings: 0 for boot-image pages (never
 * freed), K_DATA + 1 for pool pages holding a copy (SpawnFrom), freed and uncharged with the VSpace.
 */
export function loadProgram(vs: usize, t: u32, pa: u64, len: u32, imageOwner: u32 = 0): u64 {
  bad = false;
  loaderError = "";
  let base = <usize>(pa - DRAM_BASE);
  p = base;
  lim = base + <usize>len;
  if (len < 8 || load<u32>(base) != 0x6d736100) { loaderError = "not a WebAssembly module (bad magic)"; return E_BAD_IMAGE; }
  if (load<u32>(base + 4) != 1) { loaderError = "unsupported WebAssembly version"; return E_BAD_IMAGE; }
  p += 8;
  scanSections();
  if (bad || !checkModule()) return E_BAD_IMAGE;
  let e = addFixedRegions(vs, pa, len, imageOwner);
  if (e != E_OK) return e;
  if (!sizeGlobalsArea()) return E_BAD_IMAGE;
  let gpa = mapGlobalsArea(vs);
  if (gpa == 0) return mapError;
  let gLin = <usize>(gpa - DRAM_BASE);
  if (!initGlobals(gLin) || !initTable(gLin)) return E_BAD_IMAGE;
  e = copyDataSegments(vs, gLin);
  if (e != E_OK) return e;
  let ib = mapIpcBuffer(vs);
  if (ib == 0) return mapError;
  setStartRegisters(t, pa, len, ib);
  return E_OK;
}

/** Pass 1: the section table; remembers the sections pass 2 reads and what the kernel acts on. */
function scanSections(): void {
  importedFuncs = 0; definedFuncs = 0; haveFuncSection = false;
  memMin = 0; memMax = USER_MEMMAX; haveMemory = false; startFunc = -1;
  globalsSec = 0; globalsEnd = 0; dataSec = 0; dataEnd = 0;
  tableSec = 0; tableEnd = 0; elemSec = 0; elemEnd = 0;
  let lastId: u32 = 0;
  while (p < lim && !bad) {
    let id = u8_();
    let size = uleb(32);
    if (bad) break;
    if (<u64>(lim - p) < size) { fail("section extends past the end of the image"); break; }
    let end = p + <usize>size;
    if (id != 0 && id != 12 && id <= 11) {
      if (id <= lastId) { fail("sections out of order"); break; }
      lastId = id;
    }
    let saveLim = lim;
    lim = end;
    switch (id) {
      case 0: case 1: case 10: case 12: break; // custom, type, code, datacount
      case 2: scanImports(); break;
      case 3: definedFuncs = <u32>uleb(32); haveFuncSection = true; break;
      case 4: tableSec = p; tableEnd = end; break;
      case 5: scanMemory(); break;
      case 6: globalsSec = p; globalsEnd = end; break;
      case 7: scanExports(); break;
      case 8: fail("has a start section (compile with --exportStart _start)"); break;
      case 9: elemSec = p; elemEnd = end; break;
      case 11: dataSec = p; dataEnd = end; break;
      default: fail("unknown section id");
    }
    lim = saveLim;
    if (!bad && id != 8) p = end;
  }
}

/** Import section: functions only (the kernel provides the memory; no tables or globals). */
function scanImports(): void {
  let n = <u32>uleb(32);
  for (let i: u32 = 0; i < n && !bad; i++) {
    skip(uleb(32)); // module
    skip(uleb(32)); // field
    let kind = u8_();
    if (kind == 0) { uleb(32); importedFuncs++; }
    else if (kind == 1) fail("imports a table (unsupported)");
    else if (kind == 2) fail("imports a memory (unsupported: the kernel provides it)");
    else if (kind == 3) fail("imports a global (unsupported)");
    else fail("malformed import");
  }
}

/** Memory section: at most one 32-bit, unshared memory; its limits. */
function scanMemory(): void {
  let n = uleb(32);
  if (n > 1) { fail("more than one memory"); return; }
  if (n == 1) {
    let flags = u8_();
    if (flags > 1) { fail("unsupported memory (shared or 64-bit)"); return; }
    memMin = uleb(32);
    if (flags == 1) memMax = uleb(32);
    haveMemory = true;
  }
}

/** Export section: only the index of the function "_start" matters. */
function scanExports(): void {
  let n = <u32>uleb(32);
  for (let i: u32 = 0; i < n && !bad; i++) {
    let nl = uleb(32);
    let isStart = nameEq(nl, "_start");
    skip(nl);
    let kind = u8_();
    let idx = uleb(32);
    if (isStart && kind == 0) startFunc = <i64>idx;
  }
}

/** The module can run here: a defined "_start", memory limits the layout allows. */
function checkModule(): bool {
  if (!haveFuncSection && importedFuncs == 0) { loaderError = "no functions"; return false; }
  if (startFunc < 0) { loaderError = "no exported function \"_start\""; return false; }
  if (<u64>startFunc >= <u64>(importedFuncs + definedFuncs)) { loaderError = "\"_start\" is not a valid function index"; return false; }
  if (<u64>startFunc < <u64>importedFuncs) { loaderError = "\"_start\" is an imported function"; return false; }
  if (!haveMemory) memMin = 2;
  if (memMax > <u64>USER_MEMMAX) memMax = USER_MEMMAX;
  if (memMax < 2) { loaderError = "memory maximum below 2 pages (the low 64 KiB are the kernel's window)"; return false; }
  if (memMin > memMax) { loaderError = "initial memory larger than the limit (256 pages)"; return false; }
  if (memMin < 2) memMin = 2; // the low 64 KiB are the kernel's window; data starts at 64 KiB
  return true;
}

/** Linear memory, the image (mapped from the boot image itself), the stack and its guard page. */
function addFixedRegions(vs: usize, pa: u64, len: u32, imageOwner: u32): u64 {
  let e = addRegion(vs, LINEAR_BASE, memMax << 16, RG_DATA, R_READ | R_WRITE | RG_DEMAND);
  if (e != E_OK) return e;
  let imgPage = pa & ~(<u64>0xfff);
  let imgEnd = (pa + <u64>len + 0xfff) & ~(<u64>0xfff);
  e = addRegion(vs, IMG_VA, IMG_VA + (imgEnd - imgPage), RG_IMAGE, R_READ | MAP_EXEC);
  if (e != E_OK) return e;
  for (let q = imgPage; q < imgEnd; q += 4096) {
    e = mapPage(vs, IMG_VA + (q - imgPage), q, R_READ | MAP_EXEC, ATTR_NORMAL, imageOwner);
    if (e != E_OK) return e;
  }
  e = addRegion(vs, STACK_VA, STACK_VA + STACK_BYTES, RG_STACK, R_READ | R_WRITE | RG_DEMAND);
  if (e != E_OK) return e;
  return addRegion(vs, STACK_VA + STACK_BYTES, STACK_VA + STACK_BYTES + 4096, RG_GUARD, 0);
}

/**
 * Counts what the globals area holds (the EL0 core's layout, cf. hw/el0/decode.ts): globals, then
 * each table's entries (function index + 1, 0 = null), then a "dropped" flag per data and per
 * element segment.
 */
function sizeGlobalsArea(): bool {
  nGlobals = 0; nTables = 0; tableMin0 = 0; nDatas = 0; nElems = 0;
  if (globalsSec != 0) {
    p = globalsSec;
    lim = globalsEnd;
    nGlobals = <u32>uleb(32);
    if (nGlobals > MAX_GLOBALS) { loaderError = "too many globals"; return false; }
  }
  let tableSlots: u64 = 0;
  if (tableSec != 0) {
    p = tableSec;
    lim = tableEnd;
    nTables = <u32>uleb(32);
    if (nTables > 1) { loaderError = "more than one table (unsupported)"; return false; }
    if (nTables == 1) {
      let rt = u8_();
      if (rt != 0x70 && rt != 0x6f) fail("malformed table type");
      let fl = u8_();
      if (fl > 1) fail("unsupported table limits");
      let mn = uleb(32);
      if (fl == 1) uleb(32);
      if (mn > 65536) fail("table too large");
      tableMin0 = <u32>mn;
      tableSlots = mn;
    }
    if (bad) return false;
  }
  if (dataSec != 0) { p = dataSec; lim = dataEnd; nDatas = <u32>uleb(32); }
  if (elemSec != 0) { p = elemSec; lim = elemEnd; nElems = <u32>uleb(32); }
  tableBase = <u64>nGlobals;
  dataDropped = tableBase + tableSlots;
  elemDropped = dataDropped + <u64>nDatas;
  if (elemDropped + <u64>nElems > 1 << 20) { loaderError = "globals area too large"; return false; }
  return !bad;
}

/** Maps zeroed pool pages for the globals area at GLOBALS_VA; their PA, or 0 (error in mapError). */
function mapGlobalsArea(vs: usize): u64 {
  let slots = elemDropped + <u64>nElems;
  let gPages = <u32>((slots * 8 + 4095) >> 12);
  if (gPages == 0) gPages = 1;
  mapError = addRegion(vs, GLOBALS_VA, GLOBALS_VA + (<u64>gPages << 12), RG_GLOBALS, R_READ | R_WRITE | RG_DEMAND);
  if (mapError != E_OK) return 0;
  let gpa = kmemAlloc(K_DATA, gPages);
  if (gpa == 0) { mapError = E_NOT_ENOUGH_MEMORY; return 0; }
  for (let i: u32 = 0; i < gPages; i++) {
    mapError = mapPage(vs, GLOBALS_VA + (<u64>i << 12), gpa + (<u64>i << 12), R_READ | R_WRITE, ATTR_NORMAL, K_DATA + 1);
    if (mapError != E_OK) { for (let j = i; j < gPages; j++) kmemRelease(K_DATA, gpa + (<u64>j << 12)); return 0; }
  }
  return gpa;
}

/** Global section: each global's initial value, raw bits, into its slot. */
function initGlobals(gLin: usize): bool {
  if (nGlobals == 0) return true;
  p = globalsSec;
  lim = globalsEnd;
  uleb(32);
  for (let i: u32 = 0; i < nGlobals && !bad; i++) {
    let vt = u8_();
    if (vt != 0x7f && vt != 0x7e && vt != 0x7d && vt != 0x7c) { fail("unsupported global type"); break; }
    let mut = u8_();
    if (mut > 1) { fail("malformed global mutability"); break; }
    let v = constExpr(gLin, i);
    store<u64>(gLin + (<usize>i << 3), v);
  }
  return !bad;
}

/** Element section: active segments fill the table; active and declarative ones start dropped. */
function initTable(gLin: usize): bool {
  if (nElems == 0) return true;
  p = elemSec;
  lim = elemEnd;
  uleb(32);
  for (let i: u32 = 0; i < nElems && !bad; i++) {
    let flags = <u32>uleb(32);
    if (flags > 7) { fail("malformed element segment"); break; }
    let active = (flags & 1) == 0;
    let tbl: u32 = 0;
    let off: u64 = 0;
    if (active) {
      if ((flags & 2) != 0) tbl = <u32>uleb(32);
      off = <u64><u32>constExpr(gLin, nGlobals);
      if (tbl != 0 || nTables == 0) { fail("element segment for a missing table"); break; }
    }
    if ((flags & 3) != 0) u8_(); // elemkind / reftype
    let n = uleb(32);
    if (active && off + n > <u64>tableMin0) { fail("element segment outside its table"); break; }
    for (let j: u64 = 0; j < n && !bad; j++) {
      let v = elementValue(flags, gLin);
      if (active) store<u64>(gLin + <usize>((tableBase + off + j) << 3), v);
    }
    if ((flags & 1) == 0 || (flags & 3) == 3) store<u64>(gLin + <usize>((elemDropped + <u64>i) << 3), 1);
  }
  return !bad;
}

/** One element of a segment: function index + 1, or 0 for a null reference. */
function elementValue(flags: u32, gLin: usize): u64 {
  if ((flags & 4) == 0) return uleb(32) + 1;
  let v: u64 = 0;
  let op = u8_();
  if (op == 0xd2) v = uleb(32) + 1; // ref.func
  else if (op == 0xd0) { u8_(); v = 0; } // ref.null
  else if (op == 0x23) { let g = <u32>uleb(32); v = g < nGlobals ? load<u64>(gLin + (<usize>g << 3)) : 0; }
  else { fail("unsupported element expression"); return 0; }
  if (u8_() != 0x0b) fail("element expression without end");
  return v;
}

/** Data section: active segments are copied into fresh data pages and start dropped. */
function copyDataSegments(vs: usize, gLin: usize): u64 {
  if (dataSec == 0) return E_OK;
  p = dataSec;
  lim = dataEnd;
  let n = <u32>uleb(32);
  for (let i: u32 = 0; i < n && !bad; i++) {
    let flags = <u32>uleb(32);
    if (flags == 1) { skip(uleb(32)); continue; } // passive: memory.init reads it from the image
    if (flags == 2) { if (uleb(32) != 0) { fail("data segment for a memory other than 0"); break; } }
    else if (flags != 0) { fail("malformed data segment"); break; }
    let off = <u64><u32>constExpr(0, 0);
    let sz = uleb(32);
    if (bad) break;
    if (<u64>(lim - p) < sz) { fail("data segment extends past its section"); break; }
    if (off < LINEAR_BASE) { fail("data below 64 KiB (compile with --memoryBase 65536)"); break; }
    if (off + sz > (memMin << 16)) { fail("data segment outside the initial memory"); break; }
    let r = copyIn(vs, off, p, sz);
    if (r != E_OK) return r;
    store<u64>(gLin + <usize>((dataDropped + <u64>i) << 3), 1); // active segments are dropped
    p += <usize>sz;
  }
  return bad ? E_BAD_IMAGE : E_OK;
}

/** The thread's IPC buffer page at IPCBUF_VA; its PA, or 0 (error in mapError). */
function mapIpcBuffer(vs: usize): u64 {
  let ib = kmemAlloc(K_IPCBUF);
  if (ib == 0) { mapError = E_NOT_ENOUGH_MEMORY; return 0; }
  mapError = addRegion(vs, IPCBUF_VA, IPCBUF_VA + 4096, RG_IPCBUF, R_READ | R_WRITE);
  if (mapError == E_OK) mapError = mapPage(vs, IPCBUF_VA, ib, R_READ | R_WRITE, ATTR_NORMAL, K_IPCBUF + 1);
  if (mapError != E_OK) { kmemRelease(K_IPCBUF, ib); return 0; }
  return ib;
}

/** The register file the EL0 core starts from: enter `_start`, stack, globals, image, memory. */
function setStartRegisters(t: u32, pa: u64, len: u32, ipcBuf: u64): void {
  let th = changetype<Tcb>(<usize>t);
  memory.fill(<usize>t, 0, 256);
  store<u64>(<usize>t + (<usize>REG_PC << 3), (<u64>startFunc << 32) | 0xffff_ffff);
  store<u64>(<usize>t + (<usize>REG_SP << 3), STACK_VA);
  store<u64>(<usize>t + (<usize>REG_FP << 3), STACK_VA);
  store<u64>(<usize>t + (<usize>REG_GP << 3), GLOBALS_VA);
  store<u64>(<usize>t + (<usize>REG_IMG << 3), IMG_VA + (pa & 0xfff));
  store<u64>(<usize>t + (<usize>REG_IMGLEN << 3), <u64>len);
  store<u64>(<usize>t + (<usize>REG_MEMPAGES << 3), memMin);
  store<u64>(<usize>t + (<usize>REG_MEMMAX << 3), memMax);
  store<u64>(<usize>t + (<usize>REG_SPLIM << 3), STACK_VA + STACK_BYTES);
  th.ipcBufVa = IPCBUF_VA;
  th.ipcBufPa = ipcBuf;
}

/** Copies `n` image bytes at kernel address `src` to user va `off`, allocating data pages. */
function copyIn(vs: usize, off: u64, src: usize, n: u64): u64 {
  let done: u64 = 0;
  while (done < n) {
    let va = off + done;
    let page = va & ~(<u64>0xfff);
    let dst = translate(vs, va, true);
    if (dst == 0) {
      let fpa = kmemAlloc(K_DATA);
      if (fpa == 0) return E_NOT_ENOUGH_MEMORY;
      let e = mapPage(vs, page, fpa, R_READ | R_WRITE, ATTR_NORMAL, K_DATA + 1);
      if (e != E_OK) { kmemRelease(K_DATA, fpa); return e; }
      dst = fpa | (va & 0xfff);
    }
    let chunk = min(n - done, 4096 - (va & 0xfff));
    memory.copy(<usize>(dst - DRAM_BASE), src + <usize>done, <usize>chunk);
    done += chunk;
  }
  return E_OK;
}
