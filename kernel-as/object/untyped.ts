// untyped.ts — Untyped memory and Retype (seL4 src/object/untyped.c).
//
// An Untyped cap covers 2^sizeBits bytes of physical memory starting at obj << 12, with a
// watermark (bytes used) in the cap. Retype carves `count` objects of one type from the watermark,
// each aligned to its size, into consecutive empty slots; the new caps are CDT children of the
// Untyped. When the Untyped has no children left (after Revoke) the watermark resets to 0 and the
// memory is reused. Device Untyped can only become frames (device frames) or smaller Untyped.
//
// Untyped caps cannot be copied (only moved): two copies would allocate the same memory.

import { DRAM_BASE } from "../arch";
import {
  Cte, T_UNTYPED, T_ENDPOINT, T_NOTIFICATION, T_TCB, T_CNODE, T_VSPACE, T_FRAME, T_DEVICE_FRAME, T_NULL,
  CF_DEVICE, R_ALL, CNODE_MIN_RADIX, CNODE_MAX_RADIX, E_OK, E_INVALID_ARGUMENT, E_RANGE, E_FAILED_LOOKUP,
  E_DELETE_FIRST, E_NOT_ENOUGH_MEMORY, E_TRUNCATED_MESSAGE, E_ILLEGAL_OPERATION, E_INVALID_CAPABILITY,
  UNTYPED_RETYPE, Invocation,
} from "./structures";
import { cte, cnodeSlotAt, cteInsert, invocationRoot } from "../kernel/cspace";
import { objectSizeBits, createObject } from "./objecttype";

const MAX_RETYPE: u64 = 256;
export const MIN_UNTYPED_BITS: u32 = 12;
export const MAX_UNTYPED_BITS: u32 = 36;

// @ts-ignore: decorator
@inline export function utBits(c: Cte): u32 { return <u32>(c.data & 0xff); }
// @ts-ignore: decorator
@inline export function utUsed(c: Cte): u64 { return c.data >> 8; }
// @ts-ignore: decorator
@inline export function utBase(c: Cte): u64 { return <u64>c.obj << 12; }

/**
 * Untyped.Retype: MR0 = type, MR1 = size bits (CNode radix / Untyped bits), MR2 = first
 * destination slot, MR3 = count; destination CNode = extra cap 0, else the invoker's CSpace.
 * On E_NOT_ENOUGH_MEMORY reply word 0 = bytes free.
 */
export function decodeUntypedInvocation(inv: Invocation): u64 {
  let root = invocationRoot(inv);
  if (root == 0) return E_FAILED_LOOKUP;
  if (inv.label != UNTYPED_RETYPE) return E_ILLEGAL_OPERATION;
  if (inv.length < 4) return E_TRUNCATED_MESSAGE;
  return untypedRetype(inv.slot, cte(root), inv.mr0, inv.mr1, inv.mr2, inv.mr3, inv);
}

/**
 * Checks and performs a Retype of `count` objects of `type` from Untyped slot `ut` into
 * `destRoot` from index `first` on (also BootImage.Spawn's way to make its objects). On
 * E_NOT_ENOUGH_MEMORY the bytes still free go to reply word 0 of `reply`.
 */
export function untypedRetype(ut: usize, destRoot: Cte, type: u64, bits: u64, first: u64, count: u64, reply: Invocation): u64 {
  let u = cte(ut);
  let device = (u.flags & CF_DEVICE) != 0;
  let t = <u8>type;
  if (type > 255) return E_INVALID_ARGUMENT;
  if (t != T_UNTYPED && t != T_ENDPOINT && t != T_NOTIFICATION && t != T_TCB && t != T_CNODE && t != T_VSPACE && t != T_FRAME) return E_INVALID_ARGUMENT;
  if (device && t != T_FRAME && t != T_UNTYPED) return E_INVALID_ARGUMENT;
  if (t == T_CNODE && (bits < <u64>CNODE_MIN_RADIX || bits > <u64>CNODE_MAX_RADIX)) return E_RANGE;
  if (t == T_UNTYPED && (bits < <u64>MIN_UNTYPED_BITS || bits > <u64>utBits(u))) return E_RANGE;
  if (count == 0 || count > MAX_RETYPE) return E_RANGE;
  if (destRoot.type != T_CNODE) return E_INVALID_CAPABILITY;
  let radix = <u32>destRoot.data;
  let slots: u64 = <u64>1 << radix;
  if (first == 0 || first >= slots || count > slots - first) return E_RANGE; // no wrapping sum
  for (let i: u64 = 0; i < count; i++) {
    let d = cnodeSlotAt(destRoot, first + i);
    if (d == 0) return E_FAILED_LOOKUP;
    if (cte(d).type != T_NULL) return E_DELETE_FIRST;
  }
  let sizeBits = objectSizeBits(t, <u32>bits);
  let size: u64 = <u64>1 << sizeBits;
  let used = u.child == 0 ? 0 : utUsed(u);
  let start = (used + size - 1) & ~(size - 1);
  let total: u64 = <u64>1 << utBits(u);
  if (start > total || count > (total - start) >> sizeBits) {
    reply.out0 = total - used;
    return E_NOT_ENOUGH_MEMORY;
  }
  return invokeRetype(ut, destRoot, t, <u32>bits, first, <u32>count, start, sizeBits, device);
}

function invokeRetype(ut: usize, destRoot: Cte, t: u8, bits: u32, first: u64, count: u32, start: u64, sizeBits: u32, device: bool): u64 {
  let u = cte(ut);
  let base = utBase(u);
  let size: u64 = <u64>1 << sizeBits;
  for (let i: u32 = 0; i < count; i++) {
    let pa = base + start + <u64>i * size;
    let d = cnodeSlotAt(destRoot, first + i);
    if (!device) memory.fill(<usize>(pa - DRAM_BASE), 0, <usize>size);
    // the watermark moves first, so a failing object does not leave memory double-booked
    u.data = <u64>utBits(u) | ((start + <u64>(i + 1) * size) << 8);
    if (t == T_FRAME) {
      cteInsert(d, ut, device ? T_DEVICE_FRAME : T_FRAME, R_ALL, 0, <u32>(pa >> 12), 0);
    } else if (t == T_UNTYPED) {
      cteInsert(d, ut, T_UNTYPED, R_ALL, device ? CF_DEVICE : 0, <u32>(pa >> 12), <u64>bits);
    } else {
      let a = <u32>(pa - DRAM_BASE);
      let e = createObject(t, a, bits, false);
      if (e != E_OK) return e;
      cteInsert(d, ut, t, R_ALL, 0, a, t == T_CNODE ? <u64>bits : 0);
    }
  }
  return E_OK;
}

/** After Revoke on slot s: an Untyped with no children left gets its whole memory back. */
export function untypedRevoked(s: usize): void {
  let u = cte(s);
  if (u.type == T_UNTYPED && u.child == 0) u.data = <u64>utBits(u);
}
