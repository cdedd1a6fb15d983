// Every lesson, run to its end against the production build, and the machine effect it teaches
// asserted from the kernel's own trace records and introspection (window.__mlk.records / status),
// never from what the cards say. Also the regression tests of the defects issue 12 lists.

import { expect, test, type Page } from '@playwright/test';
import { boot, settle, terminalText } from './helpers';

const status = (page: Page) => page.evaluate(() => window.__mlk!.status());
const records = (page: Page, kind: string, from = 0) => page.evaluate(([k, f]) => window.__mlk!.records(k as string, f as number), [kind, from] as const);
const traceCount = (page: Page) => page.evaluate(() => window.__mlk!.traceCount());

interface ThreadRow { pid: number; tid: number; name: string; state: string }
/** The kernel's thread table (ki_json view 0) as the worker last read it. */
async function threads(page: Page): Promise<ThreadRow[]> {
  const w = (await status(page)).intro['0:0'];
  if (!w || !w.ok) return [];
  const j = JSON.parse(w.text) as ThreadRow[] | { threads: ThreadRow[] };
  return Array.isArray(j) ? j : j.threads;
}

async function ready(page: Page): Promise<void> {
  await boot(page);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/^mlk> /m);
  await settle(page);
}

async function openLesson(page: Page, id: string): Promise<void> {
  await page.getByTestId('tab-demos').click();
  await page.getByTestId(`demo-${id}`).click();
  await expect(page.getByTestId('demo-active')).toBeVisible();
}

const card = (page: Page) => page.getByTestId('demo-active');
/** Clicks the current step's action button (the one that is not Back/Next/Done/Close). */
async function act(page: Page): Promise<void> {
  await card(page).locator('button:not(:text-is("Back")):not(:text-is("Next")):not(:text-is("Done")):not(:text-is("Close"))').click();
}
async function next(page: Page): Promise<void> {
  await card(page).getByTestId('demo-next').click();
}
async function done(page: Page): Promise<void> {
  await card(page).getByRole('button', { name: 'Done' }).click();
  await expect(card(page)).toHaveCount(0);
}
/** The lesson's key step as a picture (test-results/lessons/ID.png; docs/lessons/ keeps a copy). */
const shot = (page: Page, id: string) => page.screenshot({ path: `test-results/lessons/${id}.png` });
const waitText = (page: Page, re: RegExp | string, timeout = 30_000) =>
  expect.poll(() => terminalText(page), { timeout }).toMatch(typeof re === 'string' ? new RegExp(re.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : re);

// ---- defects (regression tests) ----

test('step-to-next on an idle machine stops as idle: no time jump, no flood, history kept', async ({ page }) => {
  await ready(page);
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('status-state')).toHaveText('paused');
  const before = await status(page);
  const n0 = await traceCount(page);
  for (const button of ['step-fault', 'step-ipc']) {
    const seq = (await status(page)).step?.seq ?? 0;
    await page.getByTestId(button).click();
    await expect.poll(async () => (await status(page)).step?.seq).toBe(seq + 1);
    await expect(page.getByTestId('status-step')).toContainText('idle — waiting for input');
  }
  const after = await status(page);
  // bounded: well under a second of virtual time, a few dozen kernel entries (was 23,600 s and 2.4 M)
  expect(after.ticks - before.ticks).toBeLessThan(24_000_000 / 4);
  expect(after.kernelEntries - before.kernelEntries).toBeLessThan(200);
  // the page's history still starts at record 0 (nothing dropped)
  expect(await page.evaluate(() => window.__mlk!.traceFirst())).toBe(0);
  expect(await traceCount(page)).toBeGreaterThanOrEqual(n0);
  await page.getByTestId('tab-messages').click();
  await expect(page.getByTestId('msg-dropped')).toHaveCount(0);
});

