// fdt.ts — flattened device tree reader (Devicetree Specification v0.4, chapter 5; format v17).
//
//   header (40 bytes, big-endian u32s) ─ mem_rsvmap (u64 address,size pairs; 0,0 ends)
//   ─ struct block (tokens: BEGIN_NODE name\0 pad4 | PROP len nameoff value pad4 | END_NODE
//     | NOP | END) ─ strings block (NUL-terminated property names)
//
// Two passes over the struct block, no allocation:
//   1. /chosen (stdout-path, linux,initrd-start/-end, bootargs) and /aliases;
//   2. every node: /memory, and the devices by "compatible" (apple,aic; apple,s5l-uart;
//      arm,armv8-timer; mlk,trace-ring; mlk,block; apple,t8103-dart; virtio,mmio; anything else with
//      reg or interrupts is listed). The block device's and the first virtio-mmio device's
//      `iommus = <&dart sid>` name their DART streams.
// `reg` is decoded with the parent's #address-cells/#size-cells; `ranges` are assumed to be
// identity (true of the t8103 /soc node, whose `ranges;` is empty). `interrupts` use the AIC
// binding <type number flags> (the only interrupt controller).

import { linOf, DRAM_BASE } from "./arch";
import {
  bi, addDevice, addReserved, RSV_MEMRESERVE, AIC_IRQ, AIC_FIQ, AIC_TMR_GUEST_PHYS,
  DEV_OTHER, DEV_AIC, DEV_UART, DEV_TIMER, DEV_TRACE, DEV_BLOCK, DEV_DART, DEV_NET,
} from "./bootinfo";

const FDT_MAGIC: u32 = 0xd00dfeed;
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;

// Header offsets
const H_TOTALSIZE: usize = 4;
const H_OFF_STRUCT: usize = 8;
const H_OFF_STRINGS: usize = 12;
const H_OFF_RSVMAP: usize = 16;
const H_VERSION: usize = 20;
const H_LAST_COMP: usize = 24;
const H_SIZE_STRINGS: usize = 32;
const H_SIZE_STRUCT: usize = 36;

const MAX_DEPTH: i32 = 16;

/** Why fdtParse failed (0 = ok). */
export const FDT_OK: i32 = 0;
const FDT_BAD_ADDRESS: i32 = 1;
const FDT_BAD_MAGIC: i32 = 2;
const FDT_BAD_VERSION: i32 = 3;
const FDT_BAD_STRUCTURE: i32 = 4;

export let fdtVersion: u32 = 0;
let rsvCount: i32 = 0;

// @ts-ignore: decorator
@inline export function be32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
// @ts-ignore: decorator
@inline function be64(p: usize): u64 { return (<u64>be32(p) << 32) | <u64>be32(p + 4); }
// @ts-ignore: decorator
@inline function align4(p: usize): usize { return (p + 3) & ~<usize>3; }

/** Reads an n-cell (1 or 2) big-endian number. */
function cells(p: usize, n: u32): u64 {
  if (n == 1) return <u64>be32(p);
  if (n == 2) return be64(p);
  if (n == 0) return 0;
  return be64(p + (<usize>(n - 2) << 2)); // wider: keep the low 64 bits
}

/** Length of a NUL-terminated string at p (bounded by `max`). */
function cstrLen(p: usize, max: i32): i32 {
  let i = 0;
  while (i < max && load<u8>(p + i) != 0) i++;
  return i;
}

/** Does the NUL-terminated string at p equal s? */
export function cstrEq(p: usize, s: string): bool {
  let n = s.length;
  for (let i = 0; i < n; i++) if (<u32>load<u8>(p + i) != <u32>s.charCodeAt(i)) return false;
  return load<u8>(p + n) == 0;
}

/** Does the string list (value of `compatible`, len bytes) contain s? Returns its address or 0. */
function compatHas(p: usize, len: i32, s: string): usize {
  let i = 0;
  while (i < len) {
    if (cstrEq(p + i, s)) return p + i;
    i += cstrLen(p + i, len - i) + 1;
  }
  return 0;
}

