// The page's disk survives reloads at any moment (issue 9, part 6). The disk lives in IndexedDB
// (web/src/worker/idbDisk.ts) and the fs service journals every change (services/fs/mlkfs.ts), so
// a reload while the first boot formats the disk, or while files are written, must leave a disk
// that mounts, holding every file whose command had completed. The moments are machine
// instruction counts drawn from a seeded generator (the page's pace varies, the seeds do not).
// Also: the published site ships no disk image (a developer's build/disk.img must not leak).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { boot, terminalText } from './helpers';
import { seededRandom } from '../../hw/switch';

const SEED = Number(process.env.MLK_DISK_SEED ?? 20261206);

/** A small seeded generator: the switch's mulberry32. */
const rng = seededRandom;

const instructions = (page: Page) => page.evaluate(() => window.__mlk?.status().instructions ?? 0);

/** Waits until the machine has retired at least n instructions (as the page last heard). */
async function runTo(page: Page, n: number): Promise<void> {
  await expect.poll(() => instructions(page), { timeout: 30_000, intervals: [10] }).toBeGreaterThanOrEqual(n);
}

/** Waits for the root fs's verdict after a boot (fails on a refused disk) and the shell's prompt. */
async function mounted(page: Page): Promise<void> {
  await expect
    .poll(async () => /fs: (mounted|mount failed[^\n]*)/.exec(await terminalText(page))?.[0] ?? '', { timeout: 30_000 })
    .toBe('fs: mounted');
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toContain('mlk> ');
}

/** Types a line and waits until the prompt count grows; returns the text it printed. */
async function run(page: Page, line: string): Promise<string> {
  const before = await terminalText(page);
  const prompts = before.split('mlk> ').length;
  await page.evaluate((t) => window.__mlk!.input(t), line + '\r');
  await expect.poll(async () => (await terminalText(page)).split('mlk> ').length, { timeout: 30_000 }).toBeGreaterThan(prompts);
  const after = await terminalText(page);
  return after.slice(after.indexOf(line, before.length - 5) + line.length);
}

test('the published site ships no disk image', () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk('dist');
  expect(files.length).toBeGreaterThan(0);
  for (const f of files) {
    expect(f).not.toMatch(/\.img$/);
    // an mlkfs superblock starts with "MLKFS1"
    expect(readFileSync(f).subarray(0, 6).toString('latin1'), f).not.toBe('MLKFS1');
  }
});

test('reloads during the first boot (while the disk is formatted) always leave a disk that mounts', async ({ browser }) => {
  test.setTimeout(240_000);
  const next = rng(SEED);
  for (let round = 0; round < 4; round++) {
    const context = await browser.newContext(); // empty IndexedDB: a first visit
    const page = await context.newPage();
    await boot(page);
    const cut = Math.round(200_000 + next() * 1_600_000); // the first boot formats and seeds in this range
    await runTo(page, cut);
    await page.reload();
    await boot(page);
    await mounted(page);
    // the first files are all there (seeding resumes after a cut)
    await expect.poll(() => run(page, 'cat /etc/hostname'), { timeout: 30_000 }).toContain('mlk');
    expect(await terminalText(page)).not.toContain('mount failed');
    await context.close();
  }
});

test('reloads while files are written keep every completed write', async ({ browser }) => {
  test.setTimeout(240_000);
  const next = rng(SEED + 1);
  const context = await browser.newContext();
  const page = await context.newPage();
  await boot(page);
  await mounted(page);
  await run(page, 'mkdir /w');
  for (let round = 0; round < 4; round++) {
    // type a batch of writes at once, reload at a seeded moment while they run
    const lines = Array.from({ length: 8 }, (_, i) => `echo r${round}-${i} > /w/f${round}-${i}`);
    const start = await instructions(page);
    const prompts = (await terminalText(page)).split('mlk> ').length;
    await page.evaluate((t) => window.__mlk!.input(t), lines.map((l) => l + '\r').join(''));
    await runTo(page, start + Math.round(50_000 + next() * 1_500_000));
    // each prompt shown since then is a command that completed (the shell prompts after it)
    const shown = await terminalText(page);
    const done = lines.slice(0, shown.split('mlk> ').length - prompts);
    await page.reload();
    await boot(page);
    await mounted(page);
    for (const l of done) {
      const [, text, file] = /^echo (\S+) > (\S+)$/.exec(l)!;
      expect(await run(page, `cat ${file}`), `${file} after reload ${round}; before it:\n${shown}\nafter:\n${await terminalText(page)}`).toContain(text);
    }
  }
  expect(await terminalText(page)).not.toContain('mount failed');
  await context.close();
});
