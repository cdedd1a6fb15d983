// The WebAssembly spec testsuite (2023 subset, tests/el0/spec/, Apache-2.0) on the EL0 core through
// the standalone harness. One test per script; every assertion must pass. Deliberately unsupported
// features are listed in docs/EL0.md; no assertion in these files is skipped today.
import { describe, expect, test } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runWastFile } from '../../tools/el0/wast';

const dir = fileURLToPath(new URL('./spec/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.wast')).sort();

/** Assertions skipped on purpose, per file (must stay in step with docs/EL0.md). */
const EXPECTED_SKIPS: Record<string, number> = {};

/** The tiers: the interpreter alone, the translation tier for every function, and the translation
 * tier preempted every 3 instructions (every instruction boundary is a resume point). */
const TIERS = [
  { name: 'interpreter', opts: { jitThreshold: Infinity } },
  { name: 'jit', opts: { jitThreshold: 0 } },
  { name: 'jit, 3-instruction slices', opts: { jitThreshold: 0, fuelPerRun: 3 } },
];

describe.each(TIERS)('wasm spec testsuite on the EL0 core ($name)', ({ opts }) => {
  test('has the scripts', () => expect(files.length).toBeGreaterThanOrEqual(40));
  for (const f of files) {
    test(f, async () => {
      const r = await runWastFile(dir + f, opts);
      expect(r.failures).toEqual([]);
      expect(r.failed).toBe(0);
      expect(r.skipped).toBe(EXPECTED_SKIPS[f] ?? 0);
      expect(r.passed).toBeGreaterThan(0);
    });
  }
});