// Per-depth node context (fixed arrays in static data).
// ┌────────┬────────┬────────┬────────┬────────┬────────┬────────┬────────┐
// │ name   │ compat │ compLen│ reg    │ regLen │ ints   │ intsLen│ devtype│  u32 each
// ├────────┼────────┼────────┼────────┼────────┼────────┼────────┼────────┤
// │ #addr  │ #size  │ pathLen│ phandle│ iommus │iommuLen│        │        │  (#addr/#size: for children)
// └────────┴────────┴────────┴────────┴────────┴────────┴────────┴────────┘  64 bytes per depth
const CTX_STRIDE: usize = 64;
const C_NAME: usize = 0;
const C_COMPAT: usize = 4;
const C_COMPLEN: usize = 8;
const C_REG: usize = 12;
const C_REGLEN: usize = 16;
const C_INTS: usize = 20;
const C_INTSLEN: usize = 24;
const C_DEVTYPE: usize = 28;
const C_ADDRC: usize = 32;
const C_SIZEC: usize = 36;
const C_PATHLEN: usize = 40;
const C_PHANDLE: usize = 44;
const C_IOMMUS: usize = 48;
const C_IOMMUSLEN: usize = 52;
const ctxArea: usize = memory.data(<i32>CTX_STRIDE * MAX_DEPTH, 8);

// @ts-ignore: decorator
@inline function cget(d: i32, f: usize): u32 { return load<u32>(ctxArea + <usize>d * CTX_STRIDE + f); }
// @ts-ignore: decorator
@inline function cset(d: i32, f: usize, v: u32): void { store<u32>(ctxArea + <usize>d * CTX_STRIDE + f, v); }

// Full path of the current node, "/soc/serial@235200000".
const PATH_MAX: i32 = 256;
const pathBuf: usize = memory.data(PATH_MAX);

// stdout-path (resolved to a full path, options after ':' dropped)
let stdoutPath: usize = 0;
let stdoutLen: i32 = 0;
// The alias name of an unresolved stdout-path ("serial0")
let stdoutAlias: usize = 0;
let stdoutAliasLen: i32 = 0;
// true once the UART named by stdout-path was found
export let consoleFromStdoutPath = false;

let fdt: usize = 0;
let structBase: usize = 0;
let structEnd: usize = 0;
let stringsBase: usize = 0;

/**
 * Parses the FDT at physical address fdtPa into `bi` (bootinfo.ts). Returns FDT_OK or a reason.
 * The blob must lie in RAM (the machine places it in the last 64 KiB).
 */
