// The console's line discipline and the shell's parser, compiled natively.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileAs } from './asc';

type X = Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
let x: X;
const enc = new TextEncoder();
const put = (s: string, off = 0) => { const b = enc.encode(s); new Uint8Array(x.memory.buffer, x.scratch() + off, b.length).set(b); return b.length; };
const get = (n: number) => new TextDecoder().decode(new Uint8Array(x.memory.buffer, x.scratch(), n));
const feed = (s: string) => x.feed(put(s));
const echo = () => get(x.echo());
const line = () => get(x.line());

beforeAll(() => {
  x = new WebAssembly.Instance(compileAs('tests/services/native/ldisc-harness.ts'), { env: { abort: () => { throw new Error('abort'); } } }).exports as unknown as X;
}, 60_000);

describe('line discipline', () => {
  it('echoes, completes a line on Enter (CR, LF or CR LF once)', () => {
    expect(feed('ls /')).toBe(0);
    expect(echo()).toBe('ls /');
    expect(feed('\r\n')).toBe(1);
    expect(line()).toBe('ls /\n');
    expect(echo()).toBe('\r\n');
    expect(feed('\n')).toBe(1); // a second Enter is an empty line
    expect(line()).toBe('\n');
    echo();
  });
  it('backspace, Ctrl-U and Ctrl-C edit and discard', () => {
    feed('catt\x7f /etc');
    expect(echo()).toBe('catt\x1b[1D\x1b[K /etc');
    expect(feed('\n')).toBe(1);
    expect(line()).toBe('cat /etc\n');
    feed('rm -rf /\x15');
    echo();
    expect(feed('echo ok\n')).toBe(1);
    expect(line()).toBe('echo ok\n');
    echo();
    expect(feed('sleep\x03')).toBe(2);
    expect(echo()).toBe('sleep^C\r\n');
    expect(feed('\n')).toBe(1);
    expect(line()).toBe('\n');
    expect(feed('\x7f\x7f')).toBe(0); // nothing to erase
    echo();
  });
  it('moves the cursor and inserts in the middle', () => {
    feed('ech hi\x1b[D\x1b[D\x1b[Do');
    expect(feed('\n')).toBe(1);
    expect(line()).toBe('echo hi\n');
    echo();
  });
  it('recalls history with the arrow keys', () => {
    feed('\x1b[A');
    expect(feed('\n')).toBe(1);
    expect(line()).toBe('echo hi\n');
    feed('\x1b[A\x1b[A\x1b[B');
    expect(feed('\r')).toBe(1);
    expect(line()).toBe('echo hi\n');
    echo();
    feed('mkdir x\n');
    feed('\x1b[A\x1b[A\x1b[B\x1b[B'); // back to the (empty) new line
    expect(feed('\n')).toBe(1);
    expect(line()).toBe('\n');
    expect(feed('\x04')).toBe(3); // Ctrl-D on an empty line
  });
});

describe('shell parser', () => {
  const parse = (s: string) => get(x.parse(put(s)));
  const resolve = (cwd: string, p: string) => get(x.resolve(put(cwd), put(p, enc.encode(cwd).length)));
  it('splits words, quotes and redirections', () => {
    expect(parse('ls /')).toBe('argv=ls|/;redirect=;append=0;error=');
    expect(parse('  echo  hi   there ')).toBe('argv=echo|hi|there;redirect=;append=0;error=');
    expect(parse('echo hi > /tmp/a')).toBe('argv=echo|hi;redirect=/tmp/a;append=0;error=');
    expect(parse('echo "a  b">>/tmp/a')).toBe('argv=echo|a  b;redirect=/tmp/a;append=1;error=');
    expect(parse("echo 'x y' z")).toBe('argv=echo|x y|z;redirect=;append=0;error=');
    expect(parse('echo "oops')).toContain('error=unterminated quote');
    expect(parse('echo hi >')).toContain('error=missing file name after >');
    expect(parse('echo a > b > c')).toContain('error=only one output redirection');
    expect(parse('')).toBe('argv=;redirect=;append=0;error=');
  });
  it('resolves paths against the working directory', () => {
    expect(resolve('/', 'etc/motd')).toBe('/etc/motd');
    expect(resolve('/tmp', '../etc//./motd')).toBe('/etc/motd');
    expect(resolve('/', '../../..')).toBe('/');
    expect(resolve('/a/b', '/x/')).toBe('/x');
  });
});
