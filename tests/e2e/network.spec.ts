// The Network view (issue 14 part 6) against the production build: the lesson "networking as
// services" run to its end, machine 2's own terminal, TCP between the two machines, and the pcap
// download. Machine effects are asserted from the machines' own records: the frames of the
// switch's capture (window.__mlk.frames, decoded here by host/frames.ts), machine 1's IPC trace
// records and kernel thread table, and the terminals' text.

import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { boot, settle, terminalText } from './helpers';
import { decodeFrame } from '../../host/frames';
import { parsePcap, LINKTYPE_ETHERNET } from '../../hw/pcap';

const status = (page: Page) => page.evaluate(() => window.__mlk!.status());
const netText = (page: Page, k = 2) => page.evaluate((m) => window.__mlk!.netTerminalText(m), k);
/** tcpdump-like lines of the frames the page holds (decoded from their bytes). */
const wire = async (page: Page) => (await page.evaluate(() => window.__mlk!.frames())).map((f) => decodeFrame(Uint8Array.from(f.bytes)).summary);
const waitText = (page: Page, re: RegExp, timeout = 60_000) => expect.poll(() => terminalText(page), { timeout }).toMatch(re);

const ECHO_REQUEST = /^IP 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request, id \d+, seq 1, length \d+$/;
const ECHO_REPLY = /^IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply, id \d+, seq 1, length \d+$/;
const SUMMARY = /1 packets transmitted, 1 received, 0% packet loss/;

/** Waits until machine 2 has booted, caught up with machine 1 and shows its prompt. */
async function machine2Ready(page: Page): Promise<void> {
  await expect.poll(() => netText(page), { timeout: 90_000, message: "machine 2's prompt" }).toMatch(/^mlk> /m);
  await expect.poll(async () => (await status(page)).network?.catchingUp, { timeout: 60_000 }).toBe(false);
}

interface ThreadRow { tid: number; name: string }
/** Machine 1's kernel thread table (ki_json view 0), as the worker last read it for a panel. */
async function threads(page: Page): Promise<ThreadRow[]> {
  const w = (await status(page)).intro['0:0'];
  if (!w || !w.ok) return [];
  const j = JSON.parse(w.text) as ThreadRow[] | { threads: ThreadRow[] };
  return Array.isArray(j) ? j : j.threads;
}

test.describe.configure({ timeout: 240_000 });

test('the lesson "networking as services": one ping, as IPC on machine 1 and as frames on the wire', async ({ page }) => {
  await boot(page);
  await expect.poll(() => terminalText(page), { timeout: 30_000 }).toMatch(/^mlk> /m);
  await settle(page);
  const from = await page.evaluate(() => window.__mlk!.traceCount());
  await page.getByTestId('tab-demos').click();
  await page.getByTestId('demo-network').click();
  const card = page.getByTestId('demo-active');
  await expect(card).toBeVisible();
  await expect(page.getByTestId('network-panel')).toBeVisible();
  await machine2Ready(page);
  // time travel runs one machine: its controls say so and are off
  await expect(page.getByTestId('tt-where')).toContainText('time travel is off');
  await expect(page.getByTestId('back-ipc')).toBeDisabled();
  const act = () => card.locator('button:not(:text-is("Back")):not(:text-is("Next")):not(:text-is("Done")):not(:text-is("Close"))').click();
  for (let i = 0; i < 3; i++) {
    await card.getByTestId('demo-next').click();
    const seq = (await status(page)).step?.seq ?? 0;
    await act();
    await expect.poll(async () => (await status(page)).step?.seq ?? 0).toBeGreaterThan(seq);
    expect((await status(page)).step?.what).toMatch(/to the next IPC/);
  }
  await card.getByTestId('demo-next').click();
  await expect(page.getByTestId('net-frames')).toBeVisible();
  await card.getByTestId('demo-next').click();
  await waitText(page, SUMMARY);
  await card.getByRole('button', { name: 'Done' }).click();

  // the wire: the switch's capture holds ARP and the echo request and reply
  await expect.poll(async () => (await wire(page)).some((l) => ECHO_REPLY.test(l))).toBe(true);
  const lines = await wire(page);
  expect(lines.some((l) => /^ARP, (Request who-has 10\.0\.0\.2|Reply 10\.0\.0\.2 is-at 02:00:00:00:00:02)/.test(l))).toBe(true);
  expect(lines.some((l) => ECHO_REQUEST.test(l))).toBe(true);
  // the list shows them, and a frame's fields
  await page.getByTestId('tab-network').click();
  await page.getByTestId('net-frame').filter({ hasText: 'echo reply' }).first().click();
  await expect(page.getByTestId('net-detail')).toContainText('0 (echo reply)');
  await page.screenshot({ path: 'test-results/lessons/network.png' }); // the key step (docs/lessons/ keeps a copy)

  // machine 1 inside: the shell called net, net called netdrv (the kernel's IPC_SEND records)
  await page.getByTestId('tab-processes').click();
  await expect.poll(async () => (await threads(page)).map((t) => t.name)).toEqual(expect.arrayContaining(['shell', 'net', 'netdrv']));
  const tids = await threads(page);
  const tid = (name: string) => tids.find((t) => t.name === name)!.tid;
  const sends = await page.evaluate((f) => window.__mlk!.records('IPC_SEND', f), from);
  expect(sends.some(([a, b]) => a === tid('shell') && b === tid('net'))).toBe(true);
  expect(sends.some(([a, b]) => a === tid('net') && b === tid('netdrv'))).toBe(true);
});

