// The kernel benchmark's window markers (bench/kernel.ts): unique, so timing starts at the
// program's loop and not at a boot-log line; and the operations counted are those that ran
// inside the timed window: exactly the program's loop.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { boot, image } from '../kernel/mlk';
import { N, markerRunner } from '../../bench/kernel';
import { VECTOR } from '../../hw/esr';
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

  it('time exactly the loop: N operations and the end marker', async () => {
    const b = await boot(await image(['null'], dir), { bootargs: 'mlk.trace=0' });
    const runTo = markerRunner(b);
    runTo(`${BENCH_BEGIN}\n`);
    expect(b.out().replace(/\r/g, '').endsWith(`${BENCH_BEGIN}\n`)).toBe(true); // stopped right after the begin line
    let syscalls = 0;
    b.m.on('entry', (v) => { if (v === VECTOR.LOWER_SYNC) syscalls++; });
    runTo(BENCH_END);
    expect(b.out().endsWith(BENCH_END)).toBe(true); // and right after the end marker
    expect(syscalls).toBe(N + 1); // N yields, the end marker's print
  }, 60_000);
});
