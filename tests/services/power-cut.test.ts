// Power cuts on a file-backed disk: the whole system boots on a blank disk image and runs a
// scripted shell session (mkdir, writes, renames over files, deletes). The machine is cut at 200
// evenly spread instruction counts; what the disk file holds at that instant is exactly what a
// power cut leaves (the file store writes each completed DMA command at once). The run is
// deterministic (all input is typed at the start), so one run yields every cut: the image is
// copied from the file when the machine reaches each count. Each distinct image then boots
// again: the file system must mount, and every command that had completed (its prompt came
// back) before the cut must be intact; the command in flight may be absent, whole, or (for
// `echo > f`) have left f empty.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Machine } from '../../hw/machine';
import { FileBlockStore } from '../../cli/file-block-store';
import { PROMPT, Session, buildArtifacts } from './shell-driver';

const CUTS = 200;
const SECTORS = 2048; // a 1 MiB disk keeps the copies cheap
const dir = mkdtempSync(join(tmpdir(), 'mlk-power-cut-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Tree = Map<string, string>;
const NAMES = ['a', 'a2', 'b', 'c', 'e', 'f'];
const long = 'L'.repeat(150);
/** The session: each command and the trees it may leave while in flight, then when done. */
const SCRIPT: { line: string; apply: (t: Tree) => void; partial?: (t: Tree) => void }[] = [
  { line: 'mkdir /w', apply: () => {} },
  { line: 'echo alpha-1 > /w/a', apply: (t) => t.set('a', 'alpha-1\n'), partial: (t) => t.set('a', '') },
  { line: `echo bravo-2 ${long} > /w/b`, apply: (t) => t.set('b', `bravo-2 ${long}\n`), partial: (t) => t.set('b', '') },
  { line: 'echo charlie-3 > /w/c', apply: (t) => t.set('c', 'charlie-3\n'), partial: (t) => t.set('c', '') },
  { line: 'mv /w/a /w/a2', apply: (t) => { t.set('a2', t.get('a')!); t.delete('a'); } },
  { line: 'rm /w/b', apply: (t) => t.delete('b') },
  { line: 'echo echo-5 > /w/e', apply: (t) => t.set('e', 'echo-5\n'), partial: (t) => t.set('e', '') },
  { line: 'mv /w/e /w/c', apply: (t) => { t.set('c', t.get('e')!); t.delete('e'); } },
  { line: 'rm /w/a2', apply: (t) => t.delete('a2') },
  { line: 'echo foxtrot-6 > /w/f', apply: (t) => t.set('f', 'foxtrot-6\n'), partial: (t) => t.set('f', '') },
  { line: 'echo golf-7 > /w/c', apply: (t) => t.set('c', 'golf-7\n'), partial: (t) => t.set('c', '') },
];

/** The trees allowed after `done` completed commands (the next one possibly in flight). */
function allowed(done: number): Tree[] {
  const t: Tree = new Map();
  for (const c of SCRIPT.slice(0, done)) c.apply(t);
  const out = [new Map(t)];
  const next = SCRIPT[done];
  if (next) {
    if (next.partial) { const p = new Map(t); next.partial(p); out.push(p); }
    const n = new Map(t); next.apply(n); out.push(n);
  }
  return out;
}

const same = (a: Tree, b: Tree) => a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
const show = (t: Tree) => JSON.stringify(Object.fromEntries(t));

describe('power cuts during a shell session on a file-backed disk', () => {
  it(`the disk mounts after each of ${CUTS} cuts and keeps every completed command`, async () => {
    const art = buildArtifacts();
    const input = SCRIPT.map((c) => c.line + '\r').join('');
    /** Boots on `disk`, types the whole session, runs until `stop(machine)` or the session ends. */
    const run = async (disk: FileBlockStore, atCount?: (n: number) => void, cuts: number[] = []) => {
      const m = await Machine.create({ kernel: art.kernel, bootImage: art.bootImage, disk });
      let out = '';
      m.on('uart', (b) => { out += Buffer.from(b).toString('latin1'); });
      m.uartInput(input);
      const prompts = () => out.split(PROMPT).length - 1;
      let next = 0;
      for (;;) {
        const target = next < cuts.length ? cuts[next] : Infinity;
        m.run(Math.max(1, Math.min(240_000, target - m.instructions)));
        while (next < cuts.length && m.instructions >= cuts[next]) { atCount?.(Math.max(0, prompts() - 1)); next++; }
        if (m.halted) throw new Error(`halted: ${m.halted.reason}\n${out}`);
        if (prompts() > SCRIPT.length && next >= cuts.length) break;
        if (m.clock.ticks > 60 * 24_000_000) throw new Error(`the session did not finish\n${out}`);
      }
      return { m, out };
    };

    // 1. the whole session once, to learn its length
    const ref = await run(new FileBlockStore(join(dir, 'ref.img'), SECTORS));
    expect(ref.out).toContain('fs: formatted a blank device');
    const total = ref.m.instructions;

    // 2. the same run, copying the disk image at each cut
    const path = join(dir, 'cut.img');
    const store = new FileBlockStore(path, SECTORS);
    const cuts = Array.from({ length: CUTS }, (_, i) => Math.round(((i + 1) * total) / (CUTS + 1)));
    const images = new Map<string, { image: Buffer; done: Set<number> }>();
    await run(store, (done) => {
      const image = readFileSync(path);
      // one boot per distinct image; it must satisfy every cut that left it
      const key = createHash('sha1').update(image).digest('hex');
      const seen = images.get(key);
      if (seen) seen.done.add(done);
      else images.set(key, { image, done: new Set([done]) });
    }, cuts);
    store.close();
    const doneCounts = [...images.values()].flatMap((v) => [...v.done]);
    expect(Math.min(...doneCounts)).toBe(0);
    expect(Math.max(...doneCounts)).toBeGreaterThanOrEqual(SCRIPT.length - 1);

    console.log(`power cut: ${total} instructions, ${CUTS} cuts, ${images.size} distinct disk images`);
    // 3. boot every distinct image: it mounts, and holds what the completed commands wrote
    let i = 0;
    for (const { image, done } of images.values()) {
      const img = join(dir, `boot${i++}.img`);
      copyFileSync(path, img); // same size; then the cut's contents
      const disk = new FileBlockStore(img, SECTORS);
      disk.write(0, new Uint8Array(image));
      const m = await Machine.create({ kernel: art.kernel, bootImage: art.bootImage, disk });
      const s = new Session(m);
      const boot = s.waitFor(PROMPT, 30);
      const root = s.type('ls /');
      const log = boot + root + s.out; // the fs logs its mount asynchronously
      expect(root, `cut image ${i}`).toContain('etc/');
      expect(log, `cut image ${i}`).not.toContain('mount failed');
      // the files and their sizes, then all their contents in one cat, split by size
      const got: Tree = new Map();
      const sizes = new Map<string, number>();
      for (const line of s.type('ls /w').replace(/^init: [^\n]*\n/gm, '').split('\n')) {
        const m = /^(\S+)\s+(\d+)$/.exec(line.trim());
        if (m) sizes.set(m[1], Number(m[2]));
      }
      const names = [...sizes.keys()];
      expect(names.every((n) => NAMES.includes(n)), `cut image ${i}: ${names}`).toBe(true);
      if (names.length > 0) {
        const text = s.type(`cat ${names.map((n) => `/w/${n}`).join(' ')}`).replace(/^init: [^\n]*\n/gm, '');
        let at = 0;
        for (const n of names) { got.set(n, text.slice(at, at + sizes.get(n)!)); at += sizes.get(n)!; }
        expect(at, `cut image ${i}: cat printed ${JSON.stringify(text)}`).toBe(text.length);
      }
      for (const d of done) {
        const ok = allowed(d).some((t) => same(t, got));
        expect(ok, `cut image ${i} after ${d} commands: got ${show(got)}, allowed ${allowed(d).map(show).join(' | ')}`).toBe(true);
      }
      disk.close();
      rmSync(img);
    }
  }, 300_000);
});
