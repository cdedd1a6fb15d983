// The CPU panel: the core's registers with changes highlighted, and breakpoints on what the kernel
// traces — run-to-breakpoint must stop exactly at the matching event.

import { expect, test, type Page } from '@playwright/test';
import { boot, settle, terminalText } from './helpers';

const status = (page: Page) => page.evaluate(() => window.__mlk!.status());

test('breakpoint on a fault in a VA range stops at the null-pointer read of `spawn faults`', async ({ page }) => {
  await boot(page);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/^mlk> /m);
  await settle(page);
  await page.getByTestId('tab-cpu').click();
  await page.getByTestId('bp-kind').selectOption('fault');
  await page.getByTestId('bp-a').fill('0x0');
  await page.getByTestId('bp-b').fill('0x1000');
  await page.getByTestId('bp-add').click();
  await expect(page.getByTestId('bp-list')).toContainText('fault in [0x0, 0x1000)');
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('status-state')).toHaveText('paused');
  await page.evaluate(() => window.__mlk!.input('spawn faults\r'));
  // the spawn takes several scheduler ticks: run to the breakpoint until it is reached
  for (let i = 0; i < 20 && !(await status(page)).breakHit; i++) {
    const seq = (await status(page)).step?.seq ?? 0;
    await page.getByTestId('bp-run').click();
    await expect.poll(async () => (await status(page)).step?.seq).toBe(seq + 1);
  }
  await expect(page.getByTestId('bp-hit')).toContainText('fault at 0x0');
  // stopped right after that entry: the last FAULT record the kernel wrote is the one at VA 0
  const faults = await page.evaluate(() => window.__mlk!.records('FAULT'));
  expect(faults.at(-1)![2]).toBe(0);
  await expect(page.getByTestId('status-entry')).toContainText('data abort (read) at 0x0');
  await expect(page.getByTestId('cpu-regs')).toContainText('FAR_EL1');
});

test('breakpoint on a syscall stops at it; registers that changed are highlighted', async ({ page }) => {
  await boot(page);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/^mlk> /m);
  await settle(page);
  await page.getByTestId('tab-cpu').click();
  await page.getByTestId('bp-kind').selectOption('syscall');
  await page.getByTestId('bp-a').selectOption('6'); // replyrecv
  await page.getByTestId('bp-add').click();
  await page.getByTestId('run-pause').click();
  await page.evaluate(() => window.__mlk!.input('ps\r'));
  await page.getByTestId('bp-run').click();
  await expect(page.getByTestId('bp-hit')).toContainText('syscall replyrecv');
  await expect(page.getByTestId('status-entry')).toContainText('SVC replyrecv');
  // one more: the register file moves, and the changed rows are marked
  await page.getByTestId('bp-run').click();
  await expect(page.getByTestId('cpu-regs').locator('tr.changed').first()).toBeVisible();
});
