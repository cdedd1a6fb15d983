// cnode.ts — CNode methods: Copy, Mint, Move, Delete, Revoke, SaveCaller (seL4 src/object/cnode.c).
//
// The invoked CNode cap names the *destination* CNode (Copy/Mint/Move/SaveCaller) or the CNode
// holding the slot (Delete/Revoke). The source of Copy/Mint/Move is the invoker's own CSpace, or
// the CNode passed as extra cap 0. Rights are clipped to the source's (never an error), a badge
// can be set once, Untyped / Reply / IRQControl caps cannot be copied (IllegalOperation).

import { T_NULL, T_ENDPOINT, T_NOTIFICATION, T_FRAME, T_DEVICE_FRAME, T_IRQ_HANDLER, T_CNODE, T_REPLY,
  CF_MAPPED, CF_IOMAPPED, TS_CALLER, tcbSlot, E_OK, E_FAILED_LOOKUP, E_DELETE_FIRST, E_ILLEGAL_OPERATION,
  E_TRUNCATED_MESSAGE, E_INVALID_CAPABILITY, E_INVALID_ARGUMENT, E_REVOKE_FIRST,
  CNODE_COPY, CNODE_MINT, CNODE_MOVE, CNODE_DELETE, CNODE_REVOKE, CNODE_SAVE_CALLER, Invocation,
} from "./structures";
import { cte, cnodeSlotAt, cteInsert, cteMove, cteDelete, cteRevoke, hasChildren, invocationRoot } from "../kernel/cspace";
import { objectPin, objectUnpin } from "./objecttype";
import { derivable } from "../kernel/ipc";
import { irqCapCopied } from "./irq";
import { untypedRevoked } from "./untyped";

/**
 * Writes a copy of the cap in `src` into empty slot `dest` as its CDT child, with `rights`
 * (already clipped) and `badge` (0 = keep the source's). Frame copies start unmapped.
 */
export function deriveCap(dest: usize, src: usize, rights: u8, badge: u64): void {
  let c = cte(src);
  let data = c.data;
  let flags = c.flags;
  if (c.type == T_FRAME || c.type == T_DEVICE_FRAME) { data = 0; flags &= ~(CF_MAPPED | CF_IOMAPPED); }
  if (badge != 0) data = badge;
  cteInsert(dest, src, c.type, rights, flags, c.obj, data);
  if (c.type == T_IRQ_HANDLER) irqCapCopied(c.obj);
}

/**
 * CNode methods. The invoked cap names the destination CNode; the source CNode of Copy / Mint /
 * Move is extra cap 0, else the invoker's CSpace root.
 */
export function decodeCNodeInvocation(inv: Invocation): u64 {
  let root = invocationRoot(inv);
  if (root == 0) return E_FAILED_LOOKUP;
  let cn = inv.cap;
  let srcRoot = cte(root);
  let label = inv.label, len = inv.length;
  let mr0 = inv.mr0, mr1 = inv.mr1, mr2 = inv.mr2, mr3 = inv.mr3;
  switch (<u32>label) {
    case <u32>CNODE_COPY:
    case <u32>CNODE_MINT: {
      let need: u32 = label == CNODE_MINT ? 4 : 3;
      if (len < need) return E_TRUNCATED_MESSAGE;
      if (srcRoot.type != T_CNODE) return E_INVALID_CAPABILITY;
      let dest = cnodeSlotAt(cn, mr0);
      let src = cnodeSlotAt(srcRoot, mr1);
      if (dest == 0 || src == 0) return E_FAILED_LOOKUP;
      let s = cte(src);
      if (s.type == T_NULL) return E_FAILED_LOOKUP;
      if (cte(dest).type != T_NULL) return E_DELETE_FIRST;
      if (!derivable(s)) return E_ILLEGAL_OPERATION;
      let rights = s.rights & <u8>(mr2 & 0xff);
      let badge: u64 = 0;
      if (label == CNODE_MINT && mr3 != 0) {
        if (s.type != T_ENDPOINT && s.type != T_NOTIFICATION) return E_INVALID_ARGUMENT;
        if (s.data != 0) return E_ILLEGAL_OPERATION; // a badge cannot be changed
        badge = mr3;
      }
      deriveCap(dest, src, rights, badge);
      return E_OK;
    }
    case <u32>CNODE_MOVE: {
      if (len < 2) return E_TRUNCATED_MESSAGE;
      if (srcRoot.type != T_CNODE) return E_INVALID_CAPABILITY;
      let dest = cnodeSlotAt(cn, mr0);
      let src = cnodeSlotAt(srcRoot, mr1);
      if (dest == 0 || src == 0) return E_FAILED_LOOKUP;
      if (cte(src).type == T_NULL) return E_FAILED_LOOKUP;
      if (dest == src) return E_OK;
      if (cte(dest).type != T_NULL) return E_DELETE_FIRST;
      cteMove(src, dest);
      return E_OK;
    }
    case <u32>CNODE_DELETE: {
      if (len < 1) return E_TRUNCATED_MESSAGE;
      let s = cnodeSlotAt(cn, mr0);
      if (s == 0) return E_FAILED_LOOKUP;
      cteDelete(s);
      return E_OK;
    }
    case <u32>CNODE_REVOKE: {
      if (len < 1) return E_TRUNCATED_MESSAGE;
      let s = cnodeSlotAt(cn, mr0);
      if (s == 0) return E_FAILED_LOOKUP;
      if (cte(s).type == T_NULL) return E_FAILED_LOOKUP;
      // The CNode holding s may lose its last cap partway (it can be a descendant of s): pin it so
      // s stays put until every descendant is gone, then let it die.
      let holder = cn.obj;
      objectPin(T_CNODE, holder);
      cteRevoke(s);
      untypedRevoked(s); // an Untyped with no children left gets its memory back
      let done = !hasChildren(s);
      objectUnpin(T_CNODE, holder);
      return done ? E_OK : E_REVOKE_FIRST;
    }
    case <u32>CNODE_SAVE_CALLER: {
      if (len < 1) return E_TRUNCATED_MESSAGE;
      let dest = cnodeSlotAt(cn, mr0);
      if (dest == 0) return E_FAILED_LOOKUP;
      if (cte(dest).type != T_NULL) return E_DELETE_FIRST;
      let caller = changetype<usize>(tcbSlot(<usize>inv.thread, TS_CALLER));
      if (cte(caller).type != T_REPLY) return E_OK; // nothing to save
      cteMove(caller, dest);
      return E_OK;
    }
  }
  return E_ILLEGAL_OPERATION;
}
