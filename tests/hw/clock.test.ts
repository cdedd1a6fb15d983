import { describe, expect, it } from 'vitest';
import { Clock } from '../../hw/clock';

describe('Clock', () => {
  it('starts at 0 and advances by whole ticks', () => {
    const c = new Clock();
    expect(c.ticks).toBe(0);
    c.advance(5);
    c.advance(0);
    c.advance(24_000_000);
    expect(c.ticks).toBe(24_000_005);
  });

  it('rejects negative or fractional advances', () => {
    const c = new Clock();
    expect(() => c.advance(-1)).toThrow(RangeError);
    expect(() => c.advance(1.5)).toThrow(RangeError);
    expect(c.ticks).toBe(0);
  });

  it('snapshot/restore round-trips through JSON', () => {
    const c = new Clock();
    c.advance(123456789);
    const s = JSON.parse(JSON.stringify(c.snapshot()));
    const d = new Clock();
    d.restore(s);
    expect(d.ticks).toBe(123456789);
  });
});
