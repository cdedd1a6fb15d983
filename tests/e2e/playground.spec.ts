// The playground's panels and tools, against the production build. Tests that need parts of the
// system a build may not have yet (services, the playground agent) check the boot image listing
// the worker reports and skip with the reason; everything else always runs.

import { expect, test, type Page } from '@playwright/test';
import { HELLO, boot, settle, terminalText } from './helpers';

const status = (page: Page) => page.evaluate(() => window.__mlk!.status());

async function bootFiles(page: Page): Promise<string[]> {
  return (await status(page)).bootImage.files;
}
const hasService = (files: string[], name: string) => files.includes(`${name}.wasm`) || files.includes(name);

test('boots to the shell prompt when the shell is in the boot image, else to the banner', async ({ page }) => {
  await boot(page);
  const files = await bootFiles(page);
  // The build puts the shell in the boot image; a missing one is a failure, not a skip.
  expect(hasService(files, 'shell')).toBe(true);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/^\S*[$#>] /m);
});

test('processes panel: the kernel thread table', async ({ page }) => {
  await boot(page);
  await page.getByTestId('tab-processes').click();
  const panel = page.getByTestId('processes');
  // The kernel exports ki_json; without it the panel would only say introspection is missing.
  expect((await status(page)).introspection).toBe(true);
  await expect(panel.getByTestId('threads')).toBeVisible();
  const manifest = (await status(page)).bootImage.manifest as { boot?: { name: string; program?: string; autostart?: boolean }[] } | undefined;
  expect(manifest?.boot, 'the boot image carries manifest.json').toBeTruthy();
  if (manifest?.boot) {
    // init starts the services of the manifest: each one shows as a thread named by its entry
    // (tmpfs, not its program fs), the name ps uses.
    for (const svc of manifest.boot.filter((x) => x.autostart !== false))
      await expect(panel.getByTestId('threads')).toContainText(svc.name, { timeout: 30_000 });
    // a selected thread shows its EL0 register file (ki_json view 6)
    await panel.getByTestId('threads').locator('tbody tr').first().click();
    await expect(panel.getByTestId('registers')).toContainText('mempages');
    await expect(panel.getByTestId('registers')).toContainText('splim');
    // the memory panel draws the kernel's per-frame map (view 4)
    await page.getByTestId('tab-memory').click();
    await expect(page.getByTestId('frame-map').locator('canvas')).toHaveAttribute('aria-label', /Frame map, \d+ frames/);
    await expect(page.getByTestId('frame-map')).toContainText('untyped');
  }
});

test('pause, then step at EL0 moves the instruction count by exactly one', async ({ page }) => {
  await boot(page);
  const files = await bootFiles(page);
  expect(hasService(files, 'init'), 'user programs in the boot image').toBe(true);
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('status-state')).toHaveText('paused');
  // Step until the core is at EL0 (kernel entries and WFI skips retire nothing).
  for (let i = 0; i < 200 && (await status(page)).el !== 0; i++) await page.getByTestId('step').click();
  expect((await status(page)).el).toBe(0);
  const before = (await status(page)).instructions;
  const seq = (await status(page)).step?.seq ?? 0;
  await page.getByTestId('step').click();
  await expect.poll(async () => (await status(page)).step?.seq).toBe(seq + 1);
  const after = await status(page);
  if (after.step!.retired === 1) expect(after.instructions).toBe(before + 1);
  else expect(after.instructions).toBe(before); // an interrupt was taken instead: a kernel entry
});

test('step to the next kernel entry stops right after one entry', async ({ page }) => {
  await boot(page);
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('status-state')).toHaveText('paused');
  // The page may still hold a status the worker sent before it took the pause: wait until the
  // paused machine's counters are the ones the page shows (two reads agree).
  let before = -1;
  await expect.poll(async () => {
    const s = await status(page);
    const same = !s.running && s.kernelEntries === before;
    before = s.kernelEntries;
    return same;
  }, { intervals: [100] }).toBe(true);
  await page.getByTestId('step-entry').click();
  await expect(page.getByTestId('status-step')).toContainText('to the next kernel entry');
  expect((await status(page)).kernelEntries).toBe(before + 1);
});