export function fdtParse(fdtPa: u64): i32 {
  let memBytes = <u64>memory.size() << 16;
  if (fdtPa < DRAM_BASE || fdtPa - DRAM_BASE + 40 > memBytes) return FDT_BAD_ADDRESS;
  fdt = linOf(fdtPa);
  if (be32(fdt) != FDT_MAGIC) return FDT_BAD_MAGIC;
  let total = be32(fdt + H_TOTALSIZE);
  if (fdtPa - DRAM_BASE + <u64>total > memBytes) return FDT_BAD_ADDRESS;
  fdtVersion = be32(fdt + H_VERSION);
  if (fdtVersion < 16 || be32(fdt + H_LAST_COMP) > 17) return FDT_BAD_VERSION;
  structBase = fdt + be32(fdt + H_OFF_STRUCT);
  structEnd = structBase + (fdtVersion >= 17 ? be32(fdt + H_SIZE_STRUCT) : total - be32(fdt + H_OFF_STRUCT));
  stringsBase = fdt + be32(fdt + H_OFF_STRINGS);
  if (structEnd > fdt + total || stringsBase + be32(fdt + H_SIZE_STRINGS) > fdt + total) return FDT_BAD_STRUCTURE;
  bi.fdtPa = fdtPa;
  bi.fdtSize = total;

  // Memory-reservation block
  rsvCount = 0;
  let r = fdt + be32(fdt + H_OFF_RSVMAP);
  while (r + 16 <= fdt + total) {
    let a = be64(r), s = be64(r + 8);
    if (a == 0 && s == 0) break;
    addReserved(a, s, RSV_MEMRESERVE);
    rsvCount++;
    r += 16;
  }

  stdoutPath = 0; stdoutLen = 0; stdoutAlias = 0; stdoutAliasLen = 0;
  consoleFromStdoutPath = false;
  blockIommuPhandle = 0;
  netIommuPhandle = 0;
  dartPhandle = 0;
  if (!walk(1)) return FDT_BAD_STRUCTURE; // /chosen
  if (stdoutAlias != 0 && !walk(3)) return FDT_BAD_STRUCTURE; // /aliases, to resolve stdout-path
  if (!walk(2)) return FDT_BAD_STRUCTURE; // every node
  // the block device is behind the DART only if its iommus names that DART with a valid stream
  if (bi.dartBase == 0 || blockIommuPhandle == 0 || blockIommuPhandle != dartPhandle || bi.blockSid < 0 || bi.blockSid >= 16) bi.blockSid = -1;
  if (bi.dartBase == 0 || netIommuPhandle == 0 || netIommuPhandle != dartPhandle || bi.netSid < 0 || bi.netSid >= 16 || bi.netSid == bi.blockSid) bi.netSid = -1;
  return FDT_OK;
}

// Walks the struct block; pass 1 reads /chosen, pass 3 /aliases, pass 2 classifies every node.
function walk(pass: i32): bool {
  let p = structBase;
  let depth: i32 = -1;
  while (p + 4 <= structEnd) {
    let tok = be32(p);
    p += 4;
    if (tok == FDT_BEGIN_NODE) {
      depth++;
      if (depth >= MAX_DEPTH) return false;
      let nameLen = cstrLen(p, <i32>(structEnd - p));
      memory.fill(ctxArea + <usize>depth * CTX_STRIDE, 0, CTX_STRIDE);
      cset(depth, C_NAME, <u32>p);
      cset(depth, C_ADDRC, 2); // spec defaults for a node's children
      cset(depth, C_SIZEC, 1);
      if (pass == 2) pathPush(depth, p, nameLen);
      p = align4(p + nameLen + 1);
    } else if (tok == FDT_END_NODE) {
      if (depth < 0) return false;
      if (pass == 2) finishNode(depth);
      depth--;
    } else if (tok == FDT_PROP) {
      if (depth < 0) return false;
      let len = be32(p);
      let nameoff = be32(p + 4);
      let val = p + 8;
      p = align4(val + len);
      if (p > structEnd) return false;
      prop(pass, depth, stringsBase + nameoff, val, <i32>len);
    } else if (tok == FDT_NOP) {
      // nothing
    } else if (tok == FDT_END) {
      return depth == -1;
    } else {
      return false;
    }
  }
  return false;
}

function pathPush(depth: i32, name: usize, nameLen: i32): void {
  let at: i32 = depth == 0 ? 0 : <i32>cget(depth - 1, C_PATHLEN);
  if (depth == 0) { store<u8>(pathBuf, 47); cset(0, C_PATHLEN, 1); return; }
  if (depth > 1 && at < PATH_MAX) { store<u8>(pathBuf + at, 47); at++; }
  for (let i = 0; i < nameLen && at < PATH_MAX; i++) { store<u8>(pathBuf + at, load<u8>(name + i)); at++; }
  cset(depth, C_PATHLEN, <u32>at);
}

/** Size of the AICv1 register block; its timebase page sits right after it. */
const AIC1_REG_SIZE: u64 = 0x8000;

function nodeIs(depth: i32, want: i32, name: string): bool {
  return depth == want && cstrEq(<usize>cget(depth, C_NAME), name);
}

