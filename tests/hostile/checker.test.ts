// The invariant checker catches corrupted kernel state. Each test boots a real system, lets it run,
// then corrupts one kernel structure in RAM the way a kernel bug (or a forgery through one) would —
// a CNode cap made larger than its CNode, a frame cap forged to a kernel page, an Untyped child above
// its parent's watermark — and asserts that ki_check names the invariant and the objects involved,
// and that with mlk.check=1 the machine stops at the next kernel entry.
import { beforeAll, describe, expect, it } from 'vitest';
import { boot, image, kernel, programs, runUntil, type Booted } from '../kernel/mlk';
import { KHALT_INVARIANT } from '../../host/abi';

beforeAll(async () => {
  kernel();
  await programs(['pingpong', 'server', 'client', 'uartdrv', 'spinner', 'driver']);
}, 300_000);

async function settled(): Promise<Booted> {
  const b = await boot(await image(['pingpong', 'server', 'client']));
  runUntil(b, (l) => (l.match(/replies ok/g) ?? []).length === 2);
  expect(b.check()).toBe(0);
  return b;
}

const view = (b: Booted) => new DataView(b.m.ram.u8.buffer, b.m.ram.u8.byteOffset, b.m.ram.u8.byteLength);
const hex = (s: string) => Number(BigInt(s));
const serverTid = (b: Booted) => b.json(0).find((t: any) => t.name === 'server').tid as number;

/** Runs the machine on; expects the checker to halt it with the invariant's name on the console. */
function expectHalt(b: Booted, code: number): void {
  b.m.run(5_000_000);
  expect(b.halts.length).toBe(1);
  expect(b.halts[0].code).toBe(KHALT_INVARIANT);
  expect(b.log()).toMatch(new RegExp(`ki_check: invariant ${code} \\(`));
  expect(b.log()).toContain('ki_check failed after a kernel entry: halting');
}

