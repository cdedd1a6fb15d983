// The system counter of the modelled t8103: the 24 MHz count behind CNTPCT_EL0 and the AIC
// timebase registers (shared reference apple-m1.md §2; Arm ARM DDI 0487 D11 "The Generic Timer").
// It is virtual time (DESIGN D5): it moves only when the machine calls advance(), one tick per
// retired EL0 instruction plus a fixed charge per kernel entry. Nothing here reads wall-clock time.

export class Clock {
  /** Current system counter value (ticks at CNTFRQ = 24 MHz). Starts at 0, never decreases. */
  ticks = 0;

  /** Move virtual time forward by n ticks (n a non-negative integer). */
  advance(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Clock.advance: bad tick count ${n}`);
    this.ticks += n;
  }

  snapshot(): { ticks: number } {
    return { ticks: this.ticks };
  }

  restore(s: unknown): void {
    const t = (s as { ticks: number }).ticks;
    if (!Number.isInteger(t) || t < 0) throw new Error('Clock.restore: bad snapshot');
    this.ticks = t;
  }
}