function prop(pass: i32, depth: i32, name: usize, val: usize, len: i32): void {
  if (pass == 1) {
    if (nodeIs(depth, 1, "chosen")) chosenProp(name, val, len);
    return;
  }
  if (pass == 3) {
    if (nodeIs(depth, 1, "aliases")) {
      // "serial0" = "/soc/serial@235200000"
      let n = cstrLen(name, 64);
      if (n == stdoutAliasLen && memory.compare(name, stdoutAlias, n) == 0) {
        stdoutPath = val;
        stdoutLen = cstrLen(val, len);
      }
    }
    return;
  }
  if (cstrEq(name, "#address-cells") && len == 4) cset(depth, C_ADDRC, be32(val));
  else if (cstrEq(name, "#size-cells") && len == 4) cset(depth, C_SIZEC, be32(val));
  else if (cstrEq(name, "compatible")) { cset(depth, C_COMPAT, <u32>val); cset(depth, C_COMPLEN, <u32>len); }
  else if (cstrEq(name, "reg")) { cset(depth, C_REG, <u32>val); cset(depth, C_REGLEN, <u32>len); }
  else if (cstrEq(name, "interrupts")) { cset(depth, C_INTS, <u32>val); cset(depth, C_INTSLEN, <u32>len); }
  else if (cstrEq(name, "device_type")) cset(depth, C_DEVTYPE, <u32>val);
  else if (cstrEq(name, "phandle") && len == 4) cset(depth, C_PHANDLE, be32(val));
  else if (cstrEq(name, "iommus")) { cset(depth, C_IOMMUS, <u32>val); cset(depth, C_IOMMUSLEN, <u32>len); }
  else if (depth == 0 && cstrEq(name, "model")) bi.model = <u32>val;
}

function chosenProp(name: usize, val: usize, len: i32): void {
  if (cstrEq(name, "linux,initrd-start")) bi.initrdStart = len == 8 ? be64(val) : <u64>be32(val);
  else if (cstrEq(name, "linux,initrd-end")) bi.initrdEnd = len == 8 ? be64(val) : <u64>be32(val);
  else if (cstrEq(name, "bootargs")) bi.bootargs = <u32>val;
  else if (cstrEq(name, "stdout-path")) {
    let n = 0;
    while (n < len && load<u8>(val + n) != 0 && load<u8>(val + n) != 58) n++; // stop at ':'
    if (n > 0 && load<u8>(val) == 47) { stdoutPath = val; stdoutLen = n; }
    else { stdoutAlias = val; stdoutAliasLen = n; }
  }
}

