// Issue 9, part 1: capabilities and kernel memory are out of reach of user programs. Each test is
// the regression test of one root cause; every boot runs the invariant checker after each entry.
import { beforeAll, describe, expect, it } from 'vitest';
import { boot, image, kernel, programs, runUntil } from './mlk';

beforeAll(async () => {
  kernel();
  await programs(['regs', 'revoke2', 'stalemap', 'quota', 'greedy', 'toucher', 'restart', 'waiter1', 'rights0', 'badmem', 'hello']);
}, 300_000);

/** A minimal module: one function exported as _start, a memory with maximum `max` pages. */
function moduleWithMax(max: number): Uint8Array {
  return Uint8Array.from([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    1, 4, 1, 0x60, 0, 0, // type: () -> ()
    3, 2, 1, 0, // func 0: type 0
    5, 4, 1, 1, 0, max, // memory: min 0, max
    7, 10, 1, 6, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0, 0, // export "_start" func 0
    10, 4, 1, 2, 0, 0x0b, // code: empty body
  ]);
}

describe('argument checks cannot wrap or truncate', () => {
  it('TCB.ReadRegisters / WriteRegisters: slots 0..16 only, a first index near 2^64 is a range error', async () => {
    const b = await boot(await image(['regs']));
    const log = runUntil(b, (l) => l.includes('regs: done') || l.includes('FAIL'));
    expect(log).not.toContain('FAIL');
    for (const what of ['read first 2^64-1', 'read first 2^64-4', 'read first 17', 'write first 2^64-4', 'write first 2^64-1',
      'write first 17', 'write 15..17', 'read other first 2^64-4']) {
      expect(log).toContain(`regs: ${what}: 4`);
    }
    expect(log).toMatch(/regs: read first 15: 0 mr2 \d+ mr3 0/); // slot 16 (SPLIM), then nothing
    expect(log).toContain('regs: write 14..16: 0');
    expect(log).toContain('regs: copy back: 0');
    expect(log).toContain('regs: use copy: 12');
    expect(b.check()).toBe(0);
  });

  it('AddRegion kind, VSpace.Unmap VA, Retype slots, SetQuota: checked on the full 64 bits', async () => {
    const b = await boot(await image(['rights0']));
    const log = runUntil(b, (l) => l.includes('rights0: done') || l.includes('FAIL'));
    expect(log).not.toContain('FAIL');
    expect(log).toContain('rights0: add region kind 2^32+2: 1');
    expect(log).toContain('rights0: add region kind 2: 0');
    expect(log).toContain('rights0: unmap at 2^48: 4');
    expect(log).toContain('rights0: retype first slot 2^64-1: 4');
    expect(log).toContain('rights0: set quota above the pool: 4');
    expect(b.check()).toBe(0);
  });

  it('Spawn of a module with memory maximum 0 or 1 is a bad image', async () => {
    const files = await image(['badmem']);
    const b = await boot([...files, { name: 'max0.wasm', data: moduleWithMax(0) }, { name: 'max1.wasm', data: moduleWithMax(1) },
      { name: 'max2.wasm', data: moduleWithMax(2) }]);
    const log = runUntil(b, (l) => l.includes('badmem: done'));
    expect(log).toContain('spawn max0.wasm: 14');
    expect(log).toContain('spawn max1.wasm: 14');
    expect(log).toContain('loader: max1.wasm rejected: memory maximum below 2 pages');
    expect(log).toContain('spawn max2.wasm: 0');
    expect(b.check()).toBe(0);
  });
});