test('messages: one row per message with a fast-path mark and a legend; replies paired by thread', async ({ page }) => {
  await ready(page);
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type('cat /etc/motd\r');
  await settle(page);
  await page.getByTestId('tab-messages').click();
  await expect(page.getByTestId('msg-legend')).toContainText('fast path');
  // every FASTPATH record belongs to a send or reply row: the list has no "call" rows of its own
  const list = page.getByTestId('msg-list');
  await expect(list).toContainText('⚡');
  await expect(list.locator('.msg-kind', { hasText: /^call$/ })).toHaveCount(0);
  // the count is messages, not records: fewer than the IPC records the kernel wrote
  const ipc = (await Promise.all(['IPC_SEND', 'IPC_RECV', 'IPC_REPLY', 'FASTPATH'].map((k) => records(page, k)))).reduce((a, r) => a + r.length, 0);
  const shown = Number(await list.getAttribute('data-count'));
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThan(ipc);
  // a reply names the request it answers (paired by the kernel's from/to thread ids)
  await expect(list).toContainText(/vfs\.\w+ → /);
});

test('status bar names the current thread and the cause of the last kernel entry', async ({ page }) => {
  await ready(page);
  await page.getByTestId('run-pause').click();
  await page.evaluate(() => window.__mlk!.input('x'));
  await page.getByTestId('step-entry').click();
  await expect(page.getByTestId('status-entry')).toContainText('IRQ 605 UART');
  await page.getByTestId('step-ipc').click();
  await expect(page.getByTestId('status-thread')).toContainText(/\w+ \(tid \d+\)|idle \(kernel\)/);
  await expect(page.getByTestId('status-entry')).toContainText(/SVC \w+|IRQ|FIQ/);
  await expect(page.getByTestId('status-thread')).not.toContainText(/^thread tid \d+$/);
});

test('layout: the lesson card leaves the terminal visible, every tab is shown at 1440 px and in large text', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await ready(page);
  for (const large of [false, true]) {
    if (large) await page.getByTestId('large').click();
    const list = page.locator('.dock-tablist');
    const tabs = list.locator('button[role=tab]');
    const box = (await list.boundingBox())!;
    for (let i = 0; i < (await tabs.count()); i++) {
      const b = (await tabs.nth(i).boundingBox())!;
      expect(b.x + b.width, `tab ${i} inside the tab list`).toBeLessThanOrEqual(box.x + box.width + 1);
      const t = tabs.nth(i);
      expect(await t.evaluate((e) => e.scrollWidth <= e.clientWidth + 1), 'tab label not cut').toBe(true);
    }
  }
  await openLesson(page, 'boot');
  const term = (await page.locator('.terminal[role=region]').boundingBox())!;
  const cardBox = (await card(page).boundingBox())!;
  expect(cardBox.y).toBeGreaterThanOrEqual(term.y + term.height - 1); // below, not over the terminal
});

test('layout: the lesson card\'s buttons stay put while the machine runs busy (a click is never lost)', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 700 }); // narrow enough for the status line to fill up
  await ready(page);
  await openLesson(page, 'sandbox');
  const close = card(page).getByRole('button', { name: 'Close' });
  // Busy: a CPU-bound program and commands, so the status bar changes many times a second (it used
  // to wrap to two lines and back, moving everything above it).
  await page.evaluate(() => window.__mlk!.input('spawn spin\r'));
  const boxes = await close.evaluate(async (b) => {
    const seen = new Set<string>();
    for (let i = 0; i < 120; i++) {
      if (i % 20 === 0) window.__mlk!.input('ls /\r');
      const r = b.getBoundingClientRect();
      seen.add(`${r.x},${r.y},${r.width},${r.height}`);
      await new Promise((f) => requestAnimationFrame(() => f(null)));
    }
    return [...seen];
  });
  expect(boxes).toHaveLength(1);
  // one line: the bar is less than two of its items high
  const [bar, item] = await page.getByTestId('status').evaluate((e) => [e.getBoundingClientRect().height, e.firstElementChild!.getBoundingClientRect().height]);
  expect(bar).toBeLessThan(2 * item);
  await close.click();
  await expect(card(page)).toHaveCount(0);
});

