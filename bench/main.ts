// `npm run bench` / `mlk bench [el0|kernel]`: runs the benchmark suites, prints their tables and
// writes bench/results/<suite>.json. Speed goals live here, never in tests.

import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SUITES: Record<string, () => Promise<unknown>> = {
  el0: async () => (await import('./el0')).benchEl0(),
  kernel: async () => (await import('./kernel')).benchKernel(),
  timetravel: async () => (await import('./timetravel')).benchTimeTravel(),
  net: async () => (await import('./net')).benchNet(),
};

export async function benchMain(argv: string[]): Promise<number> {
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  const names = argv.length ? argv : Object.keys(SUITES);
  for (const name of names) {
    const suite = SUITES[name];
    if (!suite) {
      console.error(`mlk bench: unknown suite '${name}' (have: ${Object.keys(SUITES).join(', ')})`);
      return 2;
    }
    console.log(`\n== ${name} ==`);
    await suite();
  }
  return 0;
}