describe('invariant checker', () => {
  it('reports nothing on a healthy system, and ki_json(7) says so', async () => {
    const b = await settled();
    expect(b.json(7)).toMatchObject({ code: 0, count: 0 });
    expect(b.log()).toContain('mlk: invariant checker on (mlk.check=1)');
  });

  it('catches a CNode cap enlarged beyond its CNode (invariant 1)', async () => {
    const b = await settled();
    const tid = serverTid(b);
    const cn = b.json(1, tid).slots.find((s: any) => s.type === 'cnode');
    view(b).setUint8(hex(cn.addr) + 8, 12); // radix 12: slots past the CNode's end
    expect(b.check()).toBe(1);
    expect(b.json(7)).toMatchObject({ code: 1, invariant: 'caps name live objects of their type', what: "CNode cap's size differs from its CNode's", slot: cn.addr, object: cn.object, tid });
    expectHalt(b, 1);
  });

  it('catches a frame cap forged to a kernel page (invariant 1)', async () => {
    const b = await settled();
    const fr = b.json(1, 1).slots.find((s: any) => s.type === 'frame');
    view(b).setUint32(hex(fr.addr) + 4, (0x8_0000_0000 + 0x10000) / 4096, true); // the kernel image's first page
    expect(b.check()).toBe(1);
    expect(b.json(7)).toMatchObject({ code: 1, what: 'Frame cap names a page that is not user memory', slot: fr.addr, tid: 1, object: '0x800010000' });
    expectHalt(b, 1);
  });

  it('catches a device frame cap that names RAM (invariant 1)', async () => {
    const b = await settled();
    const fr = b.json(1, 1).slots.find((s: any) => s.type === 'device_frame');
    view(b).setUint32(hex(fr.addr) + 4, 0x8_0000_0000 / 4096, true);
    expect(b.check()).toBe(1);
    expect(b.json(7).what).toBe('DeviceFrame cap names no device page');
  });

  it('catches an object child above its Untyped parent\'s watermark (invariant 2)', async () => {
    const b = await settled();
    const tid = serverTid(b);
    // the server's TCB cap in init's CSpace was retyped from an Untyped: reset that Untyped's watermark
    const init = b.json(1, 1);
    const tcbCap = init.slots.find((s: any) => s.type === 'tcb' && s.object_id === tid);
    const parent = init.slots.find((s: any) => s.addr === tcbCap.parent);
    expect(parent.type).toBe('untyped');
    view(b).setBigUint64(hex(parent.addr) + 8, BigInt(parent.size_bits), true); // watermark 0
    expect(b.check()).toBe(2);
    const v = b.json(7);
    expect(v).toMatchObject({ code: 2, what: "Untyped child outside its parent's region or above its watermark", tid: 1 });
    expect(init.slots.find((s: any) => s.addr === v.slot).parent).toBe(parent.addr);
    expectHalt(b, 2);
  });

  it('catches a derived cap with more rights than its parent (invariant 2)', async () => {
    const b = await settled();
    const tid = serverTid(b);
    const ep = b.json(1, tid).slots.find((s: any) => s.type === 'endpoint');
    expect(ep.rights).toBe('RW-');
    view(b).setUint8(hex(ep.parent) + 1, 1); // the parent (init's cap) keeps only Read
    expect(b.check()).toBe(2);
    expect(b.json(7)).toMatchObject({ what: 'derived cap has rights its parent lacks', object: ep.object });
  });

  it('catches a reference count that differs from the caps (invariant 1)', async () => {
    const b = await settled();
    const ep = b.json(3).endpoints[0];
    const v = view(b);
    v.setUint32(hex(ep.addr) + 4, v.getUint32(hex(ep.addr) + 4, true) + 1, true);
    expect(b.check()).toBe(1);
    expect(b.json(7)).toMatchObject({ what: 'object reference count differs from its caps', object: ep.addr });
  });

  it('catches an endpoint whose queue disagrees with its state (invariant 3)', async () => {
    const b = await settled();
    const ep = b.json(3).endpoints.find((e: any) => e.state === 'recv');
    view(b).setUint32(hex(ep.addr) + 0x18, 1, true); // SEND, with a receiver queued
    expect(b.check()).toBe(3);
    expect(b.json(7)).toMatchObject({ what: 'endpoint state disagrees with a queued thread', object: ep.addr, tid: serverTid(b) });
  });

  it('catches a notification with waiters and a pending word (invariant 5)', async () => {
    // the UART driver waits on its IRQ notification
    const b = await boot(await image(['uartdrv', 'spinner', 'driver']));
    runUntil(b, (l) => l.includes('driver: waiting for input'));
    const n = b.json(3).notifications.find((x: any) => x.waiters.length > 0);
    view(b).setBigUint64(hex(n.addr) + 0x10, 1n, true);
    expect(b.check()).toBe(5);
    expect(b.json(7)).toMatchObject({ what: 'notification has waiters and a non-zero word', object: n.addr, tid: n.waiters[0] });
    expectHalt(b, 5);
  });

  it('catches an IPC buffer that is a device page (invariant 7)', async () => {
    const b = await settled();
    const tid = serverTid(b);
    const tcb = b.json(1, tid).slots.find((s: any) => s.type === 'tcb');
    view(b).setBigUint64(hex(tcb.object) + 0x148, 0x2_3520_0000n, true); // ipcBufPa = the UART
    expect(b.check()).toBe(7);
    expect(b.json(7)).toMatchObject({ code: 7, invariant: 'IPC buffer never a device frame', what: 'IPC buffer is not RAM', tid });
  });

  it('catches a blocked thread linked on a ready queue (invariant 3)', async () => {
    const b = await settled();
    const tid = serverTid(b);
    const tcb = b.json(1, tid).slots.find((s: any) => s.type === 'tcb');
    view(b).setUint32(hex(tcb.object) + 0x11c, hex(tcb.object), true); // schedNext = itself
    expect(b.check()).toBe(3);
    expect(b.json(7)).toMatchObject({ what: 'thread not ready but linked on a ready queue', tid });
  });
});
