// The kernel core driven by real EL0 programs (issue 4). Every boot runs with mlk.check=1: the
// invariant checker runs after every kernel entry and halts the machine on a violation.
import { beforeAll, describe, expect, it } from 'vitest';
import { boot, image, kernel, programs, runUntil } from './mlk';

beforeAll(async () => {
  kernel();
  // compile every test program up front, in parallel (cached in build/test-kernel/)
  await programs(['hello', 'pingpong', 'server', 'client', 'fifo', 'sender', 'sched', 'spinner', 'uartdrv', 'driver',
    'rights', 'revoke', 'caller', 'grant', 'receiver', 'pager', 'overflow', 'oom', 'faults', 'crasher', 'badimage',
    'fuzzinit', 'fuzz', 'extras', 'longrecv', 'hog', 'aborter', 'builder']);
}, 300_000);

describe('initial process', () => {
  it('starts init from the boot image; it prints and exits', async () => {
    const b = await boot(await image(['hello']));
    const log = runUntil(b, (l) => l.includes('exited'));
    expect(log).toContain('hello from init');
    expect(log).toMatch(/boot files: 1, untyped: \d+/);
    expect(log).toMatch(/thread 1 \(hello\) exited \(code 0\)/);
    expect(b.check()).toBe(0);
  });

  it("abort() in a program prints its message and exits the thread", async () => {
    const b = await boot(await image(['aborter']));
    const log = runUntil(b, (l) => l.includes('exited'));
    expect(log).toMatch(/abort: boom at tests\/kernel\/programs\/aborter.ts:\d+/);
    expect(log).toContain('thread 1 (aborter) exited (code 134)');
  });
});

describe('IPC', () => {
  it('call/reply ping-pong with badges (fast path)', async () => {
    const b = await boot(await image(['pingpong', 'server', 'client']));
    const log = runUntil(b, (l) => (l.match(/replies ok/g) ?? []).length === 2);
    expect(log).toContain('client badge 1: 1000/1000 replies ok');
    expect(log).toContain('client badge 2: 1000/1000 replies ok');
    const c = b.json(5);
    expect(c.fastpaths).toBeGreaterThan(1500);
    expect(b.check()).toBe(0);
  });

  it('queues senders in FIFO order', async () => {
    const b = await boot(await image(['fifo', 'sender']));
    const log = runUntil(b, (l) => l.includes('(init) exited'));
    // senders were queued in the order 3, 1, 2 and are received in that order
    const at = ['3/300', '1/100', '2/200'].map((x) => log.indexOf(` ${x}`));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    expect(b.check()).toBe(0);
  });
});

describe('scheduling', () => {
  it('runs the higher priority first, then round-robins equal priorities on the timer', async () => {
    const b = await boot(await image(['sched', 'spinner']));
    const log = runUntil(b, (l) => l.includes('round robin phase done'), 2_000_000_000, 20_000_000);
    expect(log).toContain('sched: priority phase done');
    // priority: spinner 2 (priority 8) starts and finishes before spinner 1 (priority 5) starts
    const p = log.slice(0, log.indexOf('priority phase done'));
    expect(p.indexOf('spin 2 done')).toBeGreaterThan(0);
    expect(p.indexOf('spin 2 done')).toBeLessThan(p.indexOf('spin 1 start'));
    // round robin: 3 and 4 interleave (the timer preempts the spinning thread)
    const rr = log.slice(log.indexOf('priority phase done'));
    const marks = [...rr.matchAll(/\[(3|4)\]/g)].map((m) => m[1]).join('');
    expect(marks).toMatch(/3+4+3+/);
    expect(b.check()).toBe(0);
  }, 120_000);
});

describe('notifications and IRQs', () => {
  it('a user-space UART driver is woken by the IRQ through a notification, preempting a spinner', async () => {
    const b = await boot(await image(['uartdrv', 'spinner', 'driver']));
    runUntil(b, (l) => l.includes('driver: waiting for input') && l.includes('[9]'));
    b.m.uartInput('hi');
    let log = runUntil(b, (l) => l.includes("got 'hi'"));
    expect(log).toMatch(/driver: irq, got 'hi' badge 1/);
    b.m.uartInput('abc');
    log = runUntil(b, (l) => l.includes('driver: done'));
    expect(log).toContain("got 'abc'");
    const th = b.json(0);
    expect(th.find((t: any) => t.name === 'spinner').state).toMatch(/running|ready/);
    expect(b.check()).toBe(0);
  });
});

