// slots.ts — the free slots of a service's own CNode (docs/SERVICES.md "Capability slots"): init
// installs the standard capabilities below SLOT_DYNAMIC; looked-up endpoints, saved reply
// capabilities and received capabilities take slots from SLOT_DYNAMIC up to SLOT_END.

import { cnodeDelete } from "./caps";
import { SLOT_CNODE, SLOT_DYNAMIC, SLOT_END } from "./abi";

let nextSlot: u64 = SLOT_DYNAMIC;
let freeSlots: Array<u64> | null = null; // made on first free: a program that allocates no slot allocates nothing

/** An empty slot of the own CNode, or 0 when all are taken. */
export function allocSlot(): u64 {
  const free = freeSlots;
  if (free != null && free.length > 0) return free.pop();
  if (nextSlot >= SLOT_END) return 0;
  return nextSlot++;
}
/** Empties `slot` (deleting its capability) and gives it back to allocSlot. */
export function freeSlot(slot: u64): void { cnodeDelete(SLOT_CNODE, slot); releaseSlot(slot); }
/** Gives back a slot known to be empty. */
export function releaseSlot(slot: u64): void {
  let free = freeSlots;
  if (free == null) { free = new Array<u64>(); freeSlots = free; }
  free.push(slot);
}
