// The protocol generator and both sides of the wire format: the committed services/gen/ is what
// scripts/abi.mjs writes; the TypeScript decoder shows messages as the UI does; the generated
// AssemblyScript stubs (compiled natively) agree with it word for word, and a server refuses
// messages that do not match the protocol with BAD_MESSAGE instead of misreading them.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { wire, PROTOCOLS } from '../../services/gen/protocols';
import { compileAs, root } from './asc';

const E = Object.fromEntries(wire.errors.map((e) => [e.name, e.code]));

describe('idl generator', () => {
  it('the generated ABI files and services/gen are up to date with abi/', () => {
    execFileSync(process.execPath, ['scripts/abi.mjs', '--check'], { cwd: root, stdio: 'pipe' });
  });
  it('describes console, block, fs, vfs, proc, timer, netdev and socket with distinct ids', () => {
    expect(PROTOCOLS.map((p) => p.protocol)).toEqual(['console', 'block', 'fs', 'vfs', 'proc', 'timer', 'netdev', 'socket']);
    expect(new Set(PROTOCOLS.map((p) => p.id)).size).toBe(PROTOCOLS.length);
  });
});

describe('TypeScript decoder', () => {
  it('shows a request and its reply by name', () => {
    const req = wire.encodeRequest('vfs', 'open', { path: '/etc/motd', flags: 'READ' });
    expect(req.label).toBe((4n << 8n) | 1n);
    expect(req.words).toHaveLength(1 + 2 + 1);
    const d = wire.decodeRequest(req.label, req.words);
    expect(d.ok).toBe(true);
    expect(d.text).toBe('vfs.open(path="/etc/motd", flags=READ)');
    const rep = wire.encodeReply('vfs', 'open', { fd: 3 });
    expect(wire.decodeReply(req.label, rep.label, rep.words).text).toBe('ok(fd=3)');
    expect(wire.decodeReply(req.label, E.NO_ENTRY, []).text).toBe('err(NO_ENTRY)');
    const w = wire.encodeRequest('vfs', 'open', { path: '/tmp/a', flags: 'WRITE|CREATE|TRUNC' });
    expect(wire.decodeRequest(w.label, w.words).text).toBe('vfs.open(path="/tmp/a", flags=WRITE|CREATE|TRUNC)');
    const c = wire.encodeRequest('console', 'write', { data: 'hi\n' });
    expect(wire.decodeRequest(c.label, c.words).text).toBe('console.write(data="hi\\n")');
    const b = wire.encodeRequest('block', 'read', { sector: 12n, count: 8, offset: 0 });
    expect(wire.decodeRequest(b.label, b.words).text).toBe('block.read(sector=12, count=8, offset=0)');
    const p = wire.encodeReply('proc', 'ps', { tid: 4, name: 'fs', state: 'RESTARTING', thread: 'BLOCKED_RECV', restarts: 1, prio: 18, faults: 0, next_restart: 480000n, backoff: 2 });
    expect(wire.decodeReply(wire.label('proc', 'ps'), 0, p.words).text).toBe('ok(tid=4, name="fs", state=RESTARTING, thread=BLOCKED_RECV, restarts=1, prio=18, faults=0, next_restart=480000, backoff=2)');
    const t = wire.encodeRequest('timer', 'sleep', { ticks: 240000n });
    expect(wire.decodeRequest(t.label, t.words).text).toBe('timer.sleep(ticks=240000)');
    const a = wire.encodeRequest('timer', 'alarm', { at: 1n, period: 0n });
    expect(wire.decodeRequest(a.label, a.words, { caps: 1 }).text).toBe('timer.alarm(at=1, period=0, ntfn=cap)');
    expect(wire.decodeReply(wire.label('proc', 'lookup'), 0, [], { caps: 1 }).text).toBe('ok(ep=cap)');
  });

  it('refuses what does not match, and marks a message cut short by the trace', () => {
    expect(wire.decodeRequest(0x9901, []).ok).toBe(false);
    expect(wire.decodeRequest((4n << 8n) | 99n, []).text).toBe('vfs.?(op=99)');
    const req = wire.encodeRequest('vfs', 'open', { path: '/etc/motd', flags: 1 });
    expect(wire.decodeRequest(req.label, [...req.words, 0n]).problem).toBe('1 extra words');
    expect(wire.decodeRequest(req.label, [1000n, ...req.words.slice(1)]).ok).toBe(false); // length beyond max
    expect(wire.decodeRequest(wire.label('vfs', 'close'), [1n << 40n]).problem).toBe('fd is not a u32');
    const part = wire.decodeRequest(req.label, req.words.slice(0, 2), { length: req.words.length });
    expect(part.truncated).toBe(true);
    expect(part.text).toBe('vfs.open(…)');
    const part2 = wire.decodeRequest(wire.label('block', 'read'), [7n], { length: 3 });
    expect(part2.text).toBe('block.read(sector=7, …)');
    expect(() => wire.encodeRequest('vfs', 'open', { path: 'x'.repeat(201), flags: 0 })).toThrow(/longer/);
    // a trace record carries the label only
    expect(wire.nameOf((4n << 8n) | 1n)).toBe('vfs.open');
    expect(wire.decodeRequest((4n << 8n) | 1n, [], { length: Infinity }).text).toBe('vfs.open(…)');
    expect(wire.decodeRequest(wire.label('block', 'flush'), [], { length: Infinity }).text).toBe('block.flush()');
  });
});

