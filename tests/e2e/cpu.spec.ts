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

test('function breakpoint on a service stops at its entry, shown in the disassembly with that instruction highlighted', async ({ page }) => {
  await boot(page);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/^mlk> /m);
  await settle(page);
  await page.getByTestId('tab-cpu').click();
  await page.getByTestId('bp-kind').selectOption('func');
  await page.getByTestId('bp-a').selectOption('shell');
  // the shell's first defined function: the runtime's allocator, which every command line calls
  const option = page.getByTestId('bp-b').locator('option').nth(1);
  const func = Number(await option.getAttribute('value'));
  const label = (await option.textContent())!;
  await page.getByTestId('bp-b').selectOption(String(func));
  await page.getByTestId('bp-add').click();
  await expect(page.getByTestId('bp-list')).toContainText(`function ${label.replace(/ \(func \d+\)$/, '')} of shell`);
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('status-state')).toHaveText('paused');
  await page.evaluate(() => window.__mlk!.input('ps\r'));
  for (let i = 0; i < 20 && !(await status(page)).breakHit; i++) {
    const seq = (await status(page)).step?.seq ?? 0;
    await page.getByTestId('bp-run').click();
    await expect.poll(async () => (await status(page)).step?.seq).toBe(seq + 1);
  }
  await expect(page.getByTestId('bp-hit')).toContainText('of shell');
  const s = await status(page);
  expect(s.cpu!.el).toBe(0); // stopped in user code, before the instruction: no kernel entry
  expect(s.cpu!.pcFunc).toBe(func);
  await expect(page.getByTestId('code-func')).toContainText(`shell · `);
  await expect(page.getByTestId('code-func')).toContainText(`(func ${func})`);
  // the highlighted line is the function's first instruction that does something (block/loop emit no code)
  const rows = await page.getByTestId('code').locator('tr').allTextContents();
  const first = rows.find((r) => !/0x[0-9a-f]+(block|loop|nop)\b/.test(r))!;
  await expect(page.getByTestId('code-current')).toHaveText(first);
  expect(s.cpu!.code!.offset).toBe(s.cpu!.code!.lines.find((l) => !/^(block|loop|nop)\b/.test(l.text))!.offset);
  // running on executes the instruction and goes on: the next stop is a later call of the function
  const instr = s.instructions;
  const seq = s.step!.seq;
  await page.getByTestId('bp-run').click();
  await expect.poll(async () => (await status(page)).step?.seq).toBe(seq + 1);
  expect((await status(page)).instructions).toBeGreaterThan(instr);
});
