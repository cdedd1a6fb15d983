// caps.ts — the kernel objects' methods (docs/SYSCALLS.md §4). A method is a Call on the object's
// capability whose label names it; the arguments are message words, capability arguments travel
// as extra caps. Every function returns the kernel's error code (0 = ok); results are in mr(0..3).
// `cn` below is a CNode capability (SLOT_CNODE: the caller's own) and slots are CPtrs in it.

import { svc, msgInfo } from "./sys";
import { setCap } from "./ipcbuf";
import {
  SYS_CALL, R_ALL, UNTYPED_RETYPE, CNODE_COPY, CNODE_MINT, CNODE_MOVE, CNODE_DELETE, CNODE_REVOKE, CNODE_SAVE_CALLER,
  TCB_RESUME, TCB_SUSPEND, TCB_SET_PRIORITY, TCB_SET_FAULT_HANDLER, TCB_BIND_NOTIFICATION, TCB_WRITE_REGISTERS,
  TCB_READ_REGISTERS, TCB_GET_INFO, TCB_SET_NAME, FRAME_MAP, FRAME_UNMAP, FRAME_GET_ADDRESS, IOSPACE_MAP, IOSPACE_UNMAP, IRQ_CONTROL_GET,
  IRQ_HANDLER_SET_NOTIFICATION, IRQ_HANDLER_ACK, IRQ_HANDLER_SET_DEADLINE, BOOT_IMAGE_SPAWN, BOOT_IMAGE_SPAWN_FROM,
} from "./abi";

/** Calls method `label` of the object `cap` with `len` words and `extraCaps` caps staged by setCap. */
export function invoke(cap: u64, label: u64, len: u32, a0: u64 = 0, a1: u64 = 0, a2: u64 = 0, a3: u64 = 0, extraCaps: u32 = 0): u32 {
  return <u32>svc(SYS_CALL, <i64>cap, msgInfo(label, extraCaps, len), <i64>a0, <i64>a1, <i64>a2, <i64>a3);
}
/** A method with one capability argument (the object's own cap is `cap`). */
function invokeWithCap(cap: u64, label: u64, arg: u64, len: u32, a0: u64 = 0, a1: u64 = 0, a2: u64 = 0, a3: u64 = 0): u32 {
  setCap(0, arg);
  return invoke(cap, label, len, a0, a1, a2, a3, 1);
}

// ---- Untyped ---------------------------------------------------------------------------------------
/** Untyped.Retype: `count` objects of `type` (size `bits` where it varies) into slots first.. of the own CSpace, or of CNode `destCNode`. */
export function retype(ut: u64, type: u64, bits: u64, first: u64, count: u64 = 1, destCNode: u64 = 0): u32 {
  if (destCNode != 0) return invokeWithCap(ut, UNTYPED_RETYPE, destCNode, 4, type, bits, first, count);
  return invoke(ut, UNTYPED_RETYPE, 4, type, bits, first, count);
}

// ---- CNode -----------------------------------------------------------------------------------------
/** CNode.Copy: slot `dest` of `cn` ← a copy of slot `src` of the own CSpace (or of CNode `srcCNode`), rights clipped. */
export function cnodeCopy(cn: u64, dest: u64, src: u64, rights: u64 = R_ALL, srcCNode: u64 = 0): u32 {
  if (srcCNode != 0) return invokeWithCap(cn, CNODE_COPY, srcCNode, 3, dest, src, rights);
  return invoke(cn, CNODE_COPY, 3, dest, src, rights);
}
/** CNode.Mint: like Copy, and the copy carries `badge` (an endpoint's or notification's). */
export function cnodeMint(cn: u64, dest: u64, src: u64, rights: u64, badge: u64): u32 {
  return invoke(cn, CNODE_MINT, 4, dest, src, rights, badge);
}
/** CNode.Move: the capability in `src` moves to the empty slot `dest`. */
export function cnodeMove(cn: u64, dest: u64, src: u64): u32 { return invoke(cn, CNODE_MOVE, 2, dest, src); }
/** CNode.Delete: empties `slot` (the object dies with its last capability). */
export function cnodeDelete(cn: u64, slot: u64): u32 { return invoke(cn, CNODE_DELETE, 1, slot); }
/** CNode.Revoke: deletes every capability derived from the one in `slot`, which stays. */
export function cnodeRevoke(cn: u64, slot: u64): u32 { return invoke(cn, CNODE_REVOKE, 1, slot); }
/** CNode.SaveCaller: moves the reply capability of the last Call received into `slot` (a deferred reply). */
export function cnodeSaveCaller(cn: u64, slot: u64): u32 { return invoke(cn, CNODE_SAVE_CALLER, 1, slot); }

