// bootimage.ts — the BootImage capability: Info about the files of the boot image and the
// documented shortcut Spawn, which builds a process from a boot-image file in one call (until
// init builds processes itself with Retype + VSpace/Frame/TCB methods).
//
// Spawn(MR0 = file index, MR1 = priority, MR2 = first of three empty slots in the invoker's
// CSpace, MR3 = CNode radix; extra cap 0 = an Untyped to carve the TCB, VSpace and CNode from):
// the new caps land in slots MR2 (TCB), MR2+1 (VSpace), MR2+2 (CNode). The new process's own
// CNode gets 1 = its TCB, 2 = its CNode, 3 = its VSpace. The thread is left inactive: the invoker
// copies capabilities in and calls TCB.Resume. Page tables and demand-zero pages come from the
// kernel pool. A malformed image returns E_BAD_IMAGE (and the console names the reason).
//
// SpawnFrom is the same with an image that is not in the boot image (a program a student compiled
// in the playground, handed to init by the agent): MR0 = the image's address in the invoker's own
// address space (low 32 bits) and its length (high 32 bits). The kernel copies those bytes, which
// the invoker must be able to read, into pool pages charged to the new VSpace (freed with it), so
// the new process does not depend on the invoker's memory afterwards. The thread is unnamed: the
// invoker names it with TCB.SetName.

import * as con from "../console";
import {
  T_UNTYPED, T_TCB, T_VSPACE, T_CNODE, T_NULL, TS_CTABLE, TS_VTABLE, tcbSlot, TCB_NAME, CNODE_MIN_RADIX,
  CNODE_MAX_RADIX, R_ALL, R_READ, R_WRITE, E_OK, E_RANGE, E_TRUNCATED_MESSAGE, E_FAILED_LOOKUP,
  E_INVALID_CAPABILITY, E_DELETE_FIRST, E_ILLEGAL_OPERATION, E_BAD_IMAGE, BOOT_IMAGE_SPAWN, BOOT_IMAGE_INFO,
  BOOT_IMAGE_SPAWN_FROM, E_INVALID_ARGUMENT, E_NOT_ENOUGH_MEMORY, Invocation,
} from "./structures";
import { tcb } from "../kernel/thread";
import { cte, lookupSlot, cteDelete, cnodeSlotAt } from "../kernel/cspace";
import { deriveCap } from "./cnode";
import { untypedRetype } from "./untyped";
import { setPriority } from "./tcb";
import { nFiles, filePa, fileSize, fileName, fileNameLen, imageStart } from "../kernel/cpio";
import { loadProgram, loaderError, IMG_VA } from "../kernel/loader";
import { translate } from "./vspace";
import { kmemAlloc, kmemRelease, K_DATA } from "../kernel/kmem";
import { DRAM_BASE } from "../arch";

/** The largest image SpawnFrom copies (the EL0 core reads a program of any size; the pool is small). */
const SPAWN_FROM_MAX: u64 = 256 * 1024;

export function decodeBootImageInvocation(inv: Invocation): u64 {
  let t = inv.thread;
  let len = inv.length, mr0 = inv.mr0, mr1 = inv.mr1, mr2 = inv.mr2, mr3 = inv.mr3;
  let x0 = <usize>inv.extra0;
  if (inv.label == BOOT_IMAGE_INFO) {
    if (len < 1) return E_TRUNCATED_MESSAGE;
    if (mr0 >= <u64>nFiles) return E_RANGE;
    let i = <i32>mr0;
    inv.out0 = <u64>fileSize(i);
    inv.out1 = filePa(i) - imageStart;
    inv.out2 = load<u64>(fileName(i));
    inv.out3 = load<u64>(fileName(i) + 8);
    return E_OK;
  }
  if (inv.label != BOOT_IMAGE_SPAWN && inv.label != BOOT_IMAGE_SPAWN_FROM) return E_ILLEGAL_OPERATION;
  if (len < 4 || inv.extraCaps < 1) return E_TRUNCATED_MESSAGE;
  if (x0 == 0) return E_FAILED_LOOKUP;
  if (cte(x0).type != T_UNTYPED) return E_INVALID_CAPABILITY;
  let from = inv.label == BOOT_IMAGE_SPAWN_FROM;
  if (!from && mr0 >= <u64>nFiles) return E_RANGE;
  if (from && ((mr0 >> 32) == 0 || (mr0 >> 32) > SPAWN_FROM_MAX)) return E_RANGE;
  if (mr1 > <u64>tcb(t).mcp) return E_RANGE;
  if (mr3 < <u64>CNODE_MIN_RADIX || mr3 > <u64>CNODE_MAX_RADIX) return E_RANGE;
  if (mr2 > 0xffff_ffff) return E_FAILED_LOOKUP; // mr2 + 2 must not wrap to a small index
  let s0 = lookupSlot(<usize>t, mr2);
  let s1 = lookupSlot(<usize>t, mr2 + 1);
  let s2 = lookupSlot(<usize>t, mr2 + 2);
  if (s0 == 0 || s1 == 0 || s2 == 0) return E_FAILED_LOOKUP;
  if (cte(s0).type != T_NULL || cte(s1).type != T_NULL || cte(s2).type != T_NULL) return E_DELETE_FIRST;
  if (from) return spawnFrom(inv, mr0 & 0xffff_ffff, <u32>(mr0 >> 32), <u32>mr1, s0, s1, s2, <u32>mr3, x0, mr2);
  return spawn(inv, <i32>mr0, <u32>mr1, s0, s1, s2, <u32>mr3, x0, mr2);
}

