// `mlk boot` as a process: Ctrl-] in the input quits at once (exit 0, stdin still open), and a
// machine whose init cannot start (too little RAM) stops at once with a clear error and exit 1,
// well before the instruction limit it would otherwise grind to.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { root } from './asc';

function mlk(args: string[], tty = false) {
  // tty: run it on a pseudo-terminal through util-linux `script`, as a person at a terminal would
  const cmd = [process.execPath, `${root}bin/mlk.js`, 'boot', ...args];
  const child = tty
    ? spawn('script', ['-qec', cmd.map((a) => `'${a}'`).join(' '), '/dev/null'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(cmd[0], cmd.slice(1), { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString('latin1'); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3000 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!pred()) throw new Error(`never saw ${what}`);
}

describe('mlk boot', () => {
  it('quits at Ctrl-] from a pipe that stays open', async () => {
    const p = mlk(['--max-instructions', '2000000000']);
    p.child.stdin.write('echo before-quit\r');
    await until(() => p.out().includes('before-quit\r\n'), 'the echo');
    p.child.stdin.write('\x1d'); // and stdin stays open
    const code = await p.exited;
    expect(code).toBe(0);
    expect(p.err()).not.toContain('limit');
    p.child.stdin.destroy();
  }, 60_000);

  it.skipIf(!existsSync('/usr/bin/script'))('quits at Ctrl-] on a terminal (interactive mode)', async () => {
    const p = mlk([], true);
    await until(() => p.out().includes('init: started shell'), 'the boot');
    p.child.stdin.write('\x1d');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('[mlk] quit');
    p.child.stdin.destroy();
  }, 60_000);

  it('stops at once with an error when init cannot start (--ram 2)', async () => {
    const p = mlk(['--ram', '2', '--input', 'ls\\r', '--until-idle', '--max-instructions', '500000000']);
    const code = await p.exited;
    expect(code).toBe(1);
    expect(p.out()).toContain('NOT_ENOUGH_MEMORY');
    expect(p.err()).toContain('init exited (code 1): the system cannot run');
    expect(p.err()).not.toContain('limit');
  }, 60_000);

  it('stops with the same error when the input comes from a pipe', async () => {
    const p = mlk(['--ram', '2', '--max-instructions', '500000000']);
    p.child.stdin.end('ls\r');
    expect(await p.exited).toBe(1);
    expect(p.err()).toContain('init exited (code 1)');
  }, 60_000);
});
