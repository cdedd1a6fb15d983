// The full system with a hostile service in its boot manifest: one that exhausts memory, one that
// asks init to kill everyone, one that fuzzes its neighbours' protocols. The shipped manifest is
// not touched: each test boots the shipped boot image with the hostile service
// (tests/hostile/programs/services/<name>.ts) appended and one more manifest entry for it
// (tests/services/custom-image.ts). Then the shell, the
// file system and the other services must still work; the invariant checker runs after every
// kernel entry.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { root } from '../kernel/mlk';
import { bootShell, invariantOf, kiJson, type Session } from '../services/shell-driver';
import { imageWith } from '../services/custom-image';

let kernel: WebAssembly.Module;

beforeAll(() => {
  kernel = new WebAssembly.Module(readFileSync(join(root, 'build', 'kernel.wasm')));
});

/** init + the hostile service, built against a manifest with one more (autostarted) entry. */
const hostileImage = (name: string, uses: Record<string, string> = {}) =>
  imageWith({ name, uses, source: join(root, 'tests', 'hostile', 'programs', 'services', `${name}.ts`) });

/** The shell, the file system (write, read back) and the services answer. */
function stillWorks(s: Session): void {
  expect(s.type('cat /etc/motd', 60)).toContain('Welcome to MyLittleKernel');
  expect(s.type('echo survived > /tmp/canary', 60)).toBe('');
  expect(s.type('cat /tmp/canary', 60)).toBe('survived\n');
  expect(s.type('mkdir /keep', 60)).toBe('');
  expect(s.type('ls /', 60)).toContain('keep');
  const ps = s.type('ps', 60);
  for (const name of ['console', 'fs', 'vfs', 'shell']) expect(ps).toMatch(new RegExp(`${name}\\b`));
  expect(s.m.halted ? `${s.m.halted.reason}${invariantOf(s.m)}` : null).toBeNull();
}

describe('full system with a hostile service', () => {
  it('a service that exhausts memory fails alone', async () => {
    const s = await bootShell({ kernel, bootImage: await hostileImage('hog') });
    expect(s.out).toContain('init: started hog');
    // Its heap (MEMMAX, 16 MiB of demand-zero pages) is more than its quota of the kernel pool (a
    // quarter), even more than the whole pool: it cannot finish touching it. It faults when its
    // quota is spent; init, its fault handler, does not restart it (limit 0).
    if (!s.out.includes('not restarting')) s.waitFor('not restarting', 60); // usually before the prompt
    const fault = /hog \(tid \d+\) page fault at 0x([0-9a-f]+) .*not restarting/.exec(s.out);
    expect(fault).not.toBeNull();
    expect(s.out).not.toContain('hog: touched');
    // It got about its quota (a quarter of the pool: heap pages from 0x10000 plus its page tables
    // and image pages), neither less (starved by others) nor more.
    const pool = kiJson(s.m, 4).kernel_pool;
    const page = parseInt(fault![1], 16) / 4096;
    expect(page).toBeGreaterThan(pool.total_pages / 4 - 64);
    expect(page).toBeLessThanOrEqual(pool.total_pages / 4 + 16);
    // init stopped it and reclaimed its objects: its pages went back to the pool
    expect((kiJson(s.m, 0) as { name: string }[]).some((t) => t.name === 'hog')).toBe(false);
    expect(pool.free_pages).toBeGreaterThan(pool.total_pages / 2);
    stillWorks(s);
  }, 600_000);

  it('a service that asks init to kill everyone is refused, and everything keeps working', async () => {
    const s = await bootShell({ kernel, bootImage: await hostileImage('killer') });
    const line = s.waitFor('killer: kills accepted', 30) + s.waitFor('\n', 10);
    // killing needs the authority of a capability (a badge on the proc endpoint) that it lacks
    expect(line).toMatch(/kills accepted 0, refused \d+/);
    stillWorks(s);
  }, 600_000);

  it("a service that fuzzes its neighbours' protocols gets errors, and everything keeps working", async () => {
    const s = await bootShell({ kernel, bootImage: await hostileImage('nfuzz', { console: 'console', vfs: 'vfs' }) });
    s.waitFor('nfuzz: 8000 calls done', 90);
    stillWorks(s);
  }, 600_000);
});