test('memory panel: the process picker starts on a process and the walk uses its TTBR0', async ({ page }) => {
  await ready(page);
  await page.getByTestId('tab-memory').click();
  await expect(page.getByTestId('pid-picker')).not.toHaveValue('');
  await expect(page.getByTestId('walk-ttbr')).toContainText(/TTBR0 0x[0-9a-f]+ \(process \d+\)/);
});

// ---- lessons, each run to its end, with the machine effect asserted ----

/** The Processes panel's thread table as shown: tid, name and state of each row. */
async function panelThreads(page: Page): Promise<{ tid: number; name: string; state: string }[]> {
  const rows = page.getByTestId('processes').getByTestId('threads').locator('tbody tr');
  return (await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''))))
    .map(([tid, name, state]) => ({ tid: Number(tid), name, state }));
}
/** The rows of the last `ps` output in the terminal. */
function psRows(text: string): { tid: string; name: string; state: string }[] {
  const table = text.slice(text.lastIndexOf('TID  NAME'));
  return [...table.matchAll(/^ +(\d+|-)  (\S+) +(\S+) /gm)].map((m) => ({ tid: m[1], name: m[2], state: m[3] }));
}

test('names: ps shows the thread ids, names and states of the Processes panel, before and after a restart', async ({ page }) => {
  await ready(page);
  await page.getByTestId('tab-processes').click();
  const check = async () => {
    await page.evaluate(() => window.__mlk!.input('ps\r'));
    await settle(page);
    const ps = psRows(await terminalText(page));
    expect(ps.map((r) => r.name)).toEqual(expect.arrayContaining(['init', 'console', 'blockdev', 'fs', 'tmpfs', 'vfs', 'shell']));
    await expect.poll(async () => (await panelThreads(page)).length).toBeGreaterThanOrEqual(ps.length);
    const panel = await panelThreads(page);
    for (const row of ps) {
      const t = panel.find((x) => x.tid === Number(row.tid));
      expect(t, `ps row ${row.tid} ${row.name}`).toBeDefined();
      expect(t!.name).toBe(row.name);
      // a server waiting for requests is blocked in receive in both (the shell and init were busy
      // with the ps itself when it was taken)
      if (!['init', 'shell'].includes(row.name)) expect(row.state).toBe(t!.state);
    }
    expect(ps.find((r) => r.name === 'vfs')!.state).toBe('blocked_recv');
    return ps;
  };
  const before = await check();
  const old = before.find((r) => r.name === 'blockdev')!.tid;
  await page.evaluate((tid) => window.__mlk!.input(`kill ${tid}\r`), old);
  await waitText(page, /init: blockdev restarted as tid \d+/);
  const after = await check();
  const now = after.find((r) => r.name === 'blockdev')!.tid;
  expect(now).not.toBe(old);
  expect((await threads(page)).filter((t) => t.name === 'blockdev').map((t) => String(t.tid))).toEqual([now]);
});

test('lesson: start here', async ({ page }) => {
  await ready(page);
  await openLesson(page, 'start');
  await next(page);
  await act(page);
  await waitText(page, /spawn NAME/);
  await shot(page, 'start');
  await next(page);
  await next(page);
  await done(page);
});

