// bootShell restores the booted shell from a snapshot of that very boot (tests/services/shell-driver.ts)
// instead of booting again for every test: the restored machine must be the one a real boot gives —
// the same state hash, UART output and read mark — and go on exactly as the really booted one does.
import { describe, expect, it } from 'vitest';
import { stateHash } from '../../hw/snapshot-format';
import { bootShell, buildArtifacts } from './shell-driver';

describe('the booted-shell snapshot of the tests', () => {
  it('is the machine a real boot to the prompt gives, and goes on as it does', async () => {
    const art = buildArtifacts();
    const real = await bootShell(art, undefined, { real: true });
    const restored = await bootShell(art);
    expect(restored).not.toBe(real);
    expect(restored.out).toMatch(/mlk> $/);
    expect(restored.progress).toEqual(real.progress);
    expect(stateHash(restored.m)).toBe(stateHash(real.m));
    expect(restored.m.instructions).toBe(real.m.instructions);
    expect(restored.m.kernelEntries).toBe(real.m.kernelEntries);
    expect(restored.m.clock.ticks).toBe(real.m.clock.ticks);
    // interpreter only, both tiers cold: translated code leaves other bits in unused stack-slot
    // halves than the interpreter (docs/TIMETRAVEL.md, "Departures"), so only this way are a warm
    // machine and a restored one comparable by state hash after running on
    for (const s of [real, restored]) {
      s.m.el0.invalidateCode();
      s.m.el0.jitThreshold = Infinity;
    }
    const typed = [real, restored].map((s) => [s.type('echo saved > /home/f'), s.type('cat /home/f'), s.type('ps'), s.type('ls /')]);
    expect(typed[0][1]).toBe('saved\n');
    expect(typed[1]).toEqual(typed[0]);
    expect(restored.out).toBe(real.out);
    expect(stateHash(restored.m)).toBe(stateHash(real.m));
  }, 120_000);
});
