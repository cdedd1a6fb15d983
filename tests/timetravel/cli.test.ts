// `mlk boot` with state files and recordings: save, load and continue with the file system
// intact; the state hash as the last line of stderr; a recording replays to the same hash; bad
// state files refused with a clear message and exit 1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../services/asc';

const mlk = (...args: string[]) => spawnSync(process.execPath, [`${root}bin/mlk.js`, 'boot', ...args], { cwd: root, encoding: 'latin1', timeout: 240_000 });
const lastLine = (s: string) => s.trimEnd().split('\n').pop() ?? '';
const HASH = /^state-hash: ([0-9a-f]{32})$/;

describe('mlk boot: time travel', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlk-tt-'));
  const state = join(dir, 'a.state');
  const rec = join(dir, 'a.rec');
  let first: ReturnType<typeof mlk>;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(() => {
    first = mlk('--input', 'echo written before saving > /home/p\\r', '--until-idle', '--save-state', state, '--record', rec, '--print-state-hash');
  }, 240_000);

  it('saves the state when the run ends and prints the state hash last', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(lastLine(first.stderr)).toMatch(HASH);
    expect(readFileSync(state).subarray(0, 8).toString('latin1')).toBe('MLKSTATE');
  });

  it('loads the state and continues: no reboot, the file on the disk intact', () => {
    const r = mlk('--load-state', state, '--input', 'cat /home/p\\r', '--until-idle', '--print-state-hash');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Hello from MyLittleKernel');
    expect(r.stdout).toContain('cat /home/p\r\nwritten before saving\r\n');
    expect(lastLine(r.stderr)).toMatch(HASH);
    expect(lastLine(r.stderr)).not.toBe(lastLine(first.stderr));
  }, 120_000);

  it('the state file holds the state whose hash was printed', () => {
    const header = readFileSync(state).subarray(48, 64).toString('hex');
    expect(`state-hash: ${header}`).toBe(lastLine(first.stderr));
  });

  it('replays the recording to the same final state hash', () => {
    const r = mlk('--replay', rec, '--print-state-hash');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('echo written before saving > /home/p');
    expect(lastLine(r.stderr)).toBe(lastLine(first.stderr));
  }, 240_000);

  it('refuses corrupt, truncated and wrong-version state files with exit 1 and one clear line', () => {
    const file = readFileSync(state);
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated', file.subarray(0, file.length - 1000), /truncated|corrupt/],
      ['corrupt', (() => { const b = Uint8Array.from(file); b[b.length - 5000] ^= 0xff; return b; })(), /corrupt/],
      ['wrong version', (() => { const b = Uint8Array.from(file); b[8] = 7; return b; })(), /format 7 is not supported/],
      ['another build', (() => { const b = Uint8Array.from(file); b.set(Buffer.from('f'.repeat(32)), 16); return b; })(), /another build/],
    ];
    for (const [name, bytes, why] of cases) {
      const p = join(dir, `${name}.state`);
      writeFileSync(p, bytes);
      const r = mlk('--load-state', p, '--until-idle');
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(why);
      expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
      expect(r.stdout, name).toBe('');
    }
  }, 120_000);

  it('refuses a recording that is not one', () => {
    const p = join(dir, 'x.rec');
    writeFileSync(p, 'MLKSTATE and then nothing useful');
    const r = mlk('--replay', p);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a recording/);
  });
});