// Classifies the node at `depth` once all its properties are known.
function finishNode(depth: i32): void {
  if (depth == 0) return;
  let parent = depth - 1;
  let ac = cget(parent, C_ADDRC), sc = cget(parent, C_SIZEC);
  let reg = <usize>cget(depth, C_REG), regLen = <i32>cget(depth, C_REGLEN);
  let base: u64 = 0, size: u64 = 0;
  let hasReg = reg != 0 && regLen >= <i32>((ac + sc) << 2) && ac > 0;
  if (hasReg) { base = cells(reg, ac); size = cells(reg + (<usize>ac << 2), sc); }

  let devtype = <usize>cget(depth, C_DEVTYPE);
  let name = <usize>cget(depth, C_NAME);
  if (devtype != 0 && cstrEq(devtype, "cpu")) return;
  if (depth == 1 && (devtype != 0 && cstrEq(devtype, "memory"))) {
    if (hasReg && bi.ramSize == 0) { bi.ramBase = base; bi.ramSize = size; }
    return;
  }

  let compat = <usize>cget(depth, C_COMPAT), compLen = <i32>cget(depth, C_COMPLEN);
  let ints = <usize>cget(depth, C_INTS), intsLen = <i32>cget(depth, C_INTSLEN);
  if (compat == 0 || (!hasReg && ints == 0)) return;

  // First interrupt specifier <type number flags>
  let irq: i32 = -1, irqType: u32 = AIC_IRQ;
  if (ints != 0 && intsLen >= 12) { irqType = be32(ints); irq = <i32>be32(ints + 4); }

  let kind = DEV_OTHER;
  let shown = compat;
  let m: usize;
  if ((m = compatHas(compat, compLen, "apple,aic")) != 0) {
    kind = DEV_AIC; shown = m;
    if (bi.aicBase == 0) {
      bi.aicBase = base;
      // AICv1 ("apple,aic", one reg entry per the binding): the timebase page (the system counter
      // at +0x20/+0x28) follows the 0x8000-byte register block; the DT does not list it.
      if (hasReg && size == AIC1_REG_SIZE) { bi.aicTimebase = base + AIC1_REG_SIZE; bi.aicTimebaseSize = 0x1000; }
    }
  } else if ((m = compatHas(compat, compLen, "apple,s5l-uart")) != 0) {
    kind = DEV_UART; shown = m;
    let isStdout = stdoutPath != 0 && <i32>cget(depth, C_PATHLEN) == stdoutLen
      && memory.compare(pathBuf, stdoutPath, stdoutLen) == 0;
    if (isStdout || (bi.uartBase == 0 && !consoleFromStdoutPath)) {
      bi.uartBase = base;
      bi.uartIrq = irq;
      if (isStdout) consoleFromStdoutPath = true;
    }
  } else if ((m = compatHas(compat, compLen, "arm,armv8-timer")) != 0) {
    kind = DEV_TIMER; shown = m;
    // Pick the EL1 physical timer's FIQ among the <AIC_FIQ n flags> specifiers.
    for (let i = 0; i + 12 <= intsLen; i += 12) {
      if (be32(ints + i) == AIC_FIQ && be32(ints + i + 4) == AIC_TMR_GUEST_PHYS) { irq = <i32>AIC_TMR_GUEST_PHYS; irqType = AIC_FIQ; }
    }
    bi.timerFiq = irq;
  } else if ((m = compatHas(compat, compLen, "mlk,trace-ring")) != 0) {
    kind = DEV_TRACE; shown = m;
    if (bi.traceBase == 0) bi.traceBase = base;
  } else if ((m = compatHas(compat, compLen, "mlk,block")) != 0) {
    kind = DEV_BLOCK; shown = m;
    if (bi.blockBase == 0) {
      bi.blockBase = base; bi.blockIrq = irq;
      // iommus = <&dart sid> (#iommu-cells = <1>): checked against the DART's phandle at the end
      let io = <usize>cget(depth, C_IOMMUS);
      if (io != 0 && <i32>cget(depth, C_IOMMUSLEN) >= 8) { blockIommuPhandle = be32(io); bi.blockSid = <i32>be32(io + 4); }
    }
  } else if ((m = compatHas(compat, compLen, "virtio,mmio")) != 0) {
    // the first virtio-mmio slot (the NIC); its iommus names its DART stream, as for the block device
    if (netIommuPhandle == 0 && bi.netSid < 0) {
      kind = DEV_NET; shown = m;
      let io = <usize>cget(depth, C_IOMMUS);
      if (io != 0 && <i32>cget(depth, C_IOMMUSLEN) >= 8) { netIommuPhandle = be32(io); bi.netSid = <i32>be32(io + 4); }
    }
  } else if ((m = compatHas(compat, compLen, "apple,t8103-dart")) != 0) {
    kind = DEV_DART; shown = m;
    if (bi.dartBase == 0) { bi.dartBase = base; bi.dartIrq = irq; dartPhandle = cget(depth, C_PHANDLE); }
  }
  addDevice(name, shown, base, size, irq, irqType, kind);
}

// The block device's iommus phandle and the DART's phandle (resolved in fdtParse).
let blockIommuPhandle: u32 = 0;
let netIommuPhandle: u32 = 0;
let dartPhandle: u32 = 0;
