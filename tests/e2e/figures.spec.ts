// Figures for the project's notes, measured on the production build in headless Chromium:
//   1. time from navigation start to the shell prompt (or, without a shell, the kernel banner), on a
//      first visit (a fresh browser context: empty cache, no disk) and on a repeat visit (a reload:
//      the browser's cache warm, the disk in IndexedDB) — without the kernel's invariant checker
//      (`?check=0`: the page as deployed; bootMs, bootMsRepeat) and with it (the e2e build's default;
//      bootMsChecked, bootMsRepeatChecked). A first visit restores the build's snapshot of the booted
//      machine (bootedFrom says which); bootMsRealBoot is the same first visit booting for real
//      (`?boot=real`, what every first visit did before the snapshot): the before/after of one run,
//      and bootMsRepeatRealBoot its reload (a repeat visit booting for real, as every one did before
//      the repeat snapshot); loadMarks* say where each boot's time went (the worker's steps);
//   2. frame times while the machine runs flat out (largest speed), with the messages panel open,
//      and the main thread's long tasks (over 50 ms) in that window;
//   3. size of the first load, gzipped: every file the page fetched (Resource Timing, plus the
//      worker's kernel, boot image and boot snapshot), gzip -9.
// They are printed and written to test-results/figures.json. The assertions are the goals.

import { gzipSync } from 'node:zlib';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { HELLO } from './helpers';

const figures: Record<string, unknown> = {};

test.afterAll(() => {
  mkdirSync('test-results', { recursive: true });
  writeFileSync(join('test-results', 'figures.json'), JSON.stringify(figures, null, 2));
  console.log('figures:', JSON.stringify(figures, null, 2));
});

/**
 * CPU time (user + system, ms) the browser's processes have used so far — every descendant of this
 * test worker (it launched the browser), read from /proc (Linux; 0 elsewhere). Unlike wall-clock time it hardly depends on
 * how busy the host is, so a boot's CPU time compares across runs on a shared machine.
 */
function browserCpuMs(rootPid: number | undefined): number {
  if (!rootPid || !existsSync('/proc/self/stat')) return 0;
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'latin1');
      const f = st.slice(st.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
      parent.set(Number(d), Number(f[1]));
      ticks.set(Number(d), Number(f[11]) + Number(f[12])); // utime + stime
    } catch {
      // the process ended meanwhile
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    if (pid === rootPid) continue; // the test worker itself (its polling) is not the page's work
    for (let p: number | undefined = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === rootPid) { total += t; break; }
    }
  }
  return total * 10; // CLK_TCK = 100 on Linux
}

/** Boot-image files once the worker has booted the machine. */
const bootFiles = (page: Page) => page.evaluate(async () => {
  while (!window.__mlk || window.__mlk.status().phase !== 'ready') await new Promise((r) => setTimeout(r, 5));
  return window.__mlk.status().bootImage.files;
});

/**
 * Where the time to the prompt went: the worker's steps (MachineStatus.loadMarks: kernel fetched and
 * compiled, boot image fetched and indexed, disk opened, snapshot restored, ready, booted) and the
 * page's first contentful paint, as ms after navigation start.
 */