test('lesson: boot and the device tree', async ({ page }) => {
  await ready(page);
  await openLesson(page, 'boot');
  // the device nodes the kernel found in the FDT, as it printed them
  await waitText(page, /serial@235200000\s+apple,s5l-uart/);
  expect((await records(page, 'BOOT_STAGE')).length).toBeGreaterThan(0);
  await next(page);
  await next(page);
  await next(page);
  await page.getByTestId('run-pause').click();
  await expect(page.getByTestId('status-state')).toHaveText('paused');
  const before = (await status(page)).kernelEntries;
  await act(page);
  await expect(page.getByTestId('status-step')).toContainText('kernel entry');
  expect((await status(page)).kernelEntries).toBe(before + 1);
  await expect(page.getByTestId('status-entry')).toContainText(/FIQ timer|IRQ|SVC/);
  await next(page);
  await expect(page.getByTestId('threads')).toContainText('blockdev');
  await shot(page, 'boot');
  await done(page);
});

test('lesson: IPC call and reply', async ({ page }) => {
  await ready(page);
  await openLesson(page, 'ipc');
  const n0 = await traceCount(page);
  await act(page);
  await waitText(page, /Welcome|motd|MyLittleKernel/);
  await next(page);
  await next(page);
  await act(page);
  await expect(page.getByTestId('status-step')).toContainText(/to the next IPC/);
  await next(page);
  await settle(page);
  await page.getByTestId('msg-sequence').click();
  await expect(page.getByTestId('sequence')).toContainText('vfs');
  await shot(page, 'ipc');
  await done(page);
  // the kernel traced calls and their replies, some on the fast path
  expect((await records(page, 'IPC_REPLY', n0)).length).toBeGreaterThan(0);
  expect((await records(page, 'FASTPATH', n0)).length).toBeGreaterThan(0);
});

test('lesson: capabilities — denied, minted with fewer rights, badged, revoked with the killed driver', async ({ page }) => {
  await ready(page);
  await expect.poll(async () => (await threads(page)).some((t) => t.name === 'agent')).toBe(true);
  const agent = (await threads(page)).find((t) => t.name === 'agent')!;
  await openLesson(page, 'caps');
  await next(page);
  await act(page);
  await expect(page.getByTestId('composer-error').first()).toContainText('kernel error', { timeout: 20_000 });
  await shot(page, 'caps');
  // minted with fewer rights: the kernel's Mint on the agent's CNode (slot 2) succeeds…
  await next(page);
  const n0 = await traceCount(page);
  await act(page);
  const mint = (r: number[]) => r[0] === agent.tid && r[1] === 17 && r[2] === 2;
  await expect.poll(async () => (await records(page, 'CAP_OP', n0)).filter(mint).map((r) => r[4]), { timeout: 20_000 }).toEqual([0]);
  // …the graph shows the new cap in slot 48, grant only, derived from the agent's slot 4
  const minted = page.locator(`[data-testid=cap-graph-cap][data-pid="${agent.pid}"][data-slot="48"]`);
  await expect(minted).toContainText('--G', { timeout: 20_000 });
  await expect(minted).toContainText('from agent slot 4');
  // …and a call through it is refused: insufficient rights (11)
  await next(page);
  await act(page);
  await expect(page.getByTestId('composer-log').locator('li', { hasText: 'slot 48 (no write)' })).toContainText('kernel error 11: insufficient rights', { timeout: 20_000 });
  // badged: a badge is set once — re-badging the badged cap is an illegal operation (3)
  await next(page);
  const n1 = await traceCount(page);
  await act(page);
  await expect(page.getByTestId('composer-log').locator('li', { hasText: 'badge=0x77' })).toContainText('kernel error 3: illegal operation', { timeout: 20_000 });
  await expect.poll(async () => (await records(page, 'CAP_OP', n1)).filter(mint).map((r) => r[4])).toEqual([3]);
  await next(page);
  const old = (await threads(page)).find((t) => t.name === 'blockdev')!;
  await act(page);
  // the old blockdev thread is gone and a new one with a new thread id serves
  await expect.poll(async () => (await threads(page)).filter((t) => t.name === 'blockdev').map((t) => t.tid), { timeout: 30_000 }).not.toContain(old.tid);
  await expect.poll(async () => (await threads(page)).some((t) => t.name === 'blockdev')).toBe(true);
  await done(page);
});

