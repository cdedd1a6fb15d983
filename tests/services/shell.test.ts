// End to end: the machine boots to the shell, and the shell works through the isolated services
// (console, vfs, fs, tmpfs, blockdev, ramdisk, init): files on the disk and the RAM disk, /proc,
// ps/caps/kill/spawn, init restarting a killed service with clients unaffected, persistence across
// a reboot with the same disk, a corrupt disk refused, and a shell that cannot reach the block
// driver because its manifest entry does not allow it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBlockStore } from '../../hw/blockdev';
import { root } from './asc';
import { bootShell, buildArtifacts, kiJson, PROMPT, type Session } from './shell-driver';
import type { TraceRecord } from '../../hw/trace';
import { wire } from '../../services/gen/protocols';
import { TRACE_KINDS as kinds } from '../../host/abi';

/** The rows of `ps` output: tid, name and state. */
function psRows(out: string): Array<{ tid: number; name: string; state: string }> {
  return [...out.matchAll(/^ +(\d+)  (\S+) +(\S+) /gm)].map((m) => ({ tid: Number(m[1]), name: m[2], state: m[3] }));
}

let art: ReturnType<typeof buildArtifacts>;
beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', 'kernel', 'services'], { cwd: root, stdio: 'inherit' });
  art = buildArtifacts();
}, 180_000);