test('step to the next IPC stops at the IPC a typed key causes', async ({ page }) => {
  await boot(page);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/^mlk> /m);
  await settle(page);
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('status-state')).toHaveText('paused');
  // A key on the UART: its IRQ wakes the console driver, which talks to the shell by IPC.
  await page.evaluate(() => window.__mlk!.input('x'));
  await page.getByTestId('step-ipc').click();
  await expect(page.getByTestId('status-step')).toContainText(/to the next IPC \(\+[\d.]+ ms virtual\)/);
});

test('trace export downloads valid Chrome trace-event JSON', async ({ page }) => {
  await boot(page);
  await expect.poll(() => page.evaluate(() => window.__mlk!.traceCount())).toBeGreaterThan(0);
  const download = page.waitForEvent('download');
  await page.getByTestId('export-trace').click();
  const d = await download;
  expect(d.suggestedFilename()).toMatch(/^mlk-trace-.*\.json$/);
  const text = await (await d.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString('utf8'));
  const json = JSON.parse(text) as { traceEvents: { name: string; ph: string; ts: number }[] };
  expect(Array.isArray(json.traceEvents)).toBe(true);
  expect(json.traceEvents.some((e) => e.name === 'BOOT_STAGE')).toBe(true);
  for (const e of json.traceEvents) expect(typeof e.ts).toBe('number');
});

test('messages panel stays fast with 100,000 entries (virtualised list)', async ({ page }) => {
  await boot(page);
  await page.getByTestId('run-pause').click();
  await page.getByTestId('tab-messages').click();
  const list = page.getByTestId('msg-list');
  await expect(list, 'the kernel defines IPC trace kinds').toHaveCount(1);
  const before = Number(await list.getAttribute('data-count'));
  // Feed the page's trace store (not the machine) 100,000 synthetic IPC_SEND records.
  const ms = await page.evaluate(() => window.__mlk!.benchMessages(100_000));
  await expect(list).toHaveAttribute('data-count', String(before + 100_000));
  const rows = await list.locator('.vrow').count();
  expect(rows).toBeLessThan(200); // only what is in view is in the DOM
  // Scrolling to the top and to the middle renders only the rows in view there (the time is
  // logged, not asserted: wall-clock time depends on the machine running the test).
  const t = await page.evaluate(async () => {
    const el = document.querySelector('[data-testid=msg-list]') as HTMLElement;
    const t0 = performance.now();
    el.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    el.scrollTop = el.scrollHeight / 2;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return performance.now() - t0;
  });
  console.log(`100k messages: append+render ${ms.toFixed(1)} ms, two scroll jumps ${t.toFixed(1)} ms`);
  const shown = await list.locator('.vrow').evaluateAll((els) => els.map((e) => Number(e.getAttribute('aria-rowindex'))));
  expect(shown.length).toBeGreaterThan(0);
  expect(shown.length).toBeLessThan(200);
  const middle = (before + 100_000) / 2;
  expect(Math.min(...shown)).toBeGreaterThan(middle - 200);
  expect(Math.max(...shown)).toBeLessThan(middle + 200);
});