const loadMarks = (page: Page) => page.evaluate(() => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(window.__mlk?.status().loadMarks ?? {})) out[k] = Math.round(v - performance.timeOrigin);
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  if (fcp) out.firstContentfulPaint = Math.round(fcp.startTime);
  return out;
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
  test.setTimeout(300_000); // five boots and two 3-second windows, on a host that may be busy
  await page.goto('./');
  const files = await bootFiles(page);
  const hasShell = files.includes('shell.wasm');
  const target = (hasShell ? /^\S*[$#>] /m : new RegExp(HELLO)).source; // the shell's prompt at the start of a line
  figures.bootTo = hasShell ? 'shell prompt' : 'kernel banner';
  figures.bootMsChecked = await timeTo(page, target);
  const bootedFrom = (p: Page) => p.evaluate(() => window.__mlk!.status().bootedFrom);
  figures.bootedFrom = await bootedFrom(page);
  figures.loadMarksChecked = await loadMarks(page);
  // what the first visit fetched, up to the prompt (before any panel is opened)
  const urls = await page.evaluate(() => [location.href, ...performance.getEntriesByType('resource').map((e) => e.name)]);
  // Each boot also as the browser's CPU time, from just before the navigation to the prompt.
  const pid = process.pid; // the test worker: it launched the browser
  const cpuTo = async (go: () => Promise<unknown>, p: Page) => {
    const c0 = browserCpuMs(pid);
    await go();
    const ms = await timeTo(p, target);
    return { ms, cpu: browserCpuMs(pid) - c0 };
  };
  // Repeat visit: the same page again, its files from the browser's cache.
  let r = await cpuTo(() => page.reload(), page);
  figures.bootMsRepeatChecked = r.ms;
  figures.bootCpuMsRepeatChecked = r.cpu;
  figures.bootMsRepeatCheckedFrom = await bootedFrom(page);
  // Without the checker, in a fresh context (a first visit: empty cache, no disk), then reloaded.
  const fresh = await browser.newContext({ baseURL });
  const p2 = await fresh.newPage();
  r = await cpuTo(() => p2.goto('./?check=0'), p2);
  figures.bootMs = r.ms;
  figures.bootCpuMs = r.cpu;
  figures.bootMsFrom = await bootedFrom(p2);
  figures.loadMarks = await loadMarks(p2);
  r = await cpuTo(() => p2.reload(), p2);
  figures.bootMsRepeat = r.ms;
  figures.bootCpuMsRepeat = r.cpu;
  figures.bootMsRepeatFrom = await bootedFrom(p2);
  figures.loadMarksRepeat = await loadMarks(p2);
  await fresh.close();
  // The same first visit booting for real (no snapshot): the figure before the snapshot existed.
  const real = await browser.newContext({ baseURL });
  const p3 = await real.newPage();
  r = await cpuTo(() => p3.goto('./?check=0&boot=real'), p3);
  figures.bootMsRealBoot = r.ms;
  figures.bootCpuMsRealBoot = r.cpu;
  figures.bootMsRealBootFrom = await bootedFrom(p3);
  figures.loadMarksRealBoot = await loadMarks(p3);
  // ...and its repeat visit booting for real on the saved disk: the repeat visit before its snapshot
  r = await cpuTo(() => p3.reload(), p3);
  figures.bootMsRepeatRealBoot = r.ms;
  figures.bootCpuMsRepeatRealBoot = r.cpu;
  figures.bootMsRepeatRealBootFrom = await bootedFrom(p3);
  await real.close();

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
    let longTaskMs = 0;
    let longTasks = 0;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { longTaskMs += e.duration; longTasks++; }
    });
    observer.observe({ type: 'longtask' });
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
    observer.disconnect();
    deltas.sort((a, b) => a - b);
    const s = window.__mlk!.status();
    return {
      frames: deltas.length,
      medianMs: deltas[Math.floor(deltas.length / 2)],
      p99Ms: deltas[Math.floor(deltas.length * 0.99)],
      maxMs: deltas[deltas.length - 1],
      over17ms: deltas.filter((d) => d > 17).length,
      longTasks,
      longTaskMs: Math.round(longTaskMs),
      mipsAtEnd: s.rate / 1e6,
      busyFraction: samples ? busy / samples : 0,
    };
  }, { flood, hasShell });
  const frames = await measure(false);
  figures.flatOut = frames;
  figures.flatOutWith100kMessages = await measure(true);

  // First load: every file the page fetched, gzipped from dist/ (listed below).
  let raw = 0;
  let gz = 0;
  const perFile: Record<string, number> = {};
  // The worker's own fetches (kernel, boot image, the first visit's boot snapshot for the page's boot
  // arguments: this page's are the e2e build's, mlk.check=1) are not in the page's Resource Timing.
  const snapshotFile = figures.bootedFrom === 'snapshot' ? /^check-(?!repeat-).*\.state$/ : /^$/;
  for (const f of readdirSync(join('dist', 'assets'))) if (/\.(wasm|cpio|img)$/.test(f) || snapshotFile.test(f)) urls.push(new URL(`assets/${f}`, baseURL!).href);
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