describe('capability derivation', () => {
  it("Revoke deletes every descendant even when the revoked slot's own CNode loses its last cap", async () => {
    const b = await boot(await image(['revoke2']));
    const log = runUntil(b, (l) => l.includes('revoke2: done') || l.includes('FAIL'));
    expect(log).not.toContain('FAIL');
    expect(log).toContain('revoke2: revoke -> 0');
    for (const i of [0, 1, 2]) expect(log).toContain(`revoke2: endpoint ${i} after revoke: 6`);
    expect(log).toContain('revoke2: cnode cap after revoke: 6');
    expect(b.json(3).endpoints.length).toBe(0); // the endpoints are destroyed, not re-parented
    expect(b.check()).toBe(0);
  });

  it('a frame cap of a deleted address space forgets its mapping: it cannot unmap the ASID’s next owner', async () => {
    const b = await boot(await image(['stalemap']));
    const log = runUntil(b, (l) => l.includes('stalemap: done') || l.includes('FAIL'));
    expect(log).not.toContain('FAIL');
    expect(log).toContain('stalemap: 254 address spaces, mappings removed by the stale cap: 0');
    const frames = b.json(1, 1).slots.filter((s: any) => s.type === 'frame');
    expect(frames.filter((s: any) => s.mapped_va !== undefined).length).toBe(254); // the live copies only
    expect(b.check()).toBe(0);
  });

  it('rights: a TCB / CNode cap is itself the authority; VSpace.SetQuota needs Grant', async () => {
    const b = await boot(await image(['rights0']));
    const log = runUntil(b, (l) => l.includes('rights0: done') || l.includes('FAIL'));
    expect(log).toContain('rights0: tcb set priority without rights: 0');
    expect(log).toContain('rights0: cnode copy through a rights-less cnode cap: 0');
    expect(log).toContain('rights0: set quota without grant: 11');
    expect(log).toContain('rights0: set quota with grant: 0');
  });
});

describe('kernel memory is accounted per address space', () => {
  it('a greedy process exhausts only its own quota; its fault goes to its handler and others keep working', async () => {
    const b = await boot(await image(['quota', 'greedy', 'toucher']));
    const log = runUntil(b, (l) => (l.includes('quota: done') && l.includes('(greedy) faulted')) || l.includes('FAIL'), 2_000_000_000, 20_000_000);
    expect(log).not.toContain('FAIL');
    expect(log).toContain('greedy: raise own quota: 11'); // its own VSpace cap has no Grant
    expect(log).toMatch(/quota: greedy.wasm fault kind 1 addr 0x[0-9a-f]+ esr 0x9[0-9a-f]+/); // F_VM, data abort
    expect(log).toContain('toucher: 128 pages, sum 8256');
    expect(log).toContain('quota: set greedy.wasm quota: 0');
    expect(log).not.toContain('greedy: done');
    const pool = b.json(4).kernel_pool;
    expect(pool.free_pages).toBeGreaterThan(pool.total_pages / 4); // two full quotas and a small one used
    const greedy = b.json(0).filter((t: any) => t.name === 'greedy');
    for (const g of greedy) {
      const vs = b.json(2, g.tid);
      expect(vs.charged_pages).toBeLessThanOrEqual(vs.quota_pages);
    }
    expect(greedy.map((g: any) => b.json(2, g.tid).quota_pages)).toContain(40);
    // the third one has no handler: stopped, with the reason on the console
    expect(log).toMatch(/thread \d+ \(greedy\) faulted: data abort at 0x[0-9a-f]+ \(memory quota of its address space exhausted, write\)/);
    expect(b.check()).toBe(0);
  });
});

describe('threads', () => {
  it('a Recv interrupted by Suspend runs again after Resume (seL4 Restart), it does not return its slot number', async () => {
    const b = await boot(await image(['restart', 'waiter1']));
    const log = runUntil(b, (l) => l.includes('restart: done') || l.includes('FAIL'));
    expect(log).not.toContain('FAIL');
    expect(log).toContain('restart: nbsend after resume: 0');
    expect(log).toContain('waiter1: recv -> 0 label 3 mr0 77');
    expect(log.match(/waiter1: recv ->/g)?.length).toBe(1);
    expect(b.check()).toBe(0);
  });
});

describe('trace', () => {
  it('a page fault resolved by demand paging is a FAULT record with handled = 2 and the ESR; an exit is THREAD_EXIT', async () => {
    const b = await boot(await image(['hello']), { bootargs: 'mlk.check=1' });
    runUntil(b, (l) => l.includes('exited'));
    const recs = b.m.trace.records();
    const demand = recs.filter((r) => r.kind === 21 && r.args[5] === 2);
    expect(demand.length).toBeGreaterThan(0);
    for (const r of demand) {
      expect(r.args[1]).toBe(1); // F_VM
      expect(r.args[4] >>> 26).toBe(0x24); // EC: data abort from EL0
      expect(r.args[4] & 0x3c).toBe(0x04); // DFSC: translation fault
    }
    expect(recs.some((r) => r.kind === 28 && r.args[0] === 1 && r.args[1] === 0)).toBe(true); // tid 1 exited, code 0
    expect(recs.some((r) => r.kind === 21 && r.args[5] !== 2)).toBe(false); // the exit is not a fault
    expect(b.json(0)[0].faults).toBe(0);
    expect(b.json(5).faults).toBe(0);
  });
});
