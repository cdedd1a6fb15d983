// The full system with a hostile service in its boot manifest: one that exhausts memory, one that
// asks init to kill everyone, one that fuzzes its neighbours' protocols. The shipped manifest is
// not touched. init has the manifest compiled in (services/gen/manifest.ts), so each test builds,
// in build/hostile-sys/<name>/, a copy of the services tree (symlinks) whose gen/manifest.ts has
// one more entry, compiles init and the hostile service (tests/hostile/programs/services/<name>.ts) there,
// and boots the shipped boot image with that init and the service appended. Then the shell, the
// file system and the other services must still work; the invariant checker runs after every
// kernel entry.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { root } from '../kernel/mlk';
import { bootShell, invariantOf, kiJson, type Session } from '../services/shell-driver';
// @ts-expect-error: plain JS module
import { writeCpio } from '../../scripts/cpio.mjs';

const run = promisify(execFile);
let kernel: WebAssembly.Module;
let shipped: { name: string; data: Uint8Array }[];

/** Entries of a cpio newc archive (the boot image). */
function readCpio(a: Uint8Array): { name: string; data: Uint8Array }[] {
  const files: { name: string; data: Uint8Array }[] = [];
  const txt = (o: number, n: number) => Buffer.from(a.subarray(o, o + n)).toString('latin1');
  let o = 0;
  for (;;) {
    const field = (i: number) => parseInt(txt(o + 6 + 8 * i, 8), 16);
    const size = field(6), nameSize = field(11);
    const name = txt(o + 110, nameSize - 1);
    if (name === 'TRAILER!!!') return files;
    const at = (o + 110 + nameSize + 3) & ~3;
    files.push({ name, data: a.slice(at, at + size) });
    o = (at + size + 3) & ~3;
  }
}

beforeAll(() => {
  kernel = new WebAssembly.Module(readFileSync(join(root, 'build', 'kernel.wasm')));
  shipped = readCpio(new Uint8Array(readFileSync(join(root, 'build', 'bootimage.cpio'))));
});

/** init + the hostile service, built against a manifest with one more (autostarted) entry. */
async function hostileImage(name: string, uses: Record<string, string> = {}): Promise<Uint8Array> {
  const tree = join(root, 'build', 'hostile-sys', name);
  rmSync(tree, { recursive: true, force: true });
  const svc = join(tree, 'services');
  mkdirSync(join(svc, 'gen'), { recursive: true });
  for (const e of ['lib', 'lib-ext', 'asconfig.json']) symlinkSync(join(root, 'services', e), join(svc, e));
  for (const f of readdirSync(join(root, 'services', 'gen'))) {
    if (f !== 'manifest.ts') symlinkSync(join(root, 'services', 'gen', f), join(svc, 'gen', f));
  }
  const entry = [`  s = new ServiceDef(); s.name = "${name}"; s.program = "${name}"; s.prio = 9; s.serves = false; s.restartLimit = 0; s.autostart = true; s.args = "";`,
    ...Object.entries(uses).map(([a, t]) => `  s.uses.push("${a}"); s.uses.push("${t}");`), '  out.push(s);'].join('\n');
  const manifest = readFileSync(join(root, 'services', 'gen', 'manifest.ts'), 'utf8').replace('  return out;', `${entry}\n  return out;`);
  writeFileSync(join(svc, 'gen', 'manifest.ts'), manifest);
  mkdirSync(join(svc, 'init'));
  copyFileSync(join(root, 'services', 'init', 'main.ts'), join(svc, 'init', 'main.ts'));
  mkdirSync(join(svc, name));
  copyFileSync(join(root, 'tests', 'hostile', 'programs', 'services', `${name}.ts`), join(svc, name, 'main.ts'));
  const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  const build = (p: string) => run(process.execPath, [asc, `services/${p}/main.ts`, '--config', 'services/asconfig.json', '--target', 'release', '-o', `${p}.wasm`], { cwd: tree });
  await Promise.all([build('init'), build(name)]);
  const files = shipped.map((f) => (f.name === 'init.wasm' ? { name: f.name, data: new Uint8Array(readFileSync(join(tree, 'init.wasm'))) } : f));
  if (!existsSync(join(tree, `${name}.wasm`))) throw new Error(`${name} did not build`);
  return writeCpio([...files, { name: `${name}.wasm`, data: new Uint8Array(readFileSync(join(tree, `${name}.wasm`))) }]) as Uint8Array;
}

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