/** Retypes the new process's TCB, VSpace and CNode from `ut` into slots first..first+2 (all or none). */
function makeObjects(inv: Invocation, radix: u32, ut: usize, first: u64, s0: usize, s1: usize, s2: usize): u64 {
  let own = tcbSlot(<usize>inv.thread, TS_CTABLE);
  let e = untypedRetype(ut, own, <u64>T_TCB, 0, first, 1, inv);
  if (e == E_OK) e = untypedRetype(ut, own, <u64>T_VSPACE, 0, first + 1, 1, inv);
  if (e == E_OK) e = untypedRetype(ut, own, <u64>T_CNODE, <u64>radix, first + 2, 1, inv);
  if (e != E_OK) { cteDelete(s0); cteDelete(s1); cteDelete(s2); }
  return e;
}

/** SpawnFrom, checked: copies the invoker's image into pool pages, then as Spawn. */
function spawnFrom(inv: Invocation, va: u64, len: u32, prio: u32, s0: usize, s1: usize, s2: usize, radix: u32, ut: usize, first: u64): u64 {
  // copy the image out of the invoker's address space, page by page, before anything is created
  let callerVs = <usize>tcbSlot(<usize>inv.thread, TS_VTABLE).obj;
  let pages = (len + 4095) >> 12;
  let pa = kmemAlloc(K_DATA, pages);
  if (pa == 0) return E_NOT_ENOUGH_MEMORY;
  let done: u32 = 0;
  while (done < len) {
    let src = translate(callerVs, va + <u64>done, false);
    if (src == 0) { releasePages(pa, pages, 0); return E_INVALID_ARGUMENT; } // not readable by the invoker
    let chunk = min(len - done, 4096 - <u32>((va + <u64>done) & 0xfff));
    memory.copy(<usize>(pa - DRAM_BASE) + <usize>done, <usize>(src - DRAM_BASE), <usize>chunk);
    done += chunk;
  }
  let e = makeObjects(inv, radix, ut, first, s0, s1, s2);
  if (e != E_OK) { releasePages(pa, pages, 0); return e; }
  let nt = cte(s0).obj;
  let vs = <usize>cte(s1).obj;
  e = loadProgram(vs, nt, pa, len, K_DATA + 1);
  if (e != E_OK) {
    if (e == E_BAD_IMAGE) { con.str("loader: program image rejected: "); con.str(loaderError); con.newline(); }
    releasePages(pa, pages, vs); // the pages the VSpace did not take
    cteDelete(s0); cteDelete(s1); cteDelete(s2);
    return e;
  }
  setupProcess(nt, s0, s1, s2, 0, 0);
  setPriority(nt, prio);
  return E_OK;
}

/** Frees the image copy's pages that are not mapped in `vs` (0: all of them). */
function releasePages(pa: u64, pages: u32, vs: usize): void {
  for (let i: u32 = 0; i < pages; i++) {
    if (vs != 0 && translate(vs, IMG_VA + (<u64>i << 12), false) != 0) continue;
    kmemRelease(K_DATA, pa + (<u64>i << 12));
  }
}

/** Spawn, checked: makes the three objects from Untyped `ut`, loads the file, fills the CSpace. */
function spawn(inv: Invocation, file: i32, prio: u32, s0: usize, s1: usize, s2: usize, radix: u32, ut: usize, first: u64): u64 {
  let e = makeObjects(inv, radix, ut, first, s0, s1, s2);
  if (e != E_OK) return e;
  let nt = cte(s0).obj;
  let vs = <usize>cte(s1).obj;
  e = loadProgram(vs, nt, filePa(file), fileSize(file));
  if (e != E_OK) {
    if (e == E_BAD_IMAGE) {
      con.str("loader: "); con.cstr(fileName(file), 40); con.str(" rejected: "); con.str(loaderError); con.newline();
    }
    cteDelete(s0); cteDelete(s1); cteDelete(s2);
    return e;
  }
  setupProcess(nt, s0, s1, s2, fileName(file), fileNameLen(file));
  setPriority(nt, prio);
  return E_OK;
}

/**
 * Gives a freshly loaded thread its CSpace/VSpace (TCB slots) and the standard caps in its own
 * CNode (1 TCB, 2 CNode, 3 VSpace), and names it after the file (without ".wasm").
 */
export function setupProcess(nt: u32, tcbCap: usize, vsCap: usize, cnCap: usize, name: usize, nameLen: u32, fillCNode: bool = true): void {
  deriveCap(changetype<usize>(tcbSlot(<usize>nt, TS_CTABLE)), cnCap, R_ALL, 0);
  deriveCap(changetype<usize>(tcbSlot(<usize>nt, TS_VTABLE)), vsCap, R_ALL, 0);
  let cn = cte(cnCap);
  if (fillCNode) {
    let d1 = cnodeSlotAt(cn, 1);
    let d2 = cnodeSlotAt(cn, 2);
    let d3 = cnodeSlotAt(cn, 3);
    if (d1 != 0 && tcbCap != 0) deriveCap(d1, tcbCap, R_ALL, 0);
    if (d2 != 0) deriveCap(d2, cnCap, R_ALL, 0);
    if (d3 != 0) deriveCap(d3, vsCap, R_READ | R_WRITE, 0); // no Grant: it cannot raise its own quota
  }
  let n = <i32>nameLen;
  if (n >= 5 && load<u8>(name + n - 5) == 46 /* . */) n -= 5;
  if (n > 23) n = 23;
  let dst = <usize>nt + TCB_NAME;
  memory.fill(dst, 0, 24);
  memory.copy(dst, name, n);
}