test('machine 2 takes input in its own terminal, and machine 1 fetches a file from it over TCP', async ({ page }) => {
  await boot(page, './?machines=2');
  await expect(page.getByTestId('network-panel')).toBeVisible();
  await machine2Ready(page);
  await page.getByTestId('net-terminal').click();
  await page.keyboard.type('ifconfig\n');
  await expect.poll(() => netText(page)).toMatch(/10\.0\.0\.2/);
  await settle(page);
  await page.evaluate(() => window.__mlk!.input('get http://10.0.0.2/etc/motd\r'));
  await waitText(page, /get http:\/\/10\.0\.0\.2\/etc\/motd\s*\n(.*\n)*Welcome to MyLittleKernel!/);
  const lines = await wire(page);
  expect(lines.some((l) => /^IP 10\.0\.0\.1\.\d+ > 10\.0\.0\.2\.80: Flags \[S\], seq \d+/.test(l))).toBe(true);
  expect(lines.some((l) => /^IP 10\.0\.0\.2\.80 > 10\.0\.0\.1\.\d+: Flags \[S\.\], seq \d+, ack \d+/.test(l))).toBe(true);
  expect(lines.some((l) => /^IP 10\.0\.0\.2\.80 > 10\.0\.0\.1\.\d+: Flags \[[FP]*\.\], seq \d+:\d+/.test(l))).toBe(true);
  expect(lines.filter((l) => /bad|bogus|truncated/.test(l))).toEqual([]);
});

test("Download pcap gives a pcap file (linktype Ethernet) with the ping's frames", async ({ page }) => {
  await boot(page, './?machines=2');
  await machine2Ready(page);
  await page.evaluate(() => window.__mlk!.input('ping -c 1 10.0.0.2\r'));
  await waitText(page, SUMMARY);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-pcap').click()]);
  expect(download.suggestedFilename()).toMatch(/\.pcap$/);
  const file = new Uint8Array(readFileSync((await download.path())!));
  expect(new DataView(file.buffer, file.byteOffset).getUint32(0, true)).toBe(0xa1b2c3d4);
  const pcap = parsePcap(file);
  expect(pcap.linktype).toBe(LINKTYPE_ETHERNET);
  const lines = pcap.records.map((r) => decodeFrame(r.data).summary);
  expect(lines.some((l) => ECHO_REQUEST.test(l))).toBe(true);
  expect(lines.some((l) => ECHO_REPLY.test(l))).toBe(true);
});
