// cspace.ts — capability lookup and the capability derivation tree (seL4 src/kernel/cspace.c and
// the mdb part of src/object/cnode.c).
//
// A CSpace is one CNode (single level): a CPtr is a slot index, 1 ≤ cptr < 2^radix (slot 0 holds
// the CNode header, so CPtr 0 is always the null capability).
//
// The CDT is an explicit tree: every slot has parent / first-child / sibling links (slot linear
// addresses). Copy and Mint make the new cap a child of the source, Retype makes the new caps
// children of the Untyped. Deleting a cap splices its children into its parent (so a Revoke higher
// up still reaches them); Revoke deletes every descendant. Reply caps are outside the tree.
//
// Invariants (checked by ki_check): parent/child/sibling links are mutual; no cycles; a child is
// never an empty slot; object reference counts equal the number of caps naming the object.

import { DEBUG, CTE_BYTES } from "../object/structures";
import {
  Cte, ObjHeader, CTE_SHIFT, T_NULL, T_ENDPOINT, T_NOTIFICATION, T_TCB, T_CNODE, T_VSPACE,
  tcbSlot, Tcb, T_REPLY, TS_CTABLE, E_OK, E_FAILED_LOOKUP, Invocation,
} from "../object/structures";
import { finaliseCap, headerOf } from "../object/objecttype";

// @ts-ignore: decorator
@inline export function cte(a: usize): Cte { return changetype<Cte>(a); }

/** True for cap types whose object has a header with a reference count. */
export function hasObject(t: u8): bool {
  return t == T_ENDPOINT || t == T_NOTIFICATION || t == T_TCB || t == T_CNODE || t == T_VSPACE;
}

/** Error of the last failed lookup (E_FAILED_LOOKUP etc.). */
export let lookupError: u64 = E_OK;

/**
 * The slot `index` of the CNode named by cap `cn` (a T_CNODE cap), or 0 when the index is out of
 * range or 0.
 */
export function cnodeSlotAt(cn: Cte, index: u64): usize {
  if (cn.type != T_CNODE) return 0;
  let radix = <u32>cn.data;
  if (index == 0 || index >= (<u64>1 << radix)) return 0;
  return <usize>cn.obj + (<usize>index << CTE_SHIFT);
}

/** Slot addressed by `cptr` in thread `t`'s CSpace; 0 (and lookupError) when it does not resolve. */
export function lookupSlot(t: usize, cptr: u64): usize {
  let s = cnodeSlotAt(tcbSlot(t, TS_CTABLE), cptr);
  if (s == 0) lookupError = E_FAILED_LOOKUP;
  return s;
}

/**
 * The CNode an Untyped or CNode method works in besides the invoked one: the cap passed as extra
 * cap 0, else the invoker's own CSpace root. Returns its slot, 0 when the extra cap did not resolve.
 */
export function invocationRoot(inv: Invocation): usize {
  return inv.extraCaps > 0 ? <usize>inv.extra0 : changetype<usize>(tcbSlot(<usize>inv.thread, TS_CTABLE));
}

/** Like lookupSlot but the slot must hold a capability. */
export function lookupCap(t: usize, cptr: u64): usize {
  let s = lookupSlot(t, cptr);
  if (s == 0) return 0;
  if (cte(s).type == T_NULL) { lookupError = E_FAILED_LOOKUP; return 0; }
  return s;
}

// ---- CDT ----------------------------------------------------------------------------------------

/** Links `child` (an unlinked slot) as the first child of `parent` (0 = a root). */
function linkChild(parent: usize, child: usize): void {
  let c = cte(child);
  c.parent = <u32>parent;
  c.prev = 0;
  c.next = 0;
  if (parent == 0) return;
  let p = cte(parent);
  c.next = p.child;
  if (p.child != 0) cte(<usize>p.child).prev = <u32>child;
  p.child = <u32>child;
}

/** Removes `s` from its parent's child list (its own children stay attached to it). */
function unlinkFromParent(s: usize): void {
  let c = cte(s);
  if (c.prev != 0) cte(<usize>c.prev).next = c.next;
  else if (c.parent != 0) cte(<usize>c.parent).child = c.next;
  if (c.next != 0) cte(<usize>c.next).prev = c.prev;
  c.parent = 0;
  c.next = 0;
  c.prev = 0;
}

/** Moves every child of `s` under `s`'s parent (splice), leaving `s` childless. */
function spliceChildren(s: usize): void {
  let c = cte(s);
  let parent = <usize>c.parent;
  let ch = <usize>c.child;
  c.child = 0;
  while (ch != 0) {
    let nx = <usize>cte(ch).next;
    linkChild(parent, ch);
    ch = nx;
  }
}

/** Writes a new capability into the empty slot `dest`, as a child of `parent` (0 = CDT root). */
export function cteInsert(dest: usize, parent: usize, type: u8, rights: u8, flags: u16, obj: u32, data: u64): void {
  let d = cte(dest);
  if (DEBUG) assert(d.type == T_NULL, "cteInsert: slot not empty");
  d.type = type;
  d.rights = rights;
  d.flags = flags;
  d.obj = obj;
  d.data = data;
  d.child = 0;
  linkChild(parent, dest);
  if (hasObject(type)) changetype<ObjHeader>(<usize>headerOf(type, obj)).refs++;
}

/** Moves the capability in `src` to the empty slot `dest`, keeping its place in the CDT. */
export function cteMove(src: usize, dest: usize): void {
  let d = cte(dest);
  if (DEBUG) assert(d.type == T_NULL, "cteMove: slot not empty");
  memory.copy(dest, src, 32);
  // fix the neighbours' links
  if (d.prev != 0) cte(<usize>d.prev).next = <u32>dest;
  else if (d.parent != 0) cte(<usize>d.parent).child = <u32>dest;
  if (d.next != 0) cte(<usize>d.next).prev = <u32>dest;
  let ch = <usize>d.child;
  while (ch != 0) { cte(ch).parent = <u32>dest; ch = <usize>cte(ch).next; }
  memory.fill(src, 0, CTE_BYTES);
  moveHook(dest);
}

/** Reply caps record where they live in the caller; a move must keep that pointer true. */
function moveHook(dest: usize): void {
  let d = cte(dest);
  if (d.type == T_REPLY) changetype<Tcb>(<usize>d.obj).replySlot = <u32>dest;
}

/**
 * Deletes the capability in slot `s` (no-op when empty). Its children move up to its parent.
 * When it was the last capability to its object, the object is finalised. The slot is cleared
 * before any finalisation runs, so re-entrant deletes see it empty.
 */
export function cteDelete(s: usize): void {
  let c = cte(s);
  if (c.type == T_NULL) return;
  let type = c.type;
  let obj = c.obj;
  let data = c.data;
  let flags = c.flags;
  let rights = c.rights;
  spliceChildren(s);
  unlinkFromParent(s);
  memory.fill(s, 0, CTE_BYTES);
  finaliseCap(type, rights, flags, obj, data, s);
}

/** Deletes every descendant of `s` (s itself stays). */
export function cteRevoke(s: usize): void {
  // Deleting the first child splices its children under s, so the loop visits every descendant.
  // A finalisation may clear s itself (e.g. s lives in a CNode that dies): then child reads 0.
  while (cte(s).type != T_NULL && cte(s).child != 0) cteDelete(<usize>cte(s).child);
}

/** True when `s` has CDT children. */
export function hasChildren(s: usize): bool { return cte(s).child != 0; }