// ---- TCB -------------------------------------------------------------------------------------------
/** TCB.Resume: starts (or restarts) the thread. */
export function tcbResume(tcb: u64): u32 { return invoke(tcb, TCB_RESUME, 0); }
/** TCB.Suspend: stops the thread; it leaves every queue. */
export function tcbSuspend(tcb: u64): u32 { return invoke(tcb, TCB_SUSPEND, 0); }
/** TCB.SetPriority: 0..31, at most the caller's own. */
export function tcbSetPriority(tcb: u64, prio: u64): u32 { return invoke(tcb, TCB_SET_PRIORITY, 1, prio); }
/** TCB.SetFaultHandler: the thread's faults become messages to endpoint `ep`. */
export function tcbSetFaultHandler(tcb: u64, ep: u64): u32 { return invokeWithCap(tcb, TCB_SET_FAULT_HANDLER, ep, 0); }
/** TCB.BindNotification: signals on `ntfn` then arrive through the thread's Recv (label 0, badge = the word). */
export function tcbBindNotification(tcb: u64, ntfn: u64): u32 { return invokeWithCap(tcb, TCB_BIND_NOTIFICATION, ntfn, 0); }
/** TCB.WriteRegisters: sets register slot `index` (abi REG_*) of a suspended thread. */
export function tcbWriteRegister(tcb: u64, index: u64, value: u64): u32 { return invoke(tcb, TCB_WRITE_REGISTERS, 2, index, value); }
/** TCB.ReadRegisters: register slots first..first+3 into mr(0..3). */
export function tcbReadRegisters(tcb: u64, first: u64): u32 { return invoke(tcb, TCB_READ_REGISTERS, 1, first); }
/** Word k (0..2) of a thread name as the kernel stores it: up to 23 ASCII bytes, little-endian. */
export function nameWord(s: string, k: i32): u64 {
  let w: u64 = 0;
  for (let i = k * 8; i < min(s.length, min(k * 8 + 8, 23)); i++) w |= <u64>(s.charCodeAt(i) & 0x7f) << (<u64>(i & 7) * 8);
  return w;
}
/** TCB.SetName: names thread `tcb` (≤ 23 bytes) as the panels and `ps` show it. */
export function tcbSetName(tcb: u64, s: string): u32 { return invoke(tcb, TCB_SET_NAME, 3, nameWord(s, 0), nameWord(s, 1), nameWord(s, 2)); }
/** TCB.GetInfo: mr(0) the thread's kernel id, mr(1) its state (THREAD_* / TS_*), mr(2) its priority, mr(3) its CPU ticks. */
export function tcbGetInfo(tcb: u64): u32 { return invoke(tcb, TCB_GET_INFO, 0); }

// ---- Frame and IOSpace -----------------------------------------------------------------------------
/** Frame.Map: maps the frame at `va` of address space `vspace` with `rights` (R_READ, R_WRITE, MAP_EXEC). */
export function frameMap(frame: u64, vspace: u64, va: u64, rights: u64): u32 { return invokeWithCap(frame, FRAME_MAP, vspace, 2, va, rights); }
/** Frame.Unmap: removes the frame's mapping. */
export function frameUnmap(frame: u64): u32 { return invoke(frame, FRAME_UNMAP, 0); }
/** Frame.GetAddress: the frame's physical address in mr(0). */
export function frameGetAddress(frame: u64): u32 { return invoke(frame, FRAME_GET_ADDRESS, 0); }
/** IOSpace.Map: the frame (not mapped elsewhere) at IO address `iova` of the DMA stream `iospace`. */
export function ioSpaceMap(iospace: u64, frame: u64, iova: u64, rights: u64): u32 { return invokeWithCap(iospace, IOSPACE_MAP, frame, 2, iova, rights); }
/** IOSpace.Unmap: removes the frame's IO mapping. */
export function ioSpaceUnmap(iospace: u64, frame: u64): u32 { return invokeWithCap(iospace, IOSPACE_UNMAP, frame, 0); }

// ---- interrupts ------------------------------------------------------------------------------------
/** IRQControl.Get: an IRQHandler capability for line `irq` into `slot`. */
export function irqControlGet(ctl: u64, irq: u64, slot: u64): u32 { return invoke(ctl, IRQ_CONTROL_GET, 2, irq, slot); }
/** IRQHandler.SetNotification: the line signals `ntfn` when it fires. */
export function irqSetNotification(h: u64, ntfn: u64): u32 { return invokeWithCap(h, IRQ_HANDLER_SET_NOTIFICATION, ntfn, 0); }
/** IRQHandler.Ack: unmasks the line again after the device was serviced. */
export function irqAck(h: u64): u32 { return invoke(h, IRQ_HANDLER_ACK, 0); }
/** IRQHandler.SetDeadline (the virtual timer): fires at counter value `at`; mr(0) = the counter now. */
export function irqSetDeadline(h: u64, at: u64): u32 { return invoke(h, IRQ_HANDLER_SET_DEADLINE, 1, at); }

// ---- the boot image --------------------------------------------------------------------------------
/** BootImage.Spawn: boot file `file` → TCB, VSpace, CNode (radix `radix`) in slots first.. of the own CSpace, made from Untyped `ut`. */
export function spawn(bootImage: u64, file: u64, prio: u64, first: u64, radix: u64, ut: u64): u32 {
  return invokeWithCap(bootImage, BOOT_IMAGE_SPAWN, ut, 4, file, prio, first, radix);
}
/** BootImage.SpawnFrom: as spawn, from an image in the caller's memory (`where` = address | length << 32). */
export function spawnFrom(bootImage: u64, where: u64, prio: u64, first: u64, radix: u64, ut: u64): u32 {
  return invokeWithCap(bootImage, BOOT_IMAGE_SPAWN_FROM, ut, 4, where, prio, first, radix);
}
