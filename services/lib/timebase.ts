// timebase.ts — the system counter, read from the AIC's timebase page (t8103 AIC + 0x8000, the
// counter at +0x20 low / +0x28 high; hw/aic.ts). EL0 cannot read CNTPCT itself; a program that was
// given the page (boot-info device "timebase", mapped read-only) reads it here. Counter ticks are
// virtual time: one per retired instruction (docs/ARCHITECTURE.md "Time").

const COUNTER_LO: usize = 0x20;
const COUNTER_HI: usize = 0x28;

/** The counter's frequency (CNTFRQ of the M1's system counter, 24 MHz). */
export const COUNTER_HZ: u32 = 24_000_000;

/** The system counter, from the timebase page mapped at `page` (high, low, high: the low word may wrap between). */
export function readCounter(page: usize): u64 {
  const hi1 = load<u32>(page + COUNTER_HI);
  const lo = load<u32>(page + COUNTER_LO);
  const hi2 = load<u32>(page + COUNTER_HI);
  return (<u64>hi2 << 32) | <u64>(hi1 == hi2 ? lo : load<u32>(page + COUNTER_LO));
}
