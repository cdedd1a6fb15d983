// Named save-state slots in IndexedDB (database "mlk-states", object store "slots" keyed by slot
// number): each holds a page state file, the name the user gave it and when it was saved.

import { openDB, type DBSchema } from 'idb';

export const SLOT_COUNT = 4;

export interface Slot {
  slot: number;
  name: string;
  savedAt: string;
  /** Virtual time of the state, in counter ticks. */
  ticks: number;
  bytes: Uint8Array;
}

interface StatesDB extends DBSchema {
  slots: { key: number; value: Slot };
}

const db = () => openDB<StatesDB>('mlk-states', 1, { upgrade: (d) => void d.createObjectStore('slots', { keyPath: 'slot' }) });

export async function listSlots(): Promise<(Omit<Slot, 'bytes'> & { size: number })[]> {
  const all = await (await db()).getAll('slots');
  return all.map(({ bytes, ...rest }) => ({ ...rest, size: bytes.length }));
}

export async function writeSlot(s: Slot): Promise<void> {
  await (await db()).put('slots', s);
}

export async function readSlot(slot: number): Promise<Slot | undefined> {
  return (await db()).get('slots', slot);
}