describe('boot', () => {
  it('`mlk boot` reaches the shell prompt', () => {
    const r = spawnSync(process.execPath, ['bin/mlk.js', 'boot', '--until', PROMPT, '--max-time', '30'], { cwd: root, encoding: 'latin1' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('init: started console (tid 2');
    expect(r.stdout).toContain('init: started shell');
    expect(r.stdout.endsWith(PROMPT)).toBe(true);
    // The kernel's boot log is one kernel entry; its timestamps still advance, since its device
    // accesses (every UART byte) cost virtual time. Never backwards, and the last line is later.
    const kernelLog = r.stdout.slice(0, r.stdout.indexOf('boot complete'));
    const stamps = [...kernelLog.matchAll(/^\[ *(\d+)\.(\d{6})\] /gm)].map((m) => Number(m[1]) * 1e6 + Number(m[2]));
    expect(stamps.length).toBeGreaterThan(20);
    stamps.forEach((t, i) => { if (i > 0) expect(t).toBeGreaterThanOrEqual(stamps[i - 1]); });
    expect(new Set(stamps).size).toBeGreaterThan(stamps.length / 2);
  }, 120_000);

  // The CLI contract: `--input` reaches the shell even when it is queued before the console
  // service starts (the kernel leaves UART RX to the console driver when it starts init).
  it('`mlk boot --input … --until …` feeds the shell from the first byte', () => {
    // until the second command's echo: the first one's output is complete by then (the boot's own
    // motd would stop the run at the end of whichever slice printed it, however far the shell got)
    const r = spawnSync(process.execPath, ['bin/mlk.js', 'boot', '--input', 'ls /\ncat /etc/motd\n', '--until', 'cat /etc/motd', '--max-time', '30'], { cwd: root, encoding: 'latin1' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^etc\/ +-\r?$/m);
    expect(r.stdout).not.toContain('(echo)');
  }, 120_000);

  it('the prompt is the last thing the boot prints, once, right after the motd', () => {
    const r = spawnSync(process.execPath, ['bin/mlk.js', 'boot', '--until-idle', '--max-time', '30'], { cwd: root, encoding: 'latin1' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout.endsWith(PROMPT)).toBe(true);
    expect(r.stdout.split(PROMPT)).toHaveLength(2); // nothing printed after it, not even at idle
    expect(r.stdout).toMatch(/Welcome to MyLittleKernel![\s\S]*help\r?\nmlk> $/);
  }, 120_000);

  it('`mlk boot --input … --until-idle` runs every command and exits 0', () => {
    const r = spawnSync(process.execPath, ['bin/mlk.js', 'boot', '--input', 'ls /\ncat /etc/motd\n', '--until-idle', '--max-time', '30'], { cwd: root, encoding: 'latin1' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^tmp\/ +-\r?$/m);
    expect(r.stdout).toContain('Welcome to MyLittleKernel!');
    expect(r.stdout.endsWith(PROMPT)).toBe(true);
  }, 120_000);
});

describe('shell', () => {
  let s: Session;
  beforeAll(async () => { s = await bootShell(art); }, 120_000);

  it('lists / with the mount points', () => {
    const out = s.type('ls /');
    expect(out).toMatch(/^etc\/ +-$/m);
    expect(out).toMatch(/^home\/ +-$/m);
    expect(out).toMatch(/^tmp\/ +-$/m);
    expect(out).toMatch(/^proc\/ +-$/m);
  });

  it('prints /etc/motd', () => {
    expect(s.type('cat /etc/motd')).toContain('Welcome to MyLittleKernel!');
  });

  it('writes and reads a file on the RAM disk, with > and >>', () => {
    expect(s.type('echo hi > /tmp/a')).toBe('');
    expect(s.type('cat /tmp/a')).toBe('hi\n');
    s.type('echo "there  you" >> /tmp/a');
    expect(s.type('cat /tmp/a')).toBe('hi\nthere  you\n');
    expect(s.type('ls /tmp')).toMatch(/^a +14$/m);
  });

  it('makes, moves and removes files and directories', () => {
    s.type('mkdir /home/d');
    s.type('echo one > /home/d/f');
    expect(s.type('mv /home/d/f /home/g')).toBe('');
    expect(s.type('cat /home/g')).toBe('one\n');
    expect(s.type('rm /home/d')).toBe('');
    expect(s.type('rm /home/g')).toBe('');
    expect(s.type('ls /home')).not.toMatch(/^(d|g)\b/m);
    expect(s.type('mv /tmp/a /home/a')).toContain('cannot move across mount points');
  });

  it('gives an error for bad paths and unknown commands, and goes on', () => {
    expect(s.type('cat /nope')).toBe('cat: /nope: no such file or directory\n');
    expect(s.type('ls /etc/motd/x')).toBe('ls: /etc/motd/x: not a directory\n');
    expect(s.type('rm /etc')).toBe('rm: /etc: directory not empty\n');
    expect(s.type('echo x > /proc/1')).toContain('read-only file system');
    expect(s.type('frobnicate')).toBe("mlk: unknown command 'frobnicate' (try help)\n");
    expect(s.type('echo "open')).toBe('mlk: unterminated quote\n');
    expect(s.type('echo still here')).toBe('still here\n');
  });

  it('takes command lines up to 4,096 bytes whole, and refuses longer ones with the bell', () => {
    const word = Array.from({ length: 4000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    expect(s.type(`echo ${word}`)).toBe(`${word}\n`);
    // to a file and back: every byte arrives
    expect(s.type(`echo ${word} > /tmp/long`)).toBe('');
    expect(s.type('cat /tmp/long')).toBe(`${word}\n`);
    // past 4,096 bytes the line discipline rings the bell and keeps the first 4,096
    const over = 'x'.repeat(4200);
    s.m.uartInput(`echo ${over}\r`);
    const got = s.waitFor(PROMPT);
    expect(got).toContain('\x07');
    expect(got).toContain(`${'x'.repeat(4091)}\r\n`);
    expect(got).not.toContain('x'.repeat(4092));
  });

  it('edits the line: backspace, Ctrl-U, Ctrl-C, history', () => {
    expect(s.type('echo abx\x7fc')).toBe('abc\n');
    expect(s.type('garbage\x15echo clean')).toBe('clean\n');
    s.m.uartInput('ls /nothing\x03');
    expect(s.waitFor(PROMPT)).toContain('^C');
    expect(s.type('\x1b[A')).toBe('clean\n'); // ↑: the last line again
    expect(s.type('\x1b[A\x1b[A')).toBe('abc\n'); // ↑↑: the line before
  });

  it('uptime reads the AIC timebase page init maps read-only', () => {
    const a = s.type('uptime');
    expect(a).toMatch(/^up \d+\.\d{3} s \(virtual time\)\n$/);
    s.m.run(24_000_000 / 2); // half a virtual second
    const b = s.type('uptime');
    const secs = (t: string) => Number(/up ([\d.]+) s/.exec(t)![1]);
    expect(secs(b) - secs(a)).toBeGreaterThanOrEqual(0.5);
    // init maps it read-only: the device page at AIC + 0x8000
    const pages = kiJson(s.m, 2, 1).pages as Array<{ va: string; pa: string; rights: string; kind: string }>;
    expect(pages).toContainEqual({ va: '0xf000', pa: '0x23b108000', rights: 'R--', kind: 'device' });
  });

  it('ps lists the services by kernel thread id with the kernel\'s state of each thread', () => {
    const out = s.type('ps');
    expect(out).toMatch(/^ +TID +NAME +STATE +RESTARTS/m);
    // servers wait in receive, the shell waits for init's reply to its ps call, init answers it
    for (const name of ['console', 'vfs', 'fs', 'tmpfs', 'blockdev', 'ramdisk']) {
      expect(out).toMatch(new RegExp(`^ +\\d+  ${name} +blocked_recv `, 'm'));
    }
    expect(out).toMatch(/^ +\d+  shell +blocked_reply /m);
    expect(out).toMatch(/^ +\d+  init +running /m);
    // the same ids, names and states as the kernel's thread table (what the Processes panel shows)
    const threads = kiJson(s.m, 0, 0) as Array<{ tid: number; name: string; state: string }>;
    for (const row of psRows(out)) {
      const t = threads.find((x) => x.tid === row.tid);
      expect(t, `tid ${row.tid}`).toBeDefined();
      expect(t!.name).toBe(row.name);
      if (row.name !== 'shell' && row.name !== 'init') expect(t!.state).toBe(row.state);
    }
  });

  it('shows /proc from init and the capabilities init gave a process', () => {
    expect(s.type('ls /proc')).toMatch(/^5 /m);
    expect(s.type('cat /proc/5')).toContain('tid: 5\nname: fs\nstate: running');
    const caps = s.type('caps 8');
    // badge = init's index 8 of the shell + bit 21: the shell's proc capability is privileged (kill, spawn)
    expect(caps).toMatch(/endpoint +-WG +2097160 +endpoint init \(proc, privileged\)/);
    expect(caps).toMatch(/endpoint console/);
    expect(caps).toMatch(/endpoint vfs/);
    expect(caps).not.toMatch(/blockdev|device|irq/);
    expect(s.type('caps 2')).toMatch(/device uart mapped at 0x4000[\s\S]*irq_handler.*irq 605/);
  });

  it('the shell cannot reach the block driver: init refuses the lookup', () => {
    expect(s.type('connect blockdev')).toBe('connect: blockdev: permission denied\n');
    expect(s.type('connect fs')).toBe('connect: fs: permission denied\n');
    expect(s.type('connect vfs')).toMatch(/^connect: vfs: capability in slot \d+\n$/);
  });

  it('spawns a program from the boot image', () => {
    expect(s.type('spawn hello')).toMatch(/^started hello as tid \d+/m);
    s.waitFor('hello from a freshly spawned EL0 program');
    s.waitFor('exited with status 0');
    expect(s.type('spawn nosuch')).toBe("spawn: no program 'nosuch' in the boot manifest\n");
  });

  it('stays responsive while a CPU-bound program runs: the console and shell preempt it', () => {
    expect(s.type('spawn spin')).toMatch(/^started spin as tid \d+/m);
    s.waitFor('spin: round 1/12');
    // spin never yields; the typed line's IRQ wakes the console, which outranks it.
    const ps = s.type('ps');
    expect(ps).toMatch(/^\s+\d+\s+spin\s+(ready|running)\b/m); // preempted by the shell's ps
    expect(s.out).not.toContain('round 12/12');
    s.waitFor('spin: round 12/12', 60);
    s.waitFor('exited with status 0');
  });

  it('survives killing the file system: init restarts it and the data is intact', () => {
    s.type('echo precious data > /home/keep');
    const out = s.type('kill 5');
    expect(out).toContain('init: fs (tid 5) killed; restart 1/5 in 1 tick');
    if (!s.out.includes('init: fs restarted as tid ')) s.waitFor('init: fs restarted as tid ');
    const tid = Number(/init: fs restarted as tid (\d+) \(1\/5\)/.exec(s.out)![1]);
    expect(tid).not.toBe(5); // a new thread
    expect(s.type('cat /home/keep')).toContain('precious data\n');
    expect(s.type('cat /etc/motd')).toContain('Welcome');
    expect(s.type('ps')).toMatch(new RegExp(`^ +${tid}  fs +blocked_recv +1 `, 'm'));
    expect(kiJson(s.m, 0, 0)).toContainEqual(expect.objectContaining({ tid, name: 'fs', state: 'blocked_recv' }));
  });

  it('survives killing the block driver and the console', () => {
    expect(s.type('kill 3')).toContain('init: blockdev (tid 3) killed; restart 1/5 in 1 tick');
    s.type('echo after driver restart >> /home/keep');
    expect(s.type('cat /home/keep')).toBe('precious data\nafter driver restart\n');
    expect(s.type('kill 2')).toContain('init: console (tid 2) killed; restart 1/5 in 1 tick');
    expect(s.type('echo console is back')).toBe('console is back\n');
    expect(s.type('kill 1')).toBe('kill: 1: permission denied\n');
  });

  it('a restarted RAM disk comes back blank, and tmpfs formats it again', () => {
    s.type('echo volatile > /tmp/v');
    expect(s.type('kill 4')).toContain('init: ramdisk (tid 4) killed; restart 1/5 in 1 tick');
    const out = s.type('cat /tmp/v');
    expect(out).toContain('init: tmpfs: the device was reset');
    expect(out).toContain('cat: /tmp/v: no such file or directory');
    s.type('echo again > /tmp/v');
    expect(s.type('cat /tmp/v')).toBe('again\n');
  });
});

describe('ps and log lines', () => {
  it('a log line printed while ps runs never splits one of its lines', async () => {
    const s = await bootShell(art);
    for (let round = 0; round < 3; round++) {
      // the restart (and its log line) comes one supervision tick after the kill: while ps runs
      const tid = Number(psRows(s.type('ps')).find((r) => r.name === 'blockdev')!.tid);
      s.type(`kill ${tid}`);
      const out = s.type('ps');
      for (const line of out.split('\n').filter((l) => l.length > 0)) {
        expect(line, JSON.stringify(out)).toMatch(/^(  TID  NAME +STATE +RESTARTS +FAULTS +PRIO|init: .*| +(\d+|-)  \S+ +\S+ +\d+ +\d+ +\d+( +back-off .*)?)$/);
      }
      if (!/blockdev restarted as tid/.test(s.out.slice(-2000))) s.waitFor('blockdev restarted as tid');
    }
  }, 120_000);
});

describe('memory', () => {
  // Services run on a collecting runtime (`minimal` + collectGarbage() in each server loop): a long
  // session must not grow the kernel pool (demand-zero pages of the services' heaps) per command.
  it('300 commands in a row leave kernel-pool use bounded, and every service still answers', async () => {
    const s = await bootShell(art);
    const pool = () => kiJson(s.m, 4).kernel_pool.used_pages as Record<string, number>;
    const run = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        expect(s.type(`echo x${i} > /tmp/f`)).not.toMatch(/echo|error/); // (log lines of init may come)
        expect(s.type('cat /tmp/f')).toMatch(new RegExp(`x${i}\\n$`));
      }
    };
    run(0, 50); // warm up: heaps reach their working size
    const warm = pool().demand_zero;
    run(50, 300);
    const used = pool().demand_zero;
    // the stub runtime grew by ~0.9 pages per command (~450 here); allow a little slack
    expect(used - warm).toBeLessThan(25);
    expect(s.type('mem')).toMatch(/kernel pool/);
    expect(s.type('cat /etc/motd')).toContain('Welcome');
    const ps = s.type('ps');
    for (const name of ['console', 'vfs', 'fs', 'tmpfs', 'blockdev', 'ramdisk', 'shell']) {
      expect(ps).toMatch(new RegExp(`^ +\\d+  ${name} +blocked_(recv|reply) +0 +0 `, 'm'));
    }
  }, 180_000);
});

describe('introspection', () => {
  // What the playground's panels read: a thread's register file (view 6), the per-frame map
  // (view 4 `map`), and the message words of IPC trace records decoded through the protocols.
  let s: Session;
  const recs: TraceRecord[] = [];
  beforeAll(async () => {
    s = await bootShell(art);
    s.m.on('trace', (r) => recs.push(r));
  }, 120_000);

  it('view 6: a thread with its saved EL0 register file', () => {
    const t = kiJson(s.m, 6, 8);
    expect(t.name).toBe('shell');
    expect(Object.keys(t.regs)).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'pc', 'sp', 'fp', 'gp', 'img', 'imglen', 'mempages', 'memmax', 'splim', 'stack_base', 'pending_import', 'call_depth']);
    expect(BigInt(t.regs.mempages)).toBeGreaterThan(0n);
    expect(BigInt(t.regs.sp)).toBeGreaterThanOrEqual(BigInt(t.regs.stack_base));
    expect(BigInt(t.regs.sp)).toBeLessThan(BigInt(t.regs.splim));
    expect(kiJson(s.m, 6, 999)).toBeNull();
  });

  it('view 4: one character per RAM frame, matching the kernel pool counts', () => {
    const m = kiJson(s.m, 4);
    expect(m.map).toHaveLength(m.ram_frames);
    const count = (c: string) => [...m.map].filter((x) => x === c).length;
    expect(count('t')).toBe(m.kernel_pool.used_pages.page_tables);
    expect(count('z')).toBe(m.kernel_pool.used_pages.demand_zero);
    expect(count('-')).toBe(m.kernel_pool.free_pages);
    expect(m.map[0]).toBe('k'); // the kernel image at the start of RAM
    expect(count('b')).toBeGreaterThan(0); // the boot image
    // init's Untyped memory: not retyped (y), kernel objects (o, as are the pool's) and frames (u)
    expect(count('y') + count('o') + count('u')).toBe(m.untyped_pages + m.kernel_pool.used_pages.kernel_objects);
    expect(count('u')).toBeGreaterThan(0); // frames init retyped (shared pages, …)
    expect(Object.keys(m.map_legend)).toContain('y');
  });

  it('IPC trace records carry MR0..MR3, decoded through the protocols', () => {
    recs.length = 0;
    s.type('ps');
    const K = Object.fromEntries(kinds.map((k) => [k.name, k.kind])) as Record<string, number>;
    const texts: string[] = [];
    recs.forEach((r, i) => {
      if (r.kind !== K.IPC_SEND || r.args[0] !== 8) return; // the shell's calls
      const w = recs[i + 1];
      if (!w || w.kind !== K.IPC_WORDS || w.args[0] !== 8) return;
      const word = (lo: number, hi: number) => BigInt(lo) | (BigInt(hi) << 32n);
      const words = [word(w.args[2], w.args[3]), word(w.args[4], w.args[5])];
      texts.push(wire.decodeRequest(r.args[3], words, { length: w.args[1] }).text);
    });
    expect(texts).toContain('proc.ps(index=0)');
    expect(texts).toContain('proc.ps(index=1)');
  });
});

describe('restart limit', () => {
  it('a service past its restart limit is left failed, its clients get an error, spawn brings it back', async () => {
    const s = await bootShell(art);
    s.type('ls /home');
    let tid = 5;
    for (let i = 1; i <= 5; i++) {
      expect(s.type(`kill ${tid}`)).toContain(`init: fs (tid ${tid}) killed; restart ${i}/5 in ${2 ** (i - 1)} tick`);
      const back = new RegExp(`init: fs restarted as tid (\\d+) \\(${i}/5\\)`); // after the back-off: 1, 2, 4, 8, 16 ticks
      if (!back.test(s.out)) s.waitFor(`(${i}/5)`);
      tid = Number(back.exec(s.out)![1]);
    }
    expect(s.type(`kill ${tid}`)).toContain(`init: fs (tid ${tid}) killed; restart limit 5 reached, not restarting`);
    expect(s.type('ps')).toMatch(/^ +-  fs +failed/m);
    expect(s.type('cat /etc/motd')).toBe('cat: /etc/motd: the service is not running (restart limit reached) (UNAVAILABLE)\n');
    expect(s.type('echo /tmp still works > /tmp/x')).toBe('');
    expect(s.type('spawn fs')).toMatch(/started fs as tid \d+/);
    expect(s.type('cat /etc/motd')).toContain('Welcome');
  }, 120_000);
});

describe('disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlk-disk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps files across a reboot with the same disk image', async () => {
    const disk = new MemoryBlockStore(8192);
    const a = await bootShell(art, disk);
    a.type('echo written before the reboot > /home/saved');
    expect(a.type('cat /home/saved')).toBe('written before the reboot\n');
    const b = await bootShell(art, disk);
    expect(b.out).toContain('init: fs: mounted (mount #2)'); // before the first prompt: the shell shows the motd at login
    expect(b.out).not.toContain('init: fs: formatted');
    expect(b.type('cat /home/saved')).toBe('written before the reboot\n');
    expect(b.type('cat /tmp/a')).toContain('no such file'); // the RAM disk starts blank
  }, 120_000);

  it('keeps files across `mlk boot --disk FILE` runs', () => {
    const img = join(dir, 'disk.img');
    const run = () => spawnSync(process.execPath, ['bin/mlk.js', 'boot', '--disk', img, '--until', 'init: fs: mounted', '--max-time', '30'], { cwd: root, encoding: 'latin1' });
    const r1 = run();
    expect(r1.status, r1.stderr).toBe(0);
    expect(r1.stdout).toContain('init: fs: formatted a blank device');
    const r2 = run();
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stdout).toContain('init: fs: mounted (mount #2)');
    expect(r2.stdout).not.toContain('init: fs: formatted');
  }, 120_000);

  it('refuses a disk with a corrupt superblock, and the shell reports it', async () => {
    const disk = new MemoryBlockStore(8192);
    const a = await bootShell(art, disk);
    a.type('ls /');
    disk.data[0x0c] ^= 0x40; // the block count: the checksum no longer matches
    const b = await bootShell(art, disk);
    expect(b.type('ls /')).toContain('ls: /: file system structure is corrupt');
    expect(b.out).toContain('fs: mount failed: CORRUPT');
    expect(b.type('cat /etc/motd')).toContain('file system structure is corrupt');
    expect(b.type('echo the shell goes on')).toBe('the shell goes on\n');
  }, 120_000);
});