describe('capabilities', () => {
  it('denies every operation whose right is missing (and clips minted rights)', async () => {
    const b = await boot(await image(['rights']));
    const log = runUntil(b, (l) => l.includes('rights: done'));
    for (const what of ['send without write', 'recv without read', 'cap transfer without grant', 'send through clipped mint',
      'signal without write', 'wait without read', 'map writable without write', 'map readable without read']) {
      expect(log).toContain(`deny ${what}: 11`);
    }
    expect(log).toContain('deny allowed map: 0');
    expect(log).toContain('deny allowed signal: 0');
    expect(log).toContain('deny allowed poll: 0');
    expect(log).toContain('deny nbsend with no receiver: 12');
    expect(b.check()).toBe(0);
  });

  it('revoke removes derived caps everywhere; deleting the last cap cancels blocked callers', async () => {
    const b = await boot(await image(['revoke', 'caller']));
    const log = runUntil(b, (l) => l.includes('caller: call 2'));
    expect(log).toContain('init: call from badge 119 value 1000');
    expect(log).toContain('caller: call 0 -> error 0 reply 42');
    expect(log).toContain('init: after revoke, original: 12'); // still valid (no receiver waiting)
    expect(log).toContain('init: after revoke, derived copy: 6'); // gone
    expect(log).toContain('init: after delete: 6');
    expect(log).toContain('caller: call 1 -> error 13'); // blocked call cancelled: endpoint destroyed
    expect(log).toContain('caller: call 2 -> error 6'); // its cap was revoked
    expect(b.json(3).endpoints.length).toBe(0);
    expect(b.check()).toBe(0);
  });

  it('transfers a capability only through a cap with grant', async () => {
    const b = await boot(await image(['grant', 'receiver']));
    const log = runUntil(b, (l) => l.includes('init: got signal'));
    expect(log).toContain('init: send cap without grant: 11');
    expect(log).toContain('receiver: label 9 mr0 2 caps 1');
    expect(log).toContain('init: send cap with grant: 0');
    expect(log).toContain('init: got signal from the transferred cap, badge 5');
    expect(log).toContain('receiver: signal through received cap: 0');
    const caps = b.json(1, 2);
    expect(caps.slots.find((s: any) => s.slot === 10).type).toBe('notification');
    expect(b.check()).toBe(0);
  });
});

describe('memory', () => {
  it('maps demand-zero pages on first touch and kills a stack overflow at the guard page', async () => {
    const b = await boot(await image(['pager', 'overflow']));
    const log = runUntil(b, (l) => l.includes('(overflow) faulted'));
    expect(log).toMatch(/pager: grew from \d+ pages, sum 8256/);
    expect(log).toMatch(/thread 2 \(overflow\) faulted: data abort at 0x4080740000 \(stack guard page: stack overflow, write\)/);
    const vs = b.json(2, 1);
    expect(vs.demand_pages).toBeGreaterThanOrEqual(128);
    expect(vs.regions.map((r: any) => r.kind)).toEqual(expect.arrayContaining(['data', 'image', 'stack', 'guard', 'globals', 'ipc_buffer', 'bootinfo']));
    expect(BigInt(vs.ttbr0) >> 48n).toBe(BigInt(vs.asid)); // TTBR0 = L0 table PA | ASID << 48
    expect(vs.pages.some((p: any) => p.kind === 'demand_zero' && p.rights === 'RW-')).toBe(true);
    const th = b.json(0).find((t: any) => t.name === 'overflow');
    expect(th.state).toBe('faulted');
    expect(b.check()).toBe(0);
  });

  it('an exhausted kernel pool ends the faulting thread, not the kernel', async () => {
    const b = await boot(await image(['hog']), { ramSize: 16 << 20 });
    const log = runUntil(b, (l) => l.includes('(hog) faulted'));
    expect(log).toMatch(/thread 1 \(hog\) faulted: data abort at 0x[0-9a-f]+ \(out of memory for demand paging, write\)/);
    expect(log).not.toContain('hog: done');
    b.m.run(24_000_000);
    expect(b.halts).toEqual([]);
    expect(b.json(4).kernel_pool.free_pages).toBe(0);
    expect(b.check()).toBe(0);
  });

  it('returns out-of-memory as an error', async () => {
    const b = await boot(await image(['oom']));
    const log = runUntil(b, (l) => l.includes('oom: still running'));
    expect(log).toMatch(/oom: \d+ frames from a 2\^\d+ untyped, then error 10 \(bytes left 0\)/);
    expect(log).toContain('oom: huge cnode: 4');
    expect(log).toContain('oom: 256 x 1 MiB untyped: 10');
    expect(b.check()).toBe(0);
  });
});

