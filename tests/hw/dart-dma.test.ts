// DMA confined by the DART, end to end on the real kernel: a driver (tests/hw/programs/dma.ts, run
// as init) gets an IOSpace capability for the block device's stream, maps its buffer through it
// and transfers; DMA aimed anywhere else (another page's physical address, an unmapped IO address,
// a buffer unmapped or whose capability was deleted) is refused by the DART: nothing is written,
// the device reports a DMA error, and the kernel's IRQ handler records a DART_FAULT trace record.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { boot, programs, root, runUntil } from '../kernel/mlk';
import { MemoryBlockStore } from '../../hw/blockdev';
import { ERR_NO_PTE, ERR_NO_TTBR, ERR_WRITE_FAULT } from '../../hw/dart';
import type { TraceRecord } from '../../hw/trace';
import { TRACE_KINDS as kinds } from '../../host/abi';

const DART_FAULT = kinds.find((k) => k.name === 'DART_FAULT')!.kind;

describe('DMA through the DART', () => {
  it('a driver reaches only the frames it mapped through its IOSpace; stray DMA is stopped and traced', async () => {
    const { dma } = await programs(['dma'], join(root, 'tests', 'hw', 'programs'));
    const b = await boot([{ name: 'dma.wasm', data: dma }]);
    const disk = new Uint8Array(16 * 512);
    for (let i = 0; i < disk.length; i++) disk[i] = (i >> 9) * 16 + (i & 15);
    b.m.block.store = new MemoryBlockStore(disk);
    const faults: TraceRecord[] = [];
    b.m.on('trace', (r) => { if (r.kind === DART_FAULT) faults.push(r); });

    const log = runUntil(b, (l) => l.includes('dma: done') || l.includes('FAIL'));
    expect(log).not.toContain('FAIL');
    expect(log).toContain('apple-dart: DART at 0x23f040000 [pagesize 0x1000, 16 streams, IRQ 702] initialized; block device on stream 0');
    expect(log).toContain('dma: refusals ok');
    expect(log).toContain('dma: mapped read status 2 error 0');
    expect(log).toContain('dma: buffer starts 16 31'); // sector 1: bytes 16 + (i & 15)
    expect(log).toContain("dma: read at another page's PA status 4 error 3");
    expect(log).toContain('dma: read at an unmapped iova status 4 error 3');
    expect(log).toContain('dma: write from an unmapped iova status 4 error 3');
    expect(log).toContain('dma: other page intact');
    expect(log).toContain('dma: read after unmap status 4 error 3');
    expect(log).toContain('dma: device write into a read-only mapping status 4 error 3');
    expect(log).toContain('dma: device read from a read-only mapping status 2 error 0');
    expect(log).toContain('dma: read after delete status 4 error 3');
    // nothing reached the disk from the stray write, the read-only mapping's read did
    expect(b.m.block.store.read(2, 1)).toEqual(disk.slice(1024, 1536));
    expect(b.m.block.store.read(3, 1)).toEqual(disk.slice(512, 1024));

    // the kernel took each DART interrupt: one DART_FAULT record per refused transfer, cleared
    const f = faults.map((r) => ({ stream: r.args[0], code: r.args[1], iova: r.args[3] * 2 ** 32 + r.args[2], flag: r.args[4] >>> 31 }));
    expect(f).toEqual([
      { stream: 0, code: ERR_NO_TTBR, iova: expect.any(Number), flag: 1 }, // a PA is beyond the 4 TTBRs' range
      { stream: 0, code: ERR_NO_PTE, iova: 0x20000, flag: 1 },
      { stream: 0, code: ERR_NO_PTE, iova: 0x20000, flag: 1 },
      { stream: 0, code: ERR_NO_PTE, iova: 0x10000, flag: 1 },
      { stream: 0, code: ERR_WRITE_FAULT, iova: 0x10000, flag: 1 },
      { stream: 0, code: ERR_NO_PTE, iova: 0x10000, flag: 1 },
    ]);
    expect(f[0].iova).toBeGreaterThanOrEqual(0x8_0000_0000);
    expect(b.m.dart.state().error).toBe(0);
    expect(b.m.dart.state().irq).toBe(false);
    expect(b.check()).toBe(0);
  });
});
