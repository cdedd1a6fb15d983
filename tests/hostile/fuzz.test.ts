// The seeded syscall fuzz campaign (cli/fuzz.ts): four fuzzers per round holding each other's TCB
// caps, a canary no fuzzer can reach, the invariant checker after every kernel entry. Every count
// of the final line must be 0.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernel, programs, root } from '../kernel/mlk';
import { FUZZ_PROGRAMS, fuzzProgramDir, runFuzz, summary } from '../../cli/fuzz';

beforeAll(async () => {
  kernel();
  await programs(FUZZ_PROGRAMS, fuzzProgramDir);
}, 300_000);

const clean = (calls: number) => `fuzz: ${calls} calls, 0 host exceptions, 0 kernel panics, 0 invariant violations, 0 isolation breaches`;

describe('syscall fuzz campaign', () => {
  it('100,000 calls with the checker after every kernel entry: no host exception, panic, violation or breach', async () => {
    const r = await runFuzz({ calls: 100_000, seed: 1, check: true });
    // the details (stack, halt report, violated invariant, breach) make a failure self-explaining
    expect(r.details.join('\n')).toBe('');
    expect(summary(r)).toBe(clean(r.calls));
    expect(r.calls).toBeGreaterThanOrEqual(100_000);
    expect(r.rounds).toBeGreaterThan(10);
  }, 900_000);

  it('the kernel alone (no register-file writes): 20,000 calls, checker on, all counts 0', async () => {
    const r = await runFuzz({ calls: 20_000, seed: 7, check: true, skipRegisters: true });
    expect(r.details.join('\n')).toBe('');
    expect(summary(r)).toBe(clean(r.calls));
  }, 600_000);

  it('`mlk fuzz` prints the counts as its last line, is deterministic, and exits 0 when all are 0', () => {
    const run = () => spawnSync(process.execPath, ['bin/mlk.js', 'fuzz', '--calls', '1500', '--seed', '5', '--skip-registers'], { cwd: root, encoding: 'latin1' });
    const a = run();
    const b = run();
    const last = (s: string) => s.trim().split('\n').at(-1);
    expect(last(a.stdout)).toMatch(/^fuzz: \d+ calls, 0 host exceptions, 0 kernel panics, 0 invariant violations, 0 isolation breaches$/);
    expect(a.status).toBe(0);
    expect(last(b.stdout)).toBe(last(a.stdout)); // same seed, same run (virtual time only)
    expect(a.stdout).toMatch(/calls\/s/);
  }, 300_000);

  it('`mlk fuzz` rejects a bad option with exit code 2', () => {
    const r = spawnSync(process.execPath, ['bin/mlk.js', 'fuzz', '--calls', 'lots'], { cwd: root, encoding: 'latin1' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('mlk fuzz: --calls needs a non-negative integer');
  });
});