describe('generated AssemblyScript stubs', () => {
  type X = Record<string, (...a: (number | bigint)[]) => number | bigint> & { memory: WebAssembly.Memory };
  let x: X;
  const enc = new TextEncoder();
  const put = (s: string, off = 0) => { const b = enc.encode(s); new Uint8Array(x.memory.buffer, Number(x.scratch()) + off, b.length).set(b); return b.length; };
  const text = (n: number) => new TextDecoder().decode(new Uint8Array(x.memory.buffer, Number(x.scratch()), n));
  const putWords = (ws: bigint[]) => { const dv = new DataView(x.memory.buffer, Number(x.scratch())); ws.forEach((w, i) => dv.setBigUint64(i * 8, w, true)); };
  const getWords = (n: number) => { const dv = new DataView(x.memory.buffer, Number(x.scratch())); return Array.from({ length: n }, (_, i) => dv.getBigUint64(i * 8, true)); };

  beforeAll(() => {
    const mod = compileAs('tests/services/native/idl-harness.ts');
    x = new WebAssembly.Instance(mod, {
      env: { abort: () => { throw new Error('abort'); } },
      mlk: { svc: () => { throw new Error('svc'); }, reg: () => 0n },
    }).exports as unknown as X;
  }, 60_000);

  it('round-trips a call through client stub, wire and server dispatch', () => {
    expect(x.clientOpen(2n, put('/etc/motd'), 1)).toBe(0);
    expect(x.outVal()).toBe(6n); // 3 + badge 2 + flags 1
    expect(text(Number(x.lastPath()))).toBe('/etc/motd');
    // what went over the wire is what the TypeScript decoder expects
    const n = Number(x.lastLen());
    expect(wire.decodeRequest(x.lastLabel() as bigint, getWords(n)).text).toBe('vfs.open(path="/etc/motd", flags=READ)');
    expect(x.clientOpen(1n, put('/missing'), 1)).toBe(E.NO_ENTRY);
    expect(x.clientRead()).toBe(0);
    expect(text(Number(x.outVal()))).toBe('hello\n');
    expect(x.clientReaddir(0)).toBe(0);
    expect(x.outVal()).toBe(42n);
    expect(text(Number(x.clientReaddirName()))).toBe('motd');
    expect(x.clientReaddir(1)).toBe(E.NO_ENTRY);
    const a = put('/a'); const b = put('/b', a);
    expect(x.clientRename(a, b)).toBe(0);
    expect(x.clientOpen(1n, put('x'.repeat(201)), 1)).toBe(E.NAME_TOO_LONG);
  });

  it('a server decodes what the TypeScript encoder produces', () => {
    const req = wire.encodeRequest('vfs', 'readdir', { path: '/etc', index: 0 });
    putWords(req.words);
    expect(x.rawDispatch(req.label, req.words.length, 0)).toBe(0n);
    const reply = wire.decodeReply(req.label, 0n, getWords(Number(x.outVal())));
    expect(reply.text).toBe('ok(name="motd", type=FILE, size=42)');
  });

  it('refuses malformed messages with BAD_MESSAGE', () => {
    const good = wire.encodeRequest('vfs', 'open', { path: '/etc/motd', flags: 1 });
    const bad = BigInt(E.BAD_MESSAGE);
    const cases: [bigint, bigint[], number][] = [
      [wire.label('console', 'write'), good.words, 0], // another protocol's label
      [(4n << 8n) | 77n, good.words, 0], // unknown op
      [good.label, good.words.slice(0, 3), 0], // too short
      [good.label, [...good.words, 0n], 0], // too long
      [good.label, [500n, ...good.words.slice(1)], 0], // string longer than its maximum
      [good.label, [...good.words.slice(0, 3), 1n << 33n], 0], // flags not a u32
      [good.label, good.words, 1], // an unexpected capability
      [wire.label('vfs', 'close'), [], 0], // missing argument
    ];
    for (const [label, words, caps] of cases) {
      putWords(words);
      expect(x.rawDispatch(label, words.length, caps)).toBe(bad);
      expect(x.outVal()).toBe(0n); // an error reply carries no words
    }
    putWords(good.words);
    expect(x.rawDispatch(good.label, good.words.length, 0)).toBe(0n);
  });
});
