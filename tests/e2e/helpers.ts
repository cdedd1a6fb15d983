// What the e2e specs share: booting the page and waiting until the terminal settles.

import { expect, type Page } from '@playwright/test';

export const HELLO = 'Hello from MyLittleKernel!';

export const terminalText = (page: Page) => page.evaluate(() => window.__mlk?.terminalText() ?? '');

/** Opens the page and waits for the kernel banner; fails on any uncaught page error. */
export async function boot(page: Page, path = './'): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(path);
  await expect.poll(() => terminalText(page), { message: 'boot log in the terminal' }).toContain(HELLO);
  expect(errors).toEqual([]);
}

/**
 * Waits until the machine is idle and the terminal has not changed for half a second: boot logs
 * of services (init's fs mount lines) can otherwise land in the middle of typed text.
 */
export async function settle(page: Page): Promise<void> {
  let last = '';
  await expect
    .poll(
      async () => {
        const now = await page.evaluate(() => (window.__mlk?.status().idle ? window.__mlk.terminalText() : ''));
        const same = now !== '' && now === last;
        last = now;
        return same;
      },
      { timeout: 30_000, intervals: [500] },
    )
    .toBe(true);
}
