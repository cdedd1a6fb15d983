// The attack every hostile-program test runs (tests/hostile/programs): boot it as init, run until
// it reports, and check that nothing gave way.
import { expect } from 'vitest';
import { boot, image, runUntil, type Booted } from '../kernel/mlk';
import { fuzzProgramDir } from '../../cli/fuzz';

/** Boots init = hostile program `name` with the given helpers (and extra boot-image files), runs until `until`; asserts health. */
export async function attack(name: string, helpers: string[], until: RegExp, extra: { name: string; data: Uint8Array }[] = []): Promise<Booted> {
  const files = [...(await image([name, ...helpers], fuzzProgramDir)), ...extra];
  const b = await boot(files);
  const log = runUntil(b, (l) => until.test(l), 2_000_000_000, 20_000_000);
  expect(b.halts).toEqual([]);
  expect(log).toMatch(until);
  expect(log).not.toMatch(/^FAIL /m);
  expect(log).not.toContain('BREACH');
  expect(b.check()).toBe(0);
  expect(b.json(7).count).toBe(0);
  return b;
}
