// Figures for the project's notes, measured on the production build in headless Chromium:
//   1. time from navigation start to the shell prompt (or, without a shell, the kernel banner), on a
//      first visit (a fresh browser context: empty cache, no disk) and on a repeat visit (a reload:
//      the browser's cache warm, the disk in IndexedDB) — without the kernel's invariant checker
//      (`?check=0`: the page as deployed; bootMs, bootMsRepeat) and with it (the e2e build's default;
//      bootMsChecked, bootMsRepeatChecked);
//   2. frame times while the machine runs flat out (largest speed), with the messages panel open;
//   3. size of the first load, gzipped: every file the page fetched (Resource Timing), gzip -9.
// They are printed and written to test-results/figures.json. The assertions are the goals.

import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { HELLO } from './helpers';

const figures: Record<string, unknown> = {};

test.afterAll(() => {
  mkdirSync('test-results', { recursive: true });
  writeFileSync(join('test-results', 'figures.json'), JSON.stringify(figures, null, 2));
  console.log('figures:', JSON.stringify(figures, null, 2));
});

/** Boot-image files once the worker has booted the machine. */
const bootFiles = (page: Page) => page.evaluate(async () => {
  while (!window.__mlk || window.__mlk.status().phase !== 'ready') await new Promise((r) => setTimeout(r, 5));
  return window.__mlk.status().bootImage.files;
});

/** Time from navigation start (performance.now() is relative to it) to `src` in the terminal. */
const timeTo = (page: Page, src: string) => page.evaluate(async (src) => {
  const re = new RegExp(src, 'm');
  for (;;) {
    if (re.test(window.__mlk?.terminalText() ?? '')) return Math.round(performance.now());
    await new Promise((r) => setTimeout(r, 2));
  }
}, src);

test('figures: boot time, frame time flat out, first-load size', async ({ page, baseURL, browser }) => {
  test.setTimeout(300_000); // four boots and two 3-second windows, on a host that may be busy
  await page.goto('./');
  const files = await bootFiles(page);
  const hasShell = files.includes('shell.wasm');
  const target = (hasShell ? /^\S*[$#>] /m : new RegExp(HELLO)).source; // the shell's prompt at the start of a line
  figures.bootTo = hasShell ? 'shell prompt' : 'kernel banner';
  figures.bootMsChecked = await timeTo(page, target);
  // Repeat visit: the same page again, its files from the browser's cache.
  await page.reload();
  figures.bootMsRepeatChecked = await timeTo(page, target);
  // Without the checker, in a fresh context (a first visit: empty cache, no disk), then reloaded.
  const fresh = await browser.newContext({ baseURL });
  const p2 = await fresh.newPage();
  await p2.goto('./?check=0');
  figures.bootMs = await timeTo(p2, target);
  await p2.reload();
  figures.bootMsRepeat = await timeTo(p2, target);
  await fresh.close();

  // Flat out: the largest budget per slice, messages panel open.
  await page.getByTestId('speed').selectOption({ index: 5 });
  await page.getByTestId('tab-messages').click();
  // Load: with a shell, a CPU-bound program (spin, respawned every 400 ms) keeps the core busy at
  // EL0, and a command every 50 ms adds IPC through console, vfs and fs.
  const measure = (flood: boolean) => page.evaluate(async ({ flood, hasShell }) => {
    const deltas: number[] = [];
    let busy = 0;
    let samples = 0;
    const spawn = () => window.__mlk!.input('spawn spin\r');
    if (hasShell) spawn();
    const spinning = hasShell ? setInterval(spawn, 400) : 0;
    const typing = hasShell ? setInterval(() => window.__mlk!.input('ls /\r'), 50) : 0;
    const sampler = setInterval(() => {
      samples++;
      if (!window.__mlk!.status().idle) busy++;
    }, 20);
    // Optionally, 100,000 synthetic messages arrive in the messages panel during the window.
    if (flood) for (let i = 0; i < 10; i++) setTimeout(() => window.__mlk!.benchMessages(10_000), 200 * i);
    let last = performance.now();
    const end = last + 3000;
    await new Promise<void>((resolve) => {
      const f = (t: number) => {
        deltas.push(t - last);
        last = t;
        if (t < end) requestAnimationFrame(f);
        else resolve();
      };
      requestAnimationFrame(f);
    });
    clearInterval(typing);
    clearInterval(spinning);
    clearInterval(sampler);
    deltas.sort((a, b) => a - b);
    const s = window.__mlk!.status();
    return {
      frames: deltas.length,
      medianMs: deltas[Math.floor(deltas.length / 2)],
      p99Ms: deltas[Math.floor(deltas.length * 0.99)],
      maxMs: deltas[deltas.length - 1],
      over17ms: deltas.filter((d) => d > 17).length,
      mipsAtEnd: s.rate / 1e6,
      busyFraction: samples ? busy / samples : 0,
    };
  }, { flood, hasShell });
  const frames = await measure(false);
  figures.flatOut = frames;
  figures.flatOutWith100kMessages = await measure(true);

  // First load: every file the page fetched, gzipped from dist/.
  const urls = await page.evaluate(() => [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)]);
  let raw = 0;
  let gz = 0;
  const perFile: Record<string, number> = {};
  // The worker's own fetches (kernel, boot image) are not in the page's Resource Timing.
  const { readdirSync } = await import('node:fs');
  for (const f of readdirSync(join('dist', 'assets'))) if (/\.(wasm|cpio|img)$/.test(f)) urls.push(new URL(`assets/${f}`, baseURL!).href);
  for (const u of new Set(urls)) {
    const url = new URL(u);
    if (url.origin !== new URL(baseURL!).origin) continue;
    let path = url.pathname === '/' ? '/index.html' : url.pathname;
    let data: Buffer;
    try {
      data = readFileSync(join('dist', path));
    } catch {
      continue;
    }
    const g = gzipSync(data, { level: 9 }).length;
    raw += data.length;
    gz += g;
    perFile[path] = g;
  }
  figures.firstLoad = { rawBytes: raw, gzipBytes: gz, gzipKB: Math.round(gz / 1024), perFileGzip: perFile };
  // wall-clock figures mean little on a loaded host: the load average goes with them
  const { loadavg, cpus } = await import('node:os');
  figures.host = { cpus: cpus().length, loadavg1m: Math.round(loadavg()[0] * 10) / 10 };

  expect(gz).toBeLessThan(500 * 1024);
  // Frame times are wall-clock figures: recorded in test-results/figures.json for the notes,
  // never asserted (speed goals live in benchmarks). What must hold is that frames were drawn
  // while the machine ran — how many depends on the host's load (16 in 3 s seen on a busy 2-core VM),
  // so only a few are required.
  expect(frames.frames).toBeGreaterThan(3);
});
