// The one Chrome-trace exporter (host/chromeTrace.ts): its structure on hand-made records, and the
// trace `mlk boot --trace` writes, which must carry the page's thread tracks named by the kernel.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TRACE_IPC_SEND, TRACE_SWITCH, TRACE_SYSCALL } from '../../host/abi';
import { toChromeTrace, type ChromeTraceEvent } from '../../host/chromeTrace';
import { root } from '../services/asc';

const THREADS_PID = 2;
const threadTracks = (events: ChromeTraceEvent[]) =>
  new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === THREADS_PID).map((e) => [e.tid, String(e.args?.name)]));

describe('Chrome trace', () => {
  it('puts every record on the kernel track, run slices and IPC on thread tracks', () => {
    const records = [
      { seq: 1, ticks: 24, kind: TRACE_SWITCH, args: [0, 3] },
      { seq: 2, ticks: 48, kind: TRACE_IPC_SEND, args: [3, 4, 0x100, 1, 0] },
      { seq: 3, ticks: 72, kind: TRACE_SYSCALL, args: [3, 0] },
      { seq: 4, ticks: 96, kind: TRACE_SWITCH, args: [3, 4] },
      { seq: 5, ticks: 120, kind: TRACE_SYSCALL, args: [4, 3] },
    ];
    const { traceEvents } = toChromeTrace(records, new Map([[3, 'shell']]));
    const kernel = traceEvents.filter((e) => e.pid === 1 && e.ph === 'i');
    expect(kernel.map((e) => e.name)).toEqual(['SWITCH', 'IPC_SEND', 'SYSCALL', 'SWITCH', 'SYSCALL']);
    expect(kernel[1].args).toMatchObject({ seq: 2, from_tid: 3 });
    expect(kernel[0].ts).toBe(1); // 24 ticks = 1 µs at 24 MHz
    const runs = traceEvents.filter((e) => e.ph === 'X');
    expect(runs.map((e) => [e.tid, e.ts, e.dur])).toEqual([[3, 1, 3], [4, 4, 1]]);
    expect(threadTracks(traceEvents)).toEqual(new Map([[3, 'shell (tid 3)'], [4, 'tid 4']]));
    const ipc = traceEvents.filter((e) => e.pid === THREADS_PID && e.ph === 'i');
    expect(ipc.map((e) => [e.name, e.tid])).toEqual([['IPC_SEND', 3]]);
  });

  it('mlk boot --trace writes the thread tracks, named by the kernel', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mlk-trace-')), 'boot.json');
    await promisify(execFile)(process.execPath, [`${root}bin/mlk.js`, 'boot', '--until', 'mlk> ', '--trace', file], { cwd: root });
    const { traceEvents } = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: ChromeTraceEvent[] };
    const names = [...threadTracks(traceEvents).values()];
    for (const service of ['init', 'console', 'fs', 'vfs', 'shell']) expect(names).toContainEqual(expect.stringMatching(new RegExp(`^${service} \\(tid \\d+\\)$`)));
    const runs = traceEvents.filter((e) => e.ph === 'X' && e.pid === THREADS_PID);
    expect(new Set(runs.map((e) => e.tid)).size).toBeGreaterThanOrEqual(5);
    expect(traceEvents.some((e) => e.pid === THREADS_PID && e.ph === 'i' && e.name.startsWith('IPC_'))).toBe(true);
    expect(traceEvents.filter((e) => e.pid === 1 && e.ph === 'i').length).toBeGreaterThan(100);
  }, 120_000);
});