describe('faults', () => {
  it('delivers faults to the handler endpoint; replying restarts the thread', async () => {
    const b = await boot(await image(['faults', 'crasher']));
    const log = runUntil(b, (l) => l.includes('faults: done'));
    expect(log).toMatch(/fault: badge 1 kind 1 addr 0x0 code \d+ tid 2/);
    expect(log.match(/fault: badge 1 kind 1/g)!.length).toBe(2); // restarted once, faulted again
    expect(log).toMatch(/fault: badge 2 kind 3 addr 0x0 code 1 tid 3/); // unreachable
    expect(log).toMatch(/fault: badge 3 kind 3 addr 0x0 code 2 tid 4/); // divide by zero
    expect(log).toMatch(/fault: badge 4 kind 2 addr 0x63 code 99 tid 5/); // undefined syscall 99
    expect(log).not.toMatch(/\(crasher\) faulted/); // handled: no console report
    expect(b.check()).toBe(0);
  });
});

describe('program loader', () => {
  it('rejects malformed images with an error and keeps running', async () => {
    const files = await image(['badimage', 'hello']);
    const hello = files[1].data;
    const garbage = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 0xff);
    const nostart = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const truncated = hello.slice(0, Math.floor(hello.length / 2));
    const b = await boot([...files, { name: 'garbage.wasm', data: garbage }, { name: 'nostart.wasm', data: nostart }, { name: 'truncated.wasm', data: truncated }]);
    const log = runUntil(b, (l) => l.includes('(hello) exited'));
    expect(log).toContain('loader: garbage.wasm rejected: not a WebAssembly module (bad magic)');
    expect(log).toContain('spawn garbage.wasm: 14');
    expect(log).toContain('loader: nostart.wasm rejected: no functions');
    expect(log).toContain('spawn nostart.wasm: 14');
    expect(log).toMatch(/loader: truncated.wasm rejected: \w/);
    expect(log).toContain('spawn truncated.wasm: 14');
    expect(log).toContain('badimage: still running');
    expect(log).toContain('hello from init');
    expect(b.check()).toBe(0);
  });

  it('a malformed init is reported and the kernel keeps running', async () => {
    const b = await boot([{ name: 'init.wasm', data: new Uint8Array(64).fill(0x41) }]);
    b.m.run(24_000_000);
    expect(b.log()).toContain('mlk: init (init.wasm) rejected: not a WebAssembly module (bad magic)');
    expect(b.halts).toEqual([]);
    expect((b.m.kernelExports.ki_ticks as () => bigint)()).toBeGreaterThan(50n);
  });
});

describe('robustness', () => {
  it('random syscalls from four fuzzers: only defined error codes, invariants hold, others unaffected', async () => {
    const b = await boot(await image(['fuzzinit', 'fuzz', 'server', 'client']));
    // until the client is done and no fuzzer can run any more (finished, stopped or blocked)
    const fuzzersDone = () => b.json(0).filter((t: any) => t.tid >= 4).every((t: any) => !['running', 'ready'].includes(t.state));
    const log = runUntil(b, (l) => l.includes('replies ok') && fuzzersDone(), 4_000_000_000, 20_000_000);
    expect(b.halts).toEqual([]);
    expect(log).toContain('client badge 9: 3000/3000 replies ok');
    const lines = log.split('\n').filter((l) => l.startsWith('fuzz '));
    for (const l of lines) expect(l).toMatch(/other:0$/);
    // a fuzzer may block for good (a blocking Recv nobody answers) or hurt only itself; most finish
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(b.check()).toBe(0);
    const th = b.json(0);
    expect(th.length).toBeGreaterThanOrEqual(7);
  }, 300_000);
});