test('lesson: page faults — null pointer and guard page listed with VA, access and resolution', async ({ page }) => {
  await ready(page);
  await openLesson(page, 'paging');
  await next(page);
  await act(page);
  await waitText(page, /faults: reading through a null pointer/);
  await next(page);
  await act(page);
  await waitText(page, /overflow \(tid \d+\) page fault at 0x4080740000/);
  const faults = await records(page, 'FAULT');
  const vas = faults.map((f) => f[3] * 2 ** 32 + f[2]);
  expect(vas).toContain(0);
  expect(vas).toContain(0x40_8074_0000);
  const list = page.getByTestId('faults');
  await expect(list.getByTestId('fault-va').filter({ hasText: /^0x0$/ }).first()).toBeVisible();
  await expect(list.getByTestId('fault-va').filter({ hasText: '0x4080740000' }).first()).toBeVisible();
  await next(page);
  // clicking the guard-page fault: its process is gone (restart limit 0), so there are no tables to walk
  await list.locator('tr', { hasText: '0x4080740000' }).first().click();
  await expect(page.getByTestId('walk-error')).toContainText('no longer exists');
  // the same VA in a live process's own tables: a translation fault at the guard page
  const shellPid = await page.getByTestId('pid-picker').locator('option', { hasText: 'shell' }).first().getAttribute('value');
  await page.getByTestId('pid-picker').selectOption(shellPid!);
  await page.getByTestId('walk-va').fill('0x4080740000');
  await page.getByRole('button', { name: 'Walk' }).click();
  await expect(page.getByTestId('walk-result')).toContainText('0x4080740000');
  await expect(page.getByTestId('walk-result')).toContainText('fault');
  await expect(page.getByTestId('walk-ttbr')).toContainText('TTBR0');
  await shot(page, 'paging');
  await next(page);
  await act(page);
  await expect(page.getByTestId('status-step')).toContainText(/to the next fault/, { timeout: 20_000 });
  await done(page);
});

// Needs the kernel's demand-paging FAULT records (handled = 2, code = ESR), which the capability
// work adds; until that is merged this test fails for that reason alone.
test('lesson: page faults — fresh heap pages are listed as demand-paged', async ({ page }) => {
  await ready(page);
  await openLesson(page, 'paging');
  await next(page);
  await act(page);
  await waitText(page, /faults: touched 4 fresh pages at 0x([0-9a-f]+)/);
  const base = Number('0x' + /touched 4 fresh pages at 0x([0-9a-f]+)/.exec(await terminalText(page))![1]);
  const paged = (await records(page, 'FAULT')).filter((f) => f[5] === 2).map((f) => f[3] * 2 ** 32 + f[2]);
  for (let i = 0; i < 4; i++) expect(paged.some((va) => va >= base + i * 4096 && va < base + (i + 1) * 4096)).toBe(true);
  await expect(page.getByTestId('faults').getByTestId('fault-resolution').filter({ hasText: 'demand-paged' }).first()).toBeVisible();
  await expect(page.getByTestId('faults')).toContainText('write');
});

