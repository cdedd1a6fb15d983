// caps.ts — wrappers for the kernel object methods (docs/SYSCALLS.md "Methods").
// Every function returns the kernel's error code (0 = ok).

import * as S from "./sys";

/** Untyped.Retype: `count` objects of `type` into slots first.. of the own CSpace (or of `destCNode`). */
export function retype(ut: u64, type: i64, bits: i64, first: u64, count: i64 = 1, destCNode: u64 = 0): i64 {
  if (destCNode != 0) { S.setCap(0, destCNode); return S.invoke(ut, S.UNTYPED_RETYPE, 4, type, bits, <i64>first, count, 1); }
  return S.invoke(ut, S.UNTYPED_RETYPE, 4, type, bits, <i64>first, count);
}
/** CNode.Copy: dest slot in `cn` ← copy of src slot of the own CSpace (or `srcCNode`), rights clipped. */
export function cnodeCopy(cn: u64, dest: u64, src: u64, rights: i64 = S.R_ALL, srcCNode: u64 = 0): i64 {
  if (srcCNode != 0) { S.setCap(0, srcCNode); return S.invoke(cn, S.CNODE_COPY, 3, <i64>dest, <i64>src, rights, 0, 1); }
  return S.invoke(cn, S.CNODE_COPY, 3, <i64>dest, <i64>src, rights);
}
export function cnodeMint(cn: u64, dest: u64, src: u64, rights: i64, badge: i64): i64 {
  return S.invoke(cn, S.CNODE_MINT, 4, <i64>dest, <i64>src, rights, badge);
}
export function cnodeMove(cn: u64, dest: u64, src: u64): i64 { return S.invoke(cn, S.CNODE_MOVE, 2, <i64>dest, <i64>src); }
export function cnodeDelete(cn: u64, slot: u64): i64 { return S.invoke(cn, S.CNODE_DELETE, 1, <i64>slot); }
export function cnodeRevoke(cn: u64, slot: u64): i64 { return S.invoke(cn, S.CNODE_REVOKE, 1, <i64>slot); }
export function cnodeSaveCaller(cn: u64, slot: u64): i64 { return S.invoke(cn, S.CNODE_SAVE_CALLER, 1, <i64>slot); }

export function tcbResume(tcb: u64): i64 { return S.invoke(tcb, S.TCB_RESUME, 0); }
export function tcbSuspend(tcb: u64): i64 { return S.invoke(tcb, S.TCB_SUSPEND, 0); }
export function tcbSetPriority(tcb: u64, prio: i64): i64 { return S.invoke(tcb, S.TCB_SET_PRIORITY, 1, prio); }
export function tcbSetFaultHandler(tcb: u64, ep: u64): i64 { S.setCap(0, ep); return S.invoke(tcb, S.TCB_SET_FAULT_HANDLER, 0, 0, 0, 0, 0, 1); }
export function tcbBindNotification(tcb: u64, ntfn: u64): i64 { S.setCap(0, ntfn); return S.invoke(tcb, S.TCB_BIND_NOTIFICATION, 0, 0, 0, 0, 0, 1); }
export function tcbWriteRegister(tcb: u64, index: i64, value: i64): i64 { return S.invoke(tcb, S.TCB_WRITE_REGISTERS, 2, index, value); }
export function tcbReadRegisters(tcb: u64, first: i64): i64 { return S.invoke(tcb, S.TCB_READ_REGISTERS, 1, first); }

export function frameMap(frame: u64, vspace: u64, va: u64, rights: i64): i64 {
  S.setCap(0, vspace);
  return S.invoke(frame, S.FRAME_MAP, 2, <i64>va, rights, 0, 0, 1);
}
export function frameUnmap(frame: u64): i64 { return S.invoke(frame, S.FRAME_UNMAP, 0); }
/** Frame.GetAddress: the frame's physical address in reg(2) after the call. */
export function frameGetAddress(frame: u64): i64 { return S.invoke(frame, S.FRAME_GET_ADDRESS, 0); }
/** IOSpace.Map: the frame at IO address `iova` of the DMA stream (docs/SYSCALLS.md). */
export function ioSpaceMap(iospace: u64, frame: u64, iova: u64, rights: i64): i64 {
  S.setCap(0, frame);
  return S.invoke(iospace, S.IOSPACE_MAP, 2, <i64>iova, rights, 0, 0, 1);
}
export function ioSpaceUnmap(iospace: u64, frame: u64): i64 {
  S.setCap(0, frame);
  return S.invoke(iospace, S.IOSPACE_UNMAP, 0, 0, 0, 0, 0, 1);
}

export function irqControlGet(ctl: u64, irq: i64, slot: u64): i64 { return S.invoke(ctl, S.IRQ_CONTROL_GET, 2, irq, <i64>slot); }
export function irqSetNotification(h: u64, ntfn: u64): i64 { S.setCap(0, ntfn); return S.invoke(h, S.IRQ_HANDLER_SET_NOTIFICATION, 0, 0, 0, 0, 0, 1); }
export function irqAck(h: u64): i64 { return S.invoke(h, S.IRQ_HANDLER_ACK, 0); }

/** BootImage.Spawn: file `file` → TCB, VSpace, CNode caps in slots first, first+1, first+2. */
export function spawn(bootImage: u64, file: i64, prio: i64, first: u64, radix: i64, ut: u64): i64 {
  S.setCap(0, ut);
  return S.invoke(bootImage, S.BOOT_IMAGE_SPAWN, 4, file, prio, <i64>first, radix, 1);
}
