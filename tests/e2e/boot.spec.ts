// The playground page, from the production build: it boots the kernel in the worker, the
// terminal shows the boot log, pause/step move the counters exactly as the machine's step did,
// and keys typed into the terminal reach the UART (the boot kernel echoes what it receives).
//
// What "step" means (hw/machine.ts Machine.step): one EL0 instruction, or one kernel entry, or —
// when the core waits in WFI — a jump to the next device deadline and the kernel entry it causes.
// With nothing due (idle, waiting for UART input) a step does nothing and reports 'idle'.

import { expect, test, type Page } from '@playwright/test';
import { HELLO, boot, settle, terminalText } from './helpers';

const shownInstructions = async (page: Page) =>
  Number((await page.getByTestId('status-instructions').innerText()).replace(/[^0-9]/g, ''));

test('boots and shows the kernel banner', async ({ page }) => {
  await boot(page);
  await expect(page.getByTestId('status-state')).toContainText('running');
  await expect(page.getByTestId('status-el')).toHaveText(/EL[01]/);
});

test('pause, then step moves the instruction counter by exactly what the step retired', async ({ page }) => {
  await boot(page);
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('status-state')).toHaveText('paused');
  await expect(page.getByTestId('run-pause')).toHaveText('Run');

  for (let seq = 1; seq <= 3; seq++) {
    const before = await shownInstructions(page);
    await page.getByTestId('step').click();
    const step = page.getByTestId('status-step');
    await expect(step).toContainText(`step #${seq}:`);
    const retired = Number(/\+(\d+) instr/.exec(await step.innerText())![1]);
    expect(retired).toBeLessThanOrEqual(1); // one EL0 instruction at most
    expect(await shownInstructions(page)).toBe(before + retired);
    // The page shows the machine's own numbers.
    const s = await page.evaluate(() => window.__mlk!.status());
    expect(s.step!.retired).toBe(retired);
    expect(s.instructions).toBe(before + retired);
  }
  await expect(page.getByTestId('status-state')).toHaveText('paused');
});

test('typing in the terminal reaches the UART', async ({ page }) => {
  await boot(page);
  await settle(page);
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('ping mlk');
  await expect.poll(() => terminalText(page), { message: 'echo of the typed text' }).toContain('ping mlk');
});

test('reboot boots again', async ({ page }) => {
  await boot(page);
  await page.getByTestId('reboot').click();
  await expect.poll(() => page.evaluate(() => window.__mlk!.status().epoch)).toBe(2);
  await expect.poll(() => terminalText(page)).toContain(HELLO);
});

test('works under a sub-path (relative asset URLs, worker and kernel included)', async ({ page }) => {
  // Serve the same build at /deep/sub/path/: every request there is answered from the root.
  await page.route('**/deep/sub/path/**', async (route) => {
    const url = route.request().url().replace('/deep/sub/path/', '/');
    await route.fulfill({ response: await route.fetch({ url }) });
  });
  const outside: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol.startsWith('http') && !u.pathname.startsWith('/deep/sub/path/')) outside.push(u.pathname);
  });
  await boot(page, '/deep/sub/path/');
  expect(outside).toEqual([]);
});
