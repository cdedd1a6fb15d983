// Supervision (docs/SERVICES.md "Supervision"): the timer service on the EL1 virtual timer, init's
// restarts with exponential back-off measured in virtual time, heartbeats that catch a hung
// service, the privileged proc badge that kill and spawn need, and a block driver killed under the
// file system without losing acknowledged data. Every time asserted is a system-counter value a
// program read (virtual time); nothing depends on the wall clock.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { root } from './asc';
import { bootShell, buildArtifacts, kiJson, type Session } from './shell-driver';

const TICK = 240_000; // one supervision tick: 10 ms of the 24 MHz counter

let art: ReturnType<typeof buildArtifacts>;
beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', 'kernel', 'services'], { cwd: root, stdio: 'inherit' });
  art = buildArtifacts();
}, 600_000);

/** Runs until `text` has been printed (before the current mark, e.g. inside a command's output, too). */
function seen(s: Session, text: string): void {
  if (!s.out.includes(text)) s.waitFor(text);
}

/** Waits for init's "NAME restarted as tid N (i/limit)" line and returns the new thread id. */
function restartedAs(s: Session, name: string, count: string): number {
  const re = new RegExp(`init: ${name} restarted as tid (\\d+) \\(${count}\\)`);
  if (!re.test(s.out)) s.waitFor(`(${count})`);
  return Number(re.exec(s.out)![1]);
}

/** Every number the pattern's first group captures in the output so far. */
function all(s: Session, re: RegExp): number[] {
  return [...s.out.matchAll(re)].map((m) => Number(m[1]));
}

describe('timer service', () => {
  it('sleep and deadline answer at the asked virtual time, on the EL1 virtual timer', async () => {
    const s = await bootShell(art);
    expect(s.type('spawn clock')).toContain('started clock');
    const slept = s.waitFor('exited with status 0');
    const [from, woke] = [...slept.matchAll(/sleep 240000 from (\d+): woke at (\d+)/g)][0].slice(1).map(Number);
    expect(woke - from).toBeGreaterThanOrEqual(240_000);
    expect(woke - from).toBeLessThan(240_000 + 20_000); // the client's call and the service's reply
    const [at, woke2] = [...slept.matchAll(/deadline (\d+): woke at (\d+)/g)][0].slice(1).map(Number);
    expect(woke2).toBeGreaterThanOrEqual(at);
    expect(woke2 - at).toBeLessThan(20_000);
    // the timer service's capabilities: the vtimer handler and a read-only counter page
    const caps = s.type('caps 10');
    expect(caps).toMatch(/irq_handler +RWG +0 +irq 1027 \(vtimer\), notification bound/);
    expect(caps).toMatch(/device_frame +R-- +0 +device timebase mapped at 0x4000/);
    expect(s.out).not.toContain('timer (tid 10) missed its heartbeat');
  }, 300_000);
});

describe('restart back-off', () => {
  it('a crashing service is restarted after 1, 2, 4, 8, 16, 32, 64, 64 ticks, then left failed', async () => {
    const s = await bootShell(art);
    expect(s.type('spawn flaky')).toContain('started flaky as tid 14');
    s.waitFor('restart 4/8 in 8 ticks', 60);
    // ps reports the pending restart: its back-off and when it comes (no thread meanwhile)
    expect(s.type('ps')).toMatch(/^ +- +flaky +restarting +4 +4 +29 +back-off 8 ticks, restart in \d+ ms$/m);
    s.waitFor(') trap 1 (pc 0x', 60);
    s.waitFor('restart limit 8 reached, not restarting', 60);
    for (let n = 1; n <= 8; n++) expect(s.out).toContain(`restart ${n}/8 in ${Math.min(2 ** (n - 1), 64)} tick`);
    // the virtual times the nine instances started at (each logs its counter first thing)
    const starts = all(s, /init: flaky: started at (\d+)/g);
    expect(starts).toHaveLength(9);
    const waits = starts.slice(1).map((t, i) => t - starts[i]);
    // Each wait is the back-off plus init's restart work and the new instance's first call — and,
    // now and then, a garbage collection in init's loop (up to ~1.3 ticks): never early, never
    // near the next step, and mostly the same small overhead.
    const overhead = waits[0] - TICK;
    expect(overhead).toBeGreaterThan(0);
    let typical = 0;
    waits.forEach((w, i) => {
      const delay = Math.min(2 ** i, 64) * TICK;
      expect(w - delay, `wait ${i + 1}`).toBeGreaterThan(0);
      expect(w - delay, `wait ${i + 1}`).toBeLessThan(1.5 * TICK);
      if (Math.abs(w - delay - overhead) < TICK / 10) typical++;
    });
    expect(typical).toBeGreaterThanOrEqual(6);
    expect(s.type('ps')).toMatch(/^ +- +flaky +failed +8 +9 /m);
  }, 300_000);
});

