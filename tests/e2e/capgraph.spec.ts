// The capability graph (Capabilities panel) against the production build: nodes for exactly the
// caps the kernel says a process holds (ki_json view 1), the derivation edge to the slot each was
// derived from, named by its holder; a killed process's caps leave the graph, its restarted
// instance's fresh caps come in highlighted.

import { expect, test, type Page } from '@playwright/test';
import { boot, settle, terminalText } from './helpers';

interface Slot { slot: number; addr: string; type: string; parent: string }

/** ki_json(1, pid) as the worker last read it (the panel watches it). */
async function cspace(page: Page, pid: number): Promise<Slot[] | null> {
  const w = (await page.evaluate(() => window.__mlk!.status())).intro[`1:${pid}`];
  return w && w.ok ? (JSON.parse(w.text).slots as Slot[]) : null;
}

async function pidOf(page: Page, name: string): Promise<number> {
  const v = await page.getByTestId('pid-picker').locator('option', { hasText: name }).first().getAttribute('value');
  return Number(v);
}

test('capability graph: the shell\'s caps with their parents by name; a killed driver\'s caps go', async ({ page }) => {
  test.setTimeout(120_000); // a boot and a driver restart, the invariant checker after every kernel entry
  await boot(page);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/^mlk> /m);
  await settle(page);
  await page.getByTestId('tab-capabilities').click();
  const shell = await pidOf(page, 'shell');
  await page.getByTestId('pid-picker').selectOption(String(shell));
  const graph = page.getByTestId('cap-graph');
  await expect(graph).toBeVisible({ timeout: 30_000 });

  // one node per cap in the shell's CSpace, as the kernel lists them
  const slots = (await cspace(page, shell))!;
  expect(slots.length).toBeGreaterThan(2);
  const shellCaps = graph.locator(`[data-testid=cap-graph-cap][data-pid="${shell}"]`);
  await expect(shellCaps).toHaveCount(slots.length);
  for (const s of slots) await expect(graph.locator(`[data-testid=cap-graph-cap][data-pid="${shell}"][data-slot="${s.slot}"]`)).toContainText(s.type);
  // the endpoint init minted for the shell: badge in hex, rights, and its parent named (init's slot)
  const ep = slots.find((s) => s.type === 'endpoint' && s.slot === 4)!;
  const epNode = graph.locator(`[data-testid=cap-graph-cap][data-pid="${shell}"][data-slot="4"]`);
  await expect(epNode).toContainText(/badge 0x[0-9a-f]+/);
  await expect(epNode).toContainText(/from init slot \d+/);
  // …and the derivation edge from that parent cap to it, beside the shell's "holds" edges
  expect(ep.parent).not.toBe('0x0');
  await expect(graph.locator(`[data-testid^="rf__edge-d:c:${shell}:${ep.addr}:"]`)).toHaveCount(1);
  await expect(graph.locator('[data-testid=cap-graph-process]', { hasText: 'init' })).toHaveCount(1);
  await expect(graph.locator(`[data-testid^="rf__edge-h:c:${shell}:"]`)).toHaveCount(slots.length);
  await graph.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/lessons/capgraph.png' }); // docs/lessons/ keeps a copy

  // every process: kill the block driver; its caps leave the graph, the new instance's come in new
  await page.getByTestId('cap-graph-all').check();
  const old = await pidOf(page, 'blockdev');
  await expect(graph.locator(`[data-testid=cap-graph-cap][data-pid="${old}"]`).first()).toBeVisible();
  const oldIds = await graph.locator('.react-flow__node').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-id')));
  await page.locator('.terminal .xterm').click();
  await page.keyboard.type(`kill ${old}\r`);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/blockdev.*restarted|started blockdev/);
  await settle(page);
  const now = await pidOf(page, 'blockdev');
  expect(now).not.toBe(old); // a new thread, a new pid in the kernel's views
  // the killed instance's cap nodes are gone (after fading); none of its node ids is drawn
  await expect.poll(async () => {
    const ids = await graph.locator('.react-flow__node').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-id')));
    return ids.filter((id) => id && id.startsWith(`c:${old}:`) && oldIds.includes(id)).length;
  }, { timeout: 20_000 }).toBe(0);
  await expect(graph.locator(`[data-testid=cap-graph-cap][data-pid="${now}"]`).first()).toBeVisible();
  expect((await cspace(page, now))!.length).toBeGreaterThan(0);
});