// 4. compile time of a 100-line service in the page (bench/code/service100.ts): the first compile
//    (cold: the compiler Worker, AssemblyScript and Binaryen load) and the next one (warm).
//    Wall-clock figures for docs/EXERCISES.md, never asserted on.
test('figures: compile time of a 100-line service in the Code panel, cold and warm', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('./');
  await page.getByTestId('tab-code').click();
  const source = readFileSync(join('bench', 'code', 'service100.ts'), 'utf8');
  await page.getByTestId('code-editor').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.evaluate((text) => document.execCommand('insertText', false, text), source);
  const compileMs = async () => {
    const t0 = Date.now();
    const button = page.getByTestId('code-compile');
    await button.click();
    await expect(button).toBeDisabled(); // busy while it compiles
    await expect(button).toBeEnabled({ timeout: 280_000 });
    await expect(page.getByTestId('code-status')).toContainText(/^compiled: \d+ bytes in \d+ ms/);
    const status = await page.getByTestId('code-status').textContent();
    return { wallMs: Date.now() - t0, compilerMs: Number(/in (\d+) ms/.exec(status ?? '')?.[1]) };
  };
  const cold = await compileMs();
  const warm = await compileMs();
  figures.compile100 = { lines: source.split('\n').length - 1, cold, warm };
});

// Time travel (issue 15): the latency of "◂ IPC" after 10 virtual seconds of a busy run (spin
// respawned, `ls /` typed), and the reverse engine's checkpoint memory then. Recorded, not asserted.
test('figures: reverse step to the previous IPC after 10 virtual seconds of a busy run', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('./?check=0');
  await expect.poll(() => page.evaluate(() => window.__mlk?.terminalText() ?? '')).toContain(HELLO);
  await page.getByTestId('speed').selectOption({ index: 5 });
  const TEN_S = 10 * 24_000_000;
  await page.evaluate(async (until) => {
    const tick = () => window.__mlk!.input('spawn spin\rls /\r');
    tick();
    const typing = setInterval(tick, 400);
    while (window.__mlk!.status().ticks < until) await new Promise((r) => setTimeout(r, 200));
    clearInterval(typing);
  }, TEN_S);
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('status-state')).toHaveText('paused');
  const runs: { ms: number; backMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const before = await page.evaluate(() => window.__mlk!.status());
    await page.getByTestId('back-ipc').click();
    await expect.poll(() => page.evaluate(() => window.__mlk!.status().step?.seq)).toBe((before.step?.seq ?? 0) + 1);
    const after = await page.evaluate(() => window.__mlk!.status());
    expect(after.step?.what).toContain('back to the previous IPC');
    runs.push({ ms: Math.round(after.timeTravel!.lastMs!), backMs: Math.round(((before.ticks - after.ticks) / 24e6) * 1e6) / 1e3 });
  }
  const s = await page.evaluate(() => window.__mlk!.status());
  const { loadavg } = await import('node:os');
  figures.reverseToIpc = {
    virtualSeconds: Math.round((s.ticks / 24e6) * 1000) / 1000,
    runs,
    checkpoints: s.timeTravel!.checkpoints,
    checkpointMiB: Math.round((s.timeTravel!.bytes / 2 ** 20) * 10) / 10,
    memoryBudgetMiB: s.timeTravel!.memoryBudget / 2 ** 20,
    loadavg1m: Math.round(loadavg()[0] * 10) / 10,
  };
});
