import { beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../hw/clock';
import { TRACE_BASE } from '../../hw/memmap';
import {
  TRACE_ARG0,
  TRACE_CAPACITY,
  TRACE_DROPPED,
  TRACE_ENABLE,
  TRACE_KIND,
  TRACE_MAGIC,
  TraceRing,
  type TraceRecord,
} from '../../hw/trace';

describe('trace ring', () => {
  let clock: Clock;
  let ring: TraceRing;
  const emit = (kind: number, ...args: number[]) => {
    args.forEach((a, i) => ring.write32(TRACE_ARG0 + 4 * i, a));
    ring.write32(TRACE_KIND, kind);
  };
  beforeEach(() => {
    clock = new Clock();
    ring = new TraceRing(clock, TRACE_BASE, 4);
  });

  it('identifies itself', () => {
    expect(ring.base).toBe(TRACE_BASE);
    expect(ring.read32(TRACE_MAGIC)).toBe(0x4d4c4b54);
    expect(ring.read32(TRACE_CAPACITY)).toBe(4);
    expect(ring.read32(TRACE_ENABLE)).toBe(1);
    expect(new TraceRing(clock).capacity).toBe(65536);
  });

  it('a KIND write commits {seq, ticks, kind, args} with latched args', () => {
    clock.advance(100);
    emit(7, 1, 2, 3, 4, 5, 0xffffffff);
    clock.advance(5);
    ring.write32(TRACE_ARG0, 9); // only ARG0 changes; ARG1..5 stay latched
    ring.write32(TRACE_KIND, 8);
    expect(ring.read32(TRACE_ARG0 + 4)).toBe(2);
    expect(ring.records()).toEqual([
      { seq: 1, ticks: 100, kind: 7, args: [1, 2, 3, 4, 5, 0xffffffff] },
      { seq: 2, ticks: 105, kind: 8, args: [9, 2, 3, 4, 5, 0xffffffff] },
    ]);
    expect(ring.records(1).map((r) => r.seq)).toEqual([2]);
    expect(ring.records(2)).toEqual([]);
  });

  it('ENABLE = 0 stops commits', () => {
    ring.write32(TRACE_ENABLE, 0);
    emit(1);
    expect(ring.records()).toEqual([]);
    ring.write32(TRACE_ENABLE, 1);
    emit(2);
    expect(ring.records().map((r) => r.kind)).toEqual([2]);
  });

  it('overflow overwrites the oldest and counts unread records in DROPPED', () => {
    for (let k = 1; k <= 6; k++) emit(k);
    expect(ring.records().map((r) => r.kind)).toEqual([3, 4, 5, 6]);
    expect(ring.read32(TRACE_DROPPED)).toBe(2);
    ring.write32(TRACE_DROPPED, 0); // read-only
    expect(ring.read32(TRACE_DROPPED)).toBe(2);
    // Everything was read by records() above: overwriting read records is not a drop.
    emit(7);
    emit(8);
    expect(ring.read32(TRACE_DROPPED)).toBe(2);
    expect(ring.records(6).map((r) => r.kind)).toEqual([7, 8]);
  });

  it('records delivered through onRecord count as read', () => {
    const got: TraceRecord[] = [];
    ring.onRecord = (r) => got.push(r);
    for (let k = 1; k <= 10; k++) emit(k, k * 10);
    expect(got.map((r) => r.args[0])).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(ring.read32(TRACE_DROPPED)).toBe(0);
  });

  it('clear() empties the ring and resets DROPPED; sequence numbers continue', () => {
    for (let k = 1; k <= 6; k++) emit(k);
    ring.clear();
    expect(ring.records()).toEqual([]);
    expect(ring.read32(TRACE_DROPPED)).toBe(0);
    emit(9);
    expect(ring.records()).toEqual([{ seq: 7, ticks: 0, kind: 9, args: [0, 0, 0, 0, 0, 0] }]);
  });

  it('snapshot/restore round-trips through JSON', () => {
    for (let k = 1; k <= 5; k++) emit(k, k);
    const s = JSON.parse(JSON.stringify(ring.snapshot()));
    const r2 = new TraceRing(clock, TRACE_BASE, 4);
    r2.restore(s);
    expect(r2.records()).toEqual(ring.records());
    expect(r2.read32(TRACE_DROPPED)).toBe(1);
    r2.write32(TRACE_KIND, 6);
    expect(r2.records(5)[0].seq).toBe(6);
  });
});
