// names.ts — finding a service by name. init's proc endpoint (SLOT_PROC) answers `lookup` with a
// capability to the endpoint of the service this program's manifest entry lists under that name
// (`uses`), badged with the caller's pid (docs/SERVICES.md "The boot manifest").

import { allocSlot, releaseSlot } from "./slots";
import { SLOT_PROC } from "./abi";
import { NOT_ENOUGH_MEMORY } from "../gen/errors";
import * as proc from "../gen/proc";

let lookupR: proc.LookupReply | null = null;

/** Why the last lookup returned 0 (an error code: DENIED, NO_ENTRY, UNAVAILABLE, …). */
export let lastError: u32 = 0;

/** A capability to the endpoint of service `name` in a fresh slot, or 0 (see lastError). */
export function lookup(name: string): u64 {
  const s = allocSlot();
  if (s == 0) { lastError = NOT_ENOUGH_MEMORY; return 0; }
  let out = lookupR;
  if (out == null) { out = new proc.LookupReply(); lookupR = out; }
  lastError = proc.lookup(SLOT_PROC, name, <u32>s, s, out);
  if (lastError != 0) { releaseSlot(s); return 0; }
  return s;
}