describe('heartbeats', () => {
  it('a service that stops answering its heartbeat is killed and restarted', async () => {
    const s = await bootShell(art);
    expect(s.type('spawn hang')).toContain('started hang as tid 14');
    s.waitFor('init: hang: hanging after 2 heartbeats', 30);
    s.waitFor('init: hang (tid 14) missed its heartbeat (hung); restart 1/2 in 1 tick', 30);
    const tid = restartedAs(s, 'hang', '1/2');
    s.waitFor(`init: hang (tid ${tid}) missed its heartbeat (hung); restart 2/2 in 2 ticks`, 30);
    s.waitFor('restart limit 2 reached, not restarting', 30);
    // the system goes on: the shell and the timer service (which answers its own heartbeats)
    expect(s.type('echo still here')).toBe('still here\n');
    expect(s.type('ps')).toMatch(/^ +10 +timer +blocked_recv +0 +0 +31/m);
    expect(s.out).not.toContain('timer (tid 10) missed');
  }, 300_000);
});

describe('kill authority', () => {
  it('a service without the privileged badge cannot kill another; the shell can', async () => {
    const s = await bootShell(art);
    s.type('spawn rogue');
    s.waitFor('init: rogue: kill 3: DENIED');
    s.waitFor('init: rogue (tid 14) exited with status 0');
    expect(s.out).not.toContain('blockdev (tid 3) killed');
    const ps = s.type('ps');
    expect(ps).toMatch(/^ +3 +blockdev +blocked_recv +0 +0 /m);
    // the proc capabilities init gave: privileged for the shell, plain for the others
    expect(s.type('caps 8')).toMatch(/^ +4 +endpoint +-WG +\d+ +endpoint init \(proc, privileged\)$/m);
    expect(s.type('caps 5')).toMatch(/^ +4 +endpoint +-WG +5 +endpoint init \(proc\)$/m);
    expect(s.type('kill 3')).toContain('init: blockdev (tid 3) killed; restart 1/5 in 1 tick');
    const tid = restartedAs(s, 'blockdev', '1/5');
    // ps, the kernel's thread table (the Processes panel) and kill agree on the new thread id
    expect(s.type('ps')).toMatch(new RegExp(`^ +${tid} +blockdev +blocked_recv +1 `, 'm'));
    expect(kiJson(s.m, 0)).toContainEqual(expect.objectContaining({ tid, name: 'blockdev', state: 'blocked_recv' }));
    expect(s.type('kill 3')).toBe('kill: no running process 3\n');
    expect(s.type('kill 1')).toBe('kill: 1: permission denied\n');
  }, 300_000);
});

describe('a killed block driver', () => {
  it('loses no acknowledged file data, and the file system works again once it is back', async () => {
    const s = await bootShell(art);
    s.type('echo acknowledged before the kill > /home/durable');
    let tid = 3;
    for (let round = 1; round <= 3; round++) {
      expect(s.type(`kill ${tid}`)).toContain(`init: blockdev (tid ${tid}) killed; restart ${round}/5 in ${2 ** (round - 1)} tick`);
      // a request fs makes while the driver is down waits on the driver's endpoint (which outlives
      // the driver) and the next instance serves it
      expect(s.type(`echo written after kill ${round} >> /home/durable`)).not.toMatch(/echo:|error/);
      tid = restartedAs(s, 'blockdev', `${round}/5`);
    }
    expect(s.type('cat /home/durable')).toBe(
      'acknowledged before the kill\nwritten after kill 1\nwritten after kill 2\nwritten after kill 3\n');
    s.type('echo after > /home/after');
    expect(s.type('cat /home/after')).toBe('after\n');
    // the data is on the device, not only in a cache: a fresh file system instance reads it back
    expect(s.type('kill 5')).toContain('init: fs (tid 5) killed; restart 1/5 in 1 tick');
    expect(s.type('cat /home/durable')).toContain('written after kill 3\n');
    const threads = kiJson(s.m, 0) as Array<{ name: string; state: string }>;
    expect(threads.some((t) => t.name.startsWith('blockdev'))).toBe(true);
  }, 300_000);
});