describe('introspection and trace', () => {
  it('ki_json describes threads, capabilities, address spaces, IPC objects and memory; trace records IPC', async () => {
    const b = await boot(await image(['pingpong', 'server', 'client']), { bootargs: 'mlk.check=1' });
    runUntil(b, (l) => (l.match(/replies ok/g) ?? []).length === 2);
    const th = b.json(0);
    const server = th.find((t: any) => t.name === 'server');
    expect(server).toMatchObject({ state: 'blocked_recv', blocked_on: 'endpoint', priority: 20 });
    expect(th.filter((t: any) => t.name === 'client').every((t: any) => t.state === 'exited')).toBe(true);
    const caps = b.json(1, server.tid);
    expect(caps.slots.map((s: any) => [s.slot, s.type])).toEqual([[1, 'tcb'], [2, 'cnode'], [3, 'vspace'], [4, 'endpoint']]);
    expect(caps.slots[3].rights).toBe('RW-');
    const init = b.json(1, 1);
    expect(init.slots.find((s: any) => s.slot === 4).type).toBe('irq_control');
    expect(init.slots.filter((s: any) => s.type === 'untyped').length).toBeGreaterThan(0);
    const ipc = b.json(3);
    expect(ipc.endpoints[0]).toMatchObject({ state: 'recv', queue: [server.tid] });
    const mem = b.json(4);
    expect(mem.kernel_pool.used_pages.page_tables).toBeGreaterThan(0);
    expect(mem.ram_frames).toBe(16384);
    expect(mem.untyped_pages + mem.kernel_pool.total_pages).toBe(mem.core_frames);
    expect(mem.objects.tcb).toBe(4);
    const vs = b.json(2, server.tid);
    expect(vs.pages.find((p: any) => p.va === '0x1000').kind).toBe('ipc_buffers');
    // trace: syscalls, IPC, switches, fast path records
    const kinds = new Set(b.m.trace.records().map((r) => r.kind));
    for (const k of [0x10, 0x11, 0x12, 0x13, 0x14, 0x17, 0x19]) expect(kinds.has(k)).toBe(true);
    const send = b.m.trace.records().find((r) => r.kind === 0x11 && r.args[4] === 2)!; // badge 2
    expect(send.args[3]).toBe(7); // label
    expect(b.check()).toBe(0);
  });
});

describe('loader-facing API', () => {
  it('init builds and starts a process itself (Retype, Frame.Map, AddRegion, Configure, WriteRegisters, Resume)', async () => {
    const wabt = await (await import('wabt')).default();
    const wat = `(module
      (import "mlk" "svc" (func $svc (param i32 i64 i64 i64 i64 i64 i64) (result i64)))
      (memory 1)
      (func (export "_start")
        (drop (call $svc (i32.const 9) (i64.const 75) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))
        (drop (call $svc (i32.const 9) (i64.const 10) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))))`;
    const tiny = new Uint8Array(wabt.parseWat('tiny.wat', wat).toBinary({}).buffer);
    const b = await boot([...(await image(['builder'])), { name: 'tiny.wasm', data: tiny }]);
    const log = runUntil(b, (l) => /thread \d+ \(\?\) exited/.test(l));
    expect(log).toContain('builder: started');
    expect(log).toMatch(/\nK\n/);
    expect(log).toMatch(/thread 2 \(\?\) exited \(code 0\)/);
    expect(b.check()).toBe(0);
  });
});

describe('more IPC and capabilities', () => {
  it('long messages, bound notifications, Move, the boot image frames', async () => {
    const b = await boot(await image(['extras', 'longrecv', 'spinner']));
    const log = runUntil(b, (l) => l.includes('its address space was deleted'));
    expect(log).toContain('extras: vspace deleted');
    expect(log).toMatch(/thread 3 stopped: its address space was deleted/);
    expect(log).not.toContain('spin 7 start');
    expect(log).toContain('long: label 5 length 8 mr0 1 mr3 4 words 4..7 sum 422');
    expect(log).toContain('bound: woke from recv with word 64 label 0');
    expect(log).toContain('move: old slot 6, new slot 12');
    expect(log).toMatch(/image frames: \d+, map writable: 11, map read-only: 0, magic 07/);
    expect(b.check()).toBe(0);
  });
});
