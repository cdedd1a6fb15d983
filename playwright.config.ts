import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Browser: MLK_CHROMIUM, else Debian's /usr/bin/chromium when present, else Playwright's own.
// The preview port: MLK_E2E_PORT lets two checkouts run their browser tests side by side.
export const e2ePort = Number(process.env.MLK_E2E_PORT ?? 4173);

const chromium = process.env.MLK_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'tests/e2e',
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? 'line' : 'list',
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