test('lesson: preemption — spin runs, is preempted, and the shell still answers', async ({ page }) => {
  await ready(page);
  await openLesson(page, 'preempt');
  await next(page);
  await act(page);
  await waitText(page, /spin: round 1\//);
  await next(page);
  await act(page);
  await waitText(page, /^the shell still answers/m);
  await shot(page, 'preempt');
  const spin = (await threads(page)).find((t) => t.name === 'spin');
  await next(page);
  await act(page);
  await expect(page.getByTestId('status-step')).toContainText(/context switch|idle/);
  await next(page);
  await waitText(page, /spin: round 12\/12/, 60_000);
  await done(page);
  // spin was switched away from while it had not finished (preempted), and switched back to
  const tid = spin?.tid ?? Number(/started spin as tid (\d+)/.exec(await terminalText(page))![1]);
  const switches = await records(page, 'SWITCH');
  expect(switches.filter((s) => s[0] === tid).length).toBeGreaterThan(1);
  expect(switches.filter((s) => s[1] === tid).length).toBeGreaterThan(1);
  // the echo was answered before spin's last round
  const text = await terminalText(page);
  expect(text.indexOf('\nthe shell still answers')).toBeLessThan(text.indexOf('spin: round 12/12'));
});

test('lesson: notifications and interrupts — IRQ 605 reaches the console driver', async ({ page }) => {
  await ready(page);
  const n0 = await traceCount(page);
  await openLesson(page, 'irq');
  await next(page);
  await act(page);
  await expect(page.getByTestId('status-entry')).toContainText('IRQ 605 UART');
  await next(page);
  await waitText(page, /TID\s+NAME/);
  await shot(page, 'irq');
  await next(page);
  await act(page);
  await settle(page);
  await done(page);
  const console = (await threads(page)).find((t) => t.name === 'console')!;
  const users = await records(page, 'IRQ_USER', n0);
  expect(users.some((r) => r[0] === 605 && r[2] === console.tid)).toBe(true);
});

test('lesson: a driver crash and its restart', async ({ page }) => {
  await ready(page);
  await openLesson(page, 'restart');
  const old = (await threads(page)).find((t) => t.name === 'blockdev');
  await next(page);
  await act(page);
  await expect.poll(async () => (await threads(page)).filter((t) => t.name === 'blockdev').map((t) => t.tid), { timeout: 30_000 }).not.toContain(old?.tid ?? 3);
  await next(page);
  await act(page);
  await waitText(page, /blockdev\s+\S+\s+1\b/);
  await shot(page, 'restart');
  await next(page);
  const before = (await terminalText(page)).length;
  await act(page);
  await expect.poll(async () => (await terminalText(page)).slice(before)).toMatch(/\n.+\n[\s\S]*mlk> /);
  await done(page);
});

test('lesson: scheduling and blocking states', async ({ page }) => {
  await ready(page);
  await openLesson(page, 'states');
  await expect.poll(async () => (await threads(page)).map((t) => t.state)).toContain('blocked_recv');
  await shot(page, 'states');
  expect((await threads(page)).map((t) => t.state).some((s) => /blocked_(reply|notification|signal|send)/.test(s))).toBe(true);
  await next(page);
  await act(page);
  await waitText(page, /spin: round 1\//);
  await next(page);
  await act(page);
  await expect(page.getByTestId('status-step')).toContainText(/context switch|idle/);
  await next(page);
  await waitText(page, /spin: round 12\/12/, 60_000);
  await done(page);
});

test('lesson: sandbox', async ({ page }) => {
  await ready(page);
  await openLesson(page, 'sandbox');
  const n0 = await traceCount(page);
  await act(page);
  await waitText(page, /^sandbox ready/m);
  await shot(page, 'sandbox');
  expect((await records(page, 'IPC_REPLY', n0)).length).toBeGreaterThan(0);
  await done(page);
});

test('layout: on a 390 px phone a message row shows its parties and operation', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await ready(page);
  await page.evaluate(() => window.__mlk!.input('ls /\r'));
  await settle(page);
  await page.getByTestId('tab-messages').click();
  // a request row with a decoded operation (short rows such as timer signals are not the point)
  const row = page.getByTestId('msg-list').locator('.vrow').filter({ hasText: /\w+\.\w+\(/ }).first();
  await expect(row).toBeVisible();
  const fits = await row.evaluate((r) => {
    const box = r.getBoundingClientRect();
    const kind = r.querySelector('.msg-kind')!.getBoundingClientRect();
    const op = r.querySelector('.msg-op')!.getBoundingClientRect();
    return kind.right <= box.right && op.left < box.right && op.width > 20;
  });
  expect(fits).toBe(true);
});
