// The Code panel on the production build: type a service, compile it in the page (the compiler
// Worker loads at the first compile), run it in the running machine through the agent, see its
// output and its messages; a compile error shows inline; a crashing program is stopped by init
// and the shell still answers.

import { expect, test, type Page } from '@playwright/test';
import { boot, settle, terminalText } from './helpers';

/** Replaces the editor's text (CodeMirror: select all, then type). */
async function setSource(page: Page, source: string): Promise<void> {
  const editor = page.getByTestId('code-editor');
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // CodeMirror auto-indents typed newlines: insert the text as one paste-like edit instead
  await page.evaluate((text) => document.execCommand('insertText', false, text), source);
}

async function openCode(page: Page): Promise<void> {
  await boot(page);
  await settle(page);
  await page.getByTestId('tab-code').click();
  await expect(page.getByTestId('code-editor')).toBeVisible();
}

// a client of the console service: its call decodes in the Messages panel as console.write
const CLIENT = `import { lookup, println, recv, SLOT_SELF } from "../lib";
import * as con from "../gen/console";
println("typed: looking up the console");
const ep = lookup("console");
const b = String.UTF8.encode("typed: hello through the console service\\n");
con.write(ep, changetype<usize>(b), b.byteLength, new con.WriteReply());
recv(SLOT_SELF); // then wait on its endpoint, so it stays in the panels
`;

test('type a service, compile it, run it: its output on the terminal, its process and messages in the panels', async ({ page }) => {
  test.setTimeout(240_000);
  await openCode(page);
  await setSource(page, CLIENT);
  await page.getByTestId('code-name').fill('typed');
  await page.getByTestId('grant-endpoint').check();
  await page.getByTestId('code-run').click();
  await expect(page.getByTestId('code-status')).toContainText(/typed runs as tid \d+/, { timeout: 180_000 });
  await expect.poll(() => terminalText(page)).toContain('typed: hello through the console service');
  await expect.poll(() => terminalText(page)).toMatch(/init: running typed \(tid \d+, \d+ bytes, grants console,endpoint\)/);
  await page.getByTestId('tab-processes').click();
  await expect(page.getByTestId('processes')).toContainText('typed');
  await page.getByTestId('tab-messages').click();
  await expect(page.getByTestId('msg-list')).toContainText(/typed[^\n]*console\.write|console\.write[^\n]*typed/);
});

test('a compile error is shown inline at its line and column', async ({ page }) => {
  test.setTimeout(240_000);
  await openCode(page);
  await setSource(page, 'import { println } from "../lib";\nprintln(42);\n');
  await page.getByTestId('code-compile').click();
  await expect(page.getByTestId('code-diagnostics')).toContainText('2:9 error', { timeout: 180_000 });
  await expect(page.locator('.cm-lintRange-error')).toHaveCount(1);
  await expect(page.locator('.cm-lint-marker-error')).toHaveCount(1);
});

test('a crashing program is stopped by init; the shell still answers', async ({ page }) => {
  test.setTimeout(240_000);
  await openCode(page);
  await page.getByTestId('code-doc').selectOption('t:crash');
  await page.getByTestId('code-name').fill('crashy');
  await page.getByTestId('code-run').click();
  await expect(page.getByTestId('code-status')).toContainText(/crashy runs as tid/, { timeout: 180_000 });
  await expect.poll(() => terminalText(page)).toMatch(/init: crashy \(tid \d+\) trap 10 \(pc 0x[0-9a-f]+\); restart limit 0 reached/);
  await settle(page);
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('ps\r');
  await expect.poll(() => terminalText(page)).toMatch(/crashy\s+failed/);
  expect(await page.evaluate(() => window.__mlk!.status().halted)).toBe(false);
});

test('a Share link carries the program, its name and grants, compressed; a fresh visitor opens it', async ({ page, browser }) => {
  test.setTimeout(240_000);
  await openCode(page);
  const marker = 'shared-marker-' + 'x'.repeat(40);
  const source = `// ${marker}\nimport { println } from "../lib";\nprintln("${marker}");\n`;
  await setSource(page, source);
  await page.getByTestId('code-name').fill('sharer');
  await page.getByTestId('grant-vfs').check();
  await page.getByTestId('code-share').click();
  await expect(page.getByTestId('code-status')).toContainText(/share link/);
  const url = page.url();
  expect(url).toMatch(/#code=[A-Za-z0-9_-]+$/);
  expect(url).not.toContain('shared-marker'); // deflated, not plain text
  // a new visitor: another browser context (no IndexedDB of the first)
  const ctx = await browser.newContext();
  const other = await ctx.newPage();
  await other.goto(url);
  await other.getByTestId('tab-code').click();
  await expect(other.getByTestId('code-status')).toContainText('loaded the shared program from the link');
  await expect(other.getByTestId('code-editor')).toContainText(marker);
  await expect(other.getByTestId('code-name')).toHaveValue('sharer');
  await expect(other.getByTestId('grant-vfs')).toBeChecked();
  await ctx.close();
});

test('the driver template: a button pressed in the GPIO strip raises the PL061 interrupt and the driver lights an LED', async ({ page }) => {
  test.setTimeout(240_000);
  await openCode(page);
  await page.getByTestId('code-doc').selectOption('t:driver');
  await page.getByTestId('code-name').fill('leds');
  await expect(page.getByTestId('gpio-strip')).toBeVisible();
  await page.getByTestId('code-run').click();
  await expect(page.getByTestId('code-status')).toContainText(/leds runs as tid/, { timeout: 180_000 });
  await expect.poll(() => terminalText(page)).toContain('driver: waiting for button presses');
  const button = page.getByTestId('gpio-button-2');
  await button.dispatchEvent('pointerdown');
  await expect(page.getByTestId('gpio-led-0')).toHaveAttribute('data-on', '1');
  await button.dispatchEvent('pointerup');
  await expect.poll(() => terminalText(page)).toContain('driver: buttons 0x4, presses 1');
});
