// rt.ts — what every service needs beyond the generated stubs: the standard capability slots init
// gives each service (docs/SERVICES.md "Capability slots"), kernel-object methods used by services
// (Frame.GetAddress, IRQHandler.Ack, CNode.SaveCaller/Delete), name lookup through init, and
// small formatting helpers.

import { invoke, methodOut, svc, signal } from "./ipc";
import * as proc from "../gen/proc";

// ---- standard slots in a service's CNode (installed by init) ----------------------------------
// SLOT_TCB, SLOT_CNODE, SLOT_VSPACE, SLOT_PROC, SLOT_SELF, SLOT_IRQ, SLOT_FRAME, SLOT_IOSPACE,
// SLOT_DYNAMIC (lookups and saved reply capabilities go from here up) and SLOT_END: abi/layout.json.
export {
  SLOT_TCB, SLOT_CNODE, SLOT_VSPACE, SLOT_PROC, SLOT_SELF, SLOT_IRQ, SLOT_FRAME, SLOT_IOSPACE, SLOT_HEARTBEAT, SLOT_DYNAMIC, SLOT_END,
  R_READ, R_WRITE,
} from "../lib/abi";
import {
  SLOT_CNODE, SLOT_PROC, SLOT_DYNAMIC, SLOT_END, SLOT_HEARTBEAT, CNODE_COPY, CNODE_DELETE, CNODE_SAVE_CALLER, FRAME_GET_ADDRESS,
  IRQ_HANDLER_ACK, IOSPACE_MAP, SYS_DEBUG_PUTS,
} from "../lib/abi";

/** Physical address of a frame capability (0 on error). */
export function frameAddress(cap: u64): u64 {
  return invoke(cap, FRAME_GET_ADDRESS, 0, 0, 0, 0, 0) == 0 ? unchecked(methodOut[0]) : 0;
}

/** Re-enables the interrupt line after the device was serviced. */
export function irqAck(cap: u64): u32 { return invoke(cap, IRQ_HANDLER_ACK, 0, 0, 0, 0, 0); }

/** Moves the reply capability of the last Call received into slot (for a deferred reply). */
export function saveCaller(slot: u64): u32 { return invoke(SLOT_CNODE, CNODE_SAVE_CALLER, 1, slot, 0, 0, 0); }

/** Copies the capability in slot src to the empty slot dest with (a subset of) its rights. */
export function copyCap(dest: u64, src: u64, rights: u64): u32 { return invoke(SLOT_CNODE, CNODE_COPY, 3, dest, src, rights, 0); }

/** Maps the frame `frame` (not mapped elsewhere) at IO address `iova` of the DMA stream `iospace`. */
export function ioMap(iospace: u64, frame: u64, iova: u64, rights: u64): u32 {
  return invoke(iospace, IOSPACE_MAP, 2, iova, rights, 0, 0, frame, 0, 0, 1);
}

/** Empties a slot of this service's CNode. */
export function deleteSlot(slot: u64): u32 { return invoke(SLOT_CNODE, CNODE_DELETE, 1, slot, 0, 0, 0); }

/** Kernel debug output (boot log; not for normal output, which goes through console). */
export function debugPuts(s: string): void {
  const b = String.UTF8.encode(s);
  svc(SYS_DEBUG_PUTS, <i64>changetype<usize>(b), <i64>b.byteLength, 0, 0, 0, 0);
}

// ---- heartbeats (docs/SERVICES.md "Supervision") ----------------------------------------------
/** The bit init signals on a service's bound notification to ask "are you alive?". */
export const PING: u64 = 1 << 62;

/**
 * Answers init's heartbeat: call with every received message's badge when its label and length are
 * 0 (a notification). Returns true when it was a ping (other bits, e.g. an IRQ, may come with it).
 */
export function answerPing(badge: u64): bool {
  if ((badge & PING) == 0) return false;
  signal(SLOT_HEARTBEAT);
  return true;
}

// ---- dynamic slots --------------------------------------------------------------------------
let nextSlot: u64 = SLOT_DYNAMIC;
const freeSlots = new Array<u64>();

export function allocSlot(): u64 {
  if (freeSlots.length > 0) return freeSlots.pop();
  if (nextSlot >= SLOT_END) return 0;
  return nextSlot++;
}
export function freeSlot(s: u64): void { deleteSlot(s); freeSlots.push(s); }

const lookupR = new proc.LookupReply();
/** The endpoint of service `name` (as this service's manifest entry allows), or 0; lastError says why. */
export let lastError: u32 = 0;
export function lookup(name: string): u64 {
  const s = allocSlot();
  if (s == 0) { lastError = 10; return 0; }
  lastError = proc.lookup(SLOT_PROC, name, <u32>s, s, lookupR);
  if (lastError != 0) { freeSlots.push(s); return 0; }
  return s;
}

// ---- formatting ------------------------------------------------------------------------------

/** Hexadecimal without leading zeros, "0x" prefix. */
export function hex(v: u64): string { return "0x" + v.toString(16); }

/** Bytes as a (UTF-8) string. */
export function strFrom(p: usize, n: i32): string { return String.UTF8.decodeUnsafe(p, <usize>n); }

// ---- garbage collection -----------------------------------------------------------------------
// Services use the `minimal` runtime (services/asconfig.json): the collector runs only when asked,
// so a collection can never free an object that only a local variable (or a raw pointer) holds.
// Each server loop calls collectGarbage() at its top, where every live object is reachable from a
// global. A full collection costs time proportional to the live heap, so by default it runs every
// 64 loop iterations: the garbage of at most that many requests accumulates (a few pages).
let sinceCollect: u32 = 0;

/** Called at the top of a server loop: a full collection every `period` calls. */
export function collectGarbage(period: u32 = 64): void {
  if (++sinceCollect < period) return;
  sinceCollect = 0;
  __collect();
}