test('composer: the mailbox takes the message; with the agent the reply or the kernel error shows', async ({ page }) => {
  await boot(page);
  await page.getByTestId('tab-composer').click();
  const files = await bootFiles(page);
  expect(hasService(files, 'agent'), 'the playground agent is in the boot image').toBe(true);
  await expect(page.getByTestId('agent-state')).toContainText('agent ready', { timeout: 30_000 });
  // The slots the agent holds are named by the service behind them, not listed as bare numbers.
  await expect(page.getByTestId('composer-held')).toContainText(/\b4 \S*\s*init/);
  await expect(page.getByTestId('composer-held')).toContainText('vfs');
  // A typed call the agent may make: proc.ps(index=0) on init's endpoint (slot 4).
  await page.getByTestId('composer-slot').fill('4');
  await page.getByTestId('composer-protocol').selectOption('proc');
  await page.getByTestId('composer-op').selectOption('ps');
  await page.getByTestId('composer-arg-index').fill('0');
  await page.getByTestId('composer-send').click();
  await expect(page.getByTestId('composer-reply').first()).toContainText('ok(', { timeout: 20_000 });
  // …and it shows in the messages panel, decoded (filtered to the agent's traffic).
  await page.getByTestId('tab-messages').click();
  const agentTid = await page.getByTestId('msg-filter-tid').locator('option', { hasText: 'agent' }).first().getAttribute('value');
  await page.getByTestId('msg-filter-tid').selectOption(agentTid!);
  // the request with its argument, decoded from the message words the kernel traces (IPC_WORDS),
  // and the reply paired with the request it answers
  await expect(page.getByTestId('msg-list')).toContainText('proc.ps(index=0)');
  await expect(page.getByTestId('msg-list')).toContainText(/proc\.ps → ok\(/);
  // A slot the agent does not hold: the kernel refuses the lookup.
  await page.getByTestId('tab-composer').click();
  await page.getByTestId('composer-protocol').selectOption('');
  await page.getByTestId('composer-slot').fill('60');
  await page.getByTestId('composer-send').click();
  await expect(page.getByTestId('composer-error').first()).toContainText('kernel error');
});

test('layout: theme, large text, dock side, splitter and panel keys work from the keyboard', async ({ page }) => {
  await boot(page);
  await page.getByTestId('theme').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.getByTestId('theme').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('large').click();
  await expect(page.locator('html')).toHaveAttribute('data-size', 'large');
  // Alt+3 opens the messages panel, even from the terminal.
  await page.locator('.terminal .xterm').click();
  await page.keyboard.press('Alt+3');
  await expect(page.getByTestId('tab-messages')).toHaveAttribute('aria-selected', 'true');
  // Arrow keys on the splitter resize the dock.
  const splitter = page.getByTestId('splitter');
  const v0 = Number(await splitter.getAttribute('aria-valuenow'));
  await splitter.focus();
  await page.keyboard.press('Shift+ArrowLeft');
  expect(Number(await splitter.getAttribute('aria-valuenow'))).toBe(v0 + 10);
  await page.getByTestId('dock-side').click();
  await expect(page.locator('.body')).toHaveClass(/side-bottom/);
  await expect(splitter).toHaveAttribute('aria-orientation', 'horizontal');
});

test('at least five guided demos; each opens, and says what this build lacks', async ({ page }) => {
  await boot(page);
  await page.getByTestId('tab-demos').click();
  const buttons = page.getByTestId('demos').locator('button[data-testid^="demo-"]');
  expect(await buttons.count()).toBeGreaterThanOrEqual(5);
  const ids = await buttons.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!));
  for (const id of ids) {
    await page.getByTestId('tab-demos').click();
    await page.getByTestId(id).click();
    const card = page.getByTestId('demo-active');
    await expect(card).toBeVisible();
    await expect(page.locator('.demo-highlight')).toHaveCount(1);
    await card.getByRole('button', { name: 'Close' }).click();
    await expect(card).toHaveCount(0);
  }
});

test('a shared scenario URL replays its commands and opens its demo', async ({ page }) => {
  await boot(page, './#demo=boot&step=1&panel=interrupts&cmd=echo%20shared');
  await expect.poll(() => terminalText(page)).toContain('echo shared');
  await expect(page.getByTestId('demo-active')).toContainText('step 2 of');
  // Share builds the same kind of URL.
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-url')).toHaveValue(/#.*demo=boot.*cmd=echo\+shared/);
});

test('the disk is kept in IndexedDB and a file written before a reload is still there', async ({ page }) => {
  await boot(page);
  await expect.poll(async () => (await status(page)).disk.backing).toBe('indexeddb');
  const files = await bootFiles(page);
  expect(hasService(files, 'shell') && hasService(files, 'fs'), 'a shell and a file system in the boot image').toBe(true);
  const mark = `kept-${Date.now()}`;
  await settle(page);
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type(`echo ${mark} > /keep.txt\r`);
  await page.keyboard.type(`cat /keep.txt\r`);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toContain(`\n${mark}`);
  // Wait until the disk is quiet (no sector written for a second) and every chunk is saved.
  let last = -1;
  await expect
    .poll(async () => {
      const d = (await status(page)).disk;
      const quiet = d.written === last && d.dirty === 0;
      last = d.written;
      return quiet;
    }, { timeout: 30_000, intervals: [1000] })
    .toBe(true);
  await page.reload();
  await expect.poll(() => terminalText(page)).toContain(HELLO);
  await settle(page);
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('cat /keep.txt\r');
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toContain(mark);
});

test('works offline after the first load (service worker)', async ({ page, context }) => {
  await boot(page);
  // The service worker is active once it has precached every file of the build.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await context.setOffline(true);
  await page.reload();
  await expect.poll(() => terminalText(page)).toContain(HELLO);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await context.setOffline(false);
});
