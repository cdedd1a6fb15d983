// The kernel benchmark's window markers (bench/kernel.ts): unique, so timing starts at the
// program's loop and not at a boot-log line; and the operations counted are those that ran
// inside the timed window.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { boot, image } from '../kernel/mlk';
import { measuredOps } from '../../bench/kernel';
import { BENCH_BEGIN, BENCH_END } from '../../bench/kernel-programs/markers';

const dir = fileURLToPath(new URL('../../bench/kernel-programs', import.meta.url));

describe('kernel benchmark markers', () => {
  it('appear only where the program prints them, after the whole boot log', async () => {
    const b = await boot(await image(['null'], dir), { bootargs: 'mlk.trace=0' });
    for (let i = 0; i < 10_000 && !b.out().includes(BENCH_BEGIN); i++) b.m.run(1_000);
    const out = b.out();
    const at = out.indexOf(BENCH_BEGIN);
    expect(at).toBeGreaterThan(0);
    const bootLog = out.slice(0, at);
    expect(bootLog).toContain('Hello from MyLittleKernel!');
    expect(bootLog).toMatch(/B\r\n/); // what the old "B" marker matched: the boot log itself
    expect(out.indexOf(BENCH_BEGIN, at + 1)).toBe(-1);
    expect(out).not.toContain(BENCH_END);
  }, 60_000);

  it('divides by the operations inside the window', () => {
    // 1000 ops of 10 ticks from tick 0; timing started at tick 95: ops 0..9 ran before it
    expect(measuredOps(1000, 0, 95, 10_000)).toBe(990);
    expect(measuredOps(1000, 0, 0, 10_000)).toBe(1000);
  });
});
