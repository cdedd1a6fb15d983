import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { defineConfig } from '@playwright/test';

// Browser: MLK_CHROMIUM, else Debian's /usr/bin/chromium when present, else Playwright's own.
// The preview port: MLK_E2E_PORT lets two checkouts run their browser tests side by side.
export const e2ePort = Number(process.env.MLK_E2E_PORT ?? 4173);

const chromium = process.env.MLK_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

// Each test's page runs a machine flat out in its worker, next to the browser's main thread and
// the preview server: two pages at once pay only with 4 or more cores. MLK_E2E_WORKERS overrides.
const workers = Number(process.env.MLK_E2E_WORKERS ?? (availableParallelism() >= 4 ? 2 : 1));

export default defineConfig({
  testDir: 'tests/e2e',
  workers,
  // every test opens its own page (a fresh context: its own IndexedDB disk), so with two workers
  // the tests of one file spread over both, and the long lessons file does not finish last alone
  fullyParallel: workers > 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? 'line' : 'list',
  // `e2e` is what `npm test` runs; `figures` (boot times, frame times, first-load size, compile
  // time: measured and recorded, docs/PERFORMANCE.md) runs with the benchmarks, `npm run bench`.
  // A bare `playwright test` runs both.
  projects: [
    { name: 'e2e', testIgnore: /figures\.spec\.ts$/ },
    { name: 'figures', testMatch: /figures\.spec\.ts$/ },
  ],
  use: {
    baseURL: `http://localhost:${e2ePort}/`,
    headless: true,
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  // Always test the production build, the way the page is deployed.
  webServer: {
    command: `npx vite build && npx vite preview --port ${e2ePort} --strictPort`,
    url: `http://localhost:${e2ePort}/`,
    reuseExistingServer: false,
    // the page's machine runs the kernel's invariant checker after every kernel entry
    env: { VITE_MLK_CHECK: '1' },
    timeout: 180_000,
  },
});
