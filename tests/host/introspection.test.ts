// The kernel's real ki_json answers match the schemas declared in abi/introspection.json (the
// types host/kiViews.ts gives the page, the CLI and the tests): boot the whole system, then read
// every view — the per-thread ones for every thread and for a tid that does not exist.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KI_SCHEMA, KI_VIEW, parseKiView, readKiText, readKiView, schemaErrors, type KiExports, type KiView } from '../../host/introspection';
import type { Machine } from '../../hw/machine';
import { bootShell } from '../services/shell-driver';

let m: Machine;
const ex = () => m.kernelExports as unknown as KiExports;

beforeAll(async () => {
  const s = await bootShell({ kernel: new WebAssembly.Module(readFileSync('build/kernel.wasm')), bootImage: new Uint8Array(readFileSync('build/bootimage.cpio')) });
  s.type('ls /', 60); // some IPC history: queues, reply caps, demand-zero pages
  m = s.m;
}, 120_000);

describe('ki_json views against abi/introspection.json', () => {
  it('declares every view the kernel answers, and only those', () => {
    const answered = [...Array(16).keys()].filter((w) => ex().ki_json(w, 1) > 0);
    expect(answered).toEqual(Object.keys(KI_SCHEMA.views).map(Number));
  });

  it('every view, for every thread, matches its schema', () => {
    const threads = readKiView(ex(), m.ram.u8, KI_VIEW.THREADS);
    if (!threads.ok) throw new Error(threads.error);
    const tids = threads.value.map((t) => t.tid);
    expect(tids.length).toBeGreaterThanOrEqual(8);
    const perThread = [KI_VIEW.CSPACE, KI_VIEW.VSPACE, KI_VIEW.THREAD];
    for (const w of Object.keys(KI_SCHEMA.views).map(Number) as KiView[]) {
      for (const arg of perThread.includes(w as never) ? [...tids, 9999] : [0]) {
        const r = readKiView(ex(), m.ram.u8, w, arg);
        expect(r.ok ? 'ok' : r.error, `view ${w} arg ${arg}`).toBe('ok');
      }
    }
    const none = readKiView(ex(), m.ram.u8, KI_VIEW.CSPACE, 9999);
    expect(none.ok && none.value).toBeNull();
    const shell = threads.value.find((t) => t.name === 'shell')!;
    const caps = readKiView(ex(), m.ram.u8, KI_VIEW.CSPACE, shell.tid);
    expect(caps.ok && caps.value?.slots.some((c) => c.type === 'endpoint')).toBe(true);
  });

  it('refuses an answer that strays from the schema, naming the field', () => {
    const raw = readKiText(ex(), m.ram.u8, KI_VIEW.COUNTERS);
    if (!raw.ok) throw new Error(raw.error);
    const counters = JSON.parse(raw.text);
    expect(parseKiView(KI_VIEW.COUNTERS, raw.text).ok).toBe(true);
    const renamed = { ...counters, syscall_count: counters.syscalls };
    delete renamed.syscalls;
    const r = parseKiView(KI_VIEW.COUNTERS, JSON.stringify(renamed));
    expect(r.ok ? '' : r.error).toMatch(/\$\.syscalls: missing.*\$\.syscall_count: not in the schema/);
    expect(schemaErrors('thread', { pid: 1 })).toContain('$.tid: missing');
    expect(schemaErrors(['number'], [1, '2'])).toEqual(['$[1]: expected number, got "2"']);
    expect(parseKiView(KI_VIEW.THREADS, '[{').ok).toBe(false);
  });
});
