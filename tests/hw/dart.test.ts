// The Apple DART model (hw/dart.ts) driven with the register sequences of Linux's
// drivers/iommu/apple-dart.c (apple_dart_hw_reset, apple_dart_setup_translation,
// apple_dart_t8020_hw_stream_command, apple_dart_t8020_irq) and page tables written the way
// io-pgtable-dart.c writes them; the block device sits behind it.
import { beforeEach, describe, expect, it } from 'vitest';
import { AIC_EVENT, AIC_MASK_CLR, Aic } from '../../hw/aic';
import { Clock } from '../../hw/clock';
import { Ram } from '../../hw/ram';
import {
  DART_CONFIG, DART_ERROR, DART_ERROR_ADDR_HI, DART_ERROR_ADDR_LO, DART_PARAMS1, DART_PARAMS2,
  DART_PTE_NO_READ, DART_PTE_NO_WRITE, DART_PTE_SP_DIS, DART_PTE_VALID, DART_STREAM_COMMAND,
  DART_STREAM_SELECT, DART_STREAMS_ENABLE, DART_TCR, DART_TTBR, Dart,
  ERR_NO_PMD, ERR_NO_PTE, ERR_NO_TTBR, ERR_READ_FAULT, ERR_WRITE_FAULT,
} from '../../hw/dart';
import {
  BLK_CMD, BLK_CMD_READ, BLK_CMD_WRITE, BLK_COUNT, BLK_DMA_HI, BLK_DMA_LO, BLK_SECTOR_LO, BLK_STATUS,
  BLK_STATUS_DONE, BLK_STATUS_ERROR, BLOCK_ERR_DMA, BlockDevice, MemoryBlockStore,
} from '../../hw/blockdev';
import { DART_IRQ, DRAM_BASE } from '../../hw/memmap';

const SID = 0;
const TWO32 = 2 ** 32;

/** The Linux driver's side, register by register. */
class LinuxDart {
  constructor(private readonly d: Dart) {}
  /** apple_dart_hw_reset: all streams disabled, enable all, clear errors, invalidate all. */
  reset(): void {
    expect(this.d.read32(DART_CONFIG) & (1 << 15)).toBe(0); // not locked
    for (let sid = 0; sid < 16; sid++) {
      this.d.write32(DART_TCR(sid), 0);
      for (let i = 0; i < 4; i++) this.d.write32(DART_TTBR(sid, i), 0);
    }
    this.d.write32(DART_STREAMS_ENABLE, 0xffff_ffff);
    this.d.write32(DART_ERROR, this.d.read32(DART_ERROR));
    this.invalidate(0xffff);
  }
  /** apple_dart_t8020_hw_stream_command(INVALIDATE) with the BUSY poll. */
  invalidate(sidmap: number): void {
    this.d.write32(DART_STREAM_SELECT, sidmap);
    this.d.write32(DART_STREAM_COMMAND, 1 << 20);
    let polls = 0;
    while (this.d.read32(DART_STREAM_COMMAND) & (1 << 2)) expect(++polls).toBeLessThan(100);
  }
  /** apple_dart_setup_translation: TTBR[sid][0] = VALID | l1 >> 12, the rest 0, TCR = 0x80, flush. */
  attach(sid: number, l1: number): void {
    this.d.write32(DART_TTBR(sid, 0), 0x8000_0000 | (l1 / 4096));
    for (let i = 1; i < 4; i++) this.d.write32(DART_TTBR(sid, i), 0);
    this.d.write32(DART_TCR(sid), 0x80);
    this.invalidate(1 << sid);
  }
  /** apple_dart_t8020_irq: returns the decoded fault, or null for IRQ_NONE. */
  irq(): { stream: number; code: number; addr: number } | null {
    const error = this.d.read32(DART_ERROR);
    const lo = this.d.read32(DART_ERROR_ADDR_LO);
    const hi = this.d.read32(DART_ERROR_ADDR_HI);
    if ((error & 0x8000_0000) === 0) return null;
    this.d.write32(DART_ERROR, error);
    return { stream: (error >>> 24) & 0xf, code: error & 0xfff, addr: hi * TWO32 + lo };
  }
}

/** io-pgtable-dart's tables for one stream, allocated from RAM. */
class IoPgtable {
  readonly l1: number;
  private next: number;
  constructor(private readonly ram: Ram, private readonly shift: number, first: number) {
    this.next = first;
    this.l1 = this.alloc();
  }
  private alloc(): number {
    const pa = this.next;
    this.next += 2 ** this.shift;
    this.ram.u8.fill(0, pa - this.ram.base, pa - this.ram.base + 2 ** this.shift);
    return pa;
  }
  private get64(pa: number): number { return this.ram.dv.getUint32(pa - this.ram.base + 4, true) * TWO32 + this.ram.dv.getUint32(pa - this.ram.base, true); }
  private set64(pa: number, v: bigint): void { this.ram.dv.setBigUint64(pa - this.ram.base, v, true); }
  /** dart_map_pages: install the L2 table if missing, then the leaf with SP_DIS and full subpage bounds. */
  map(iova: number, pa: number, prot: { read?: boolean; write?: boolean } = { read: true, write: true }): void {
    const bits = this.shift - 3;
    const l1e = this.l1 + 8 * (Math.floor(iova / 2 ** (this.shift + bits)) % 2 ** bits);
    let l2 = this.get64(l1e) % 2 ** 36;
    if (l2 === 0) {
      l2 = this.alloc();
      this.set64(l1e, BigInt(l2) | 1n);
    } else l2 -= l2 % 2 ** this.shift;
    let pte = (0xfffn << 40n) | BigInt(pa) | BigInt(DART_PTE_VALID | DART_PTE_SP_DIS);
    if (!prot.write) pte |= BigInt(DART_PTE_NO_WRITE);
    if (!prot.read) pte |= BigInt(DART_PTE_NO_READ);
    this.set64(l2 + 8 * (Math.floor(iova / 2 ** this.shift) % 2 ** bits), pte);
  }
  /** dart_unmap_pages: zero the leaf. */
  unmap(iova: number): void {
    const bits = this.shift - 3;
    const l2 = this.get64(this.l1 + 8 * (Math.floor(iova / 2 ** (this.shift + bits)) % 2 ** bits)) % 2 ** 36;
    this.set64(l2 - (l2 % 2 ** this.shift) + 8 * (Math.floor(iova / 2 ** this.shift) % 2 ** bits), 0n);
  }
}

describe('Apple DART (apple,t8103-dart)', () => {
  let clock: Clock;
  let aic: Aic;
  let ram: Ram;
  let dart: Dart;
  let linux: LinuxDart;
  let pt: IoPgtable;
  const buf = DRAM_BASE + 0x10_0000; // the driver's DMA buffer
  const secret = DRAM_BASE + 0x20_0000; // another process's page

  beforeEach(() => {
    clock = new Clock();
    aic = new Aic(clock);
    ram = new Ram(4 << 20);
    dart = new Dart(ram, aic);
    aic.write32(AIC_MASK_CLR + 4 * (DART_IRQ >> 5), 1 << (DART_IRQ & 31));
    linux = new LinuxDart(dart);
    linux.reset();
    pt = new IoPgtable(ram, dart.pageShift, DRAM_BASE + 0x30_0000);
    linux.attach(SID, pt.l1);
  });

  it('probe: PARAMS give the page size and bypass support; registers read back', () => {
    expect((dart.read32(DART_PARAMS1) >>> 24) & 0xf).toBe(12);
    expect(dart.read32(DART_PARAMS2) & 1).toBe(1);
    expect(dart.read32(DART_STREAMS_ENABLE)).toBe(0xffff_ffff);
    expect(dart.read32(DART_TCR(SID))).toBe(0x80);
    expect(dart.read32(DART_TTBR(SID, 0))).toBe((0x8000_0000 | (pt.l1 / 4096)) >>> 0);
    expect(dart.read32(DART_ERROR)).toBe(0);
  });

  it('translates mapped IO pages with their offsets, across pages', () => {
    pt.map(0x4000, buf);
    pt.map(0x5000, buf + 0x3000);
    const port = dart.port(SID);
    expect(port.write(0x4ff0, Uint8Array.from({ length: 32 }, (_, i) => i + 1))).toBe(true);
    expect(ram.slice(buf + 0xff0, 16)).toEqual(Uint8Array.from({ length: 16 }, (_, i) => i + 1));
    expect(ram.slice(buf + 0x3000, 16)).toEqual(Uint8Array.from({ length: 16 }, (_, i) => i + 17));
    expect(port.read(0x4ff0, 32)).toEqual(Uint8Array.from({ length: 32 }, (_, i) => i + 1));
    expect(dart.read32(DART_ERROR)).toBe(0);
  });

  it('an unmapped IOVA faults: ERROR/ADDR latched, IRQ raised, nothing written; Linux clears it', () => {
    pt.map(0x4000, buf);
    ram.u8.fill(0x5a, secret - DRAM_BASE, secret - DRAM_BASE + 4096);
    // a transfer that starts mapped and runs into an unmapped page moves nothing at all
    expect(dart.port(SID).write(0x4800, new Uint8Array(0x1000).fill(0xee))).toBe(false);
    expect(ram.slice(buf + 0x800, 0x800).every((b) => b === 0)).toBe(true);
    expect(ram.slice(secret, 4096).every((b) => b === 0x5a)).toBe(true);
    expect(aic.irqOutput()).toBe(true);
    expect(aic.read32(AIC_EVENT)).toBe((1 << 16) | DART_IRQ);
    expect(linux.irq()).toEqual({ stream: SID, code: ERR_NO_PTE, addr: 0x5000 });
    expect(dart.read32(DART_ERROR)).toBe(0);
    expect(dart.state().irq).toBe(false);
    expect(linux.irq()).toBeNull(); // IRQ_NONE once cleared (a shared line)
  });

  it('reports NO_TTBR, NO_PMD, NO_PTE, WRITE and READ faults with exactly one code bit', () => {
    pt.map(0x4000, buf, { read: true, write: false });
    pt.map(0x6000, buf, { read: false, write: true });
    const port = dart.port(SID);
    const cases: Array<[() => unknown, number, number]> = [
      [() => port.read(0x4000_0000, 4), ERR_NO_TTBR, 0x4000_0000], // TTBR[1] not valid
      [() => port.read(0x20_0000, 4), ERR_NO_PMD, 0x20_0000], // L1 entry 1 empty
      [() => port.read(0x7000, 4), ERR_NO_PTE, 0x7000],
      [() => port.write(0x4010, new Uint8Array(4)), ERR_WRITE_FAULT, 0x4010],
      [() => port.read(0x6020, 4), ERR_READ_FAULT, 0x6020],
    ];
    for (const [op, code, addr] of cases) {
      op();
      expect(linux.irq()).toEqual({ stream: SID, code, addr });
    }
    expect(port.read(0x4000, 4)).not.toBeNull();
    expect(port.write(0x6000, new Uint8Array(4))).toBe(true);
  });

  it('latches the first fault until software clears FLAG', () => {
    const port = dart.port(SID);
    port.read(0x1000, 4);
    port.read(0x2000, 4);
    expect(linux.irq()).toEqual({ stream: SID, code: ERR_NO_PMD, addr: 0x1000 }); // no L2 table yet
    expect(dart.faults).toBe(2);
  });

  it('caches translations: an unmapped page is still reachable until STREAM_COMMAND INVALIDATE', () => {
    pt.map(0x4000, buf);
    const port = dart.port(SID);
    expect(port.read(0x4000, 4)).not.toBeNull();
    pt.unmap(0x4000);
    expect(port.read(0x4000, 4)).not.toBeNull(); // stale TLB entry, as on hardware
    linux.invalidate(1 << 1); // another stream: no effect
    expect(port.read(0x4000, 4)).not.toBeNull();
    linux.invalidate(1 << SID);
    expect(port.read(0x4000, 4)).toBeNull();
    expect(linux.irq()?.code).toBe(ERR_NO_PTE);
  });

  it('bypass (identity domain) passes IOVA through; blocked and disabled streams fault', () => {
    dart.write32(DART_TCR(1), 0x1100);
    expect(dart.port(1).write(buf, Uint8Array.of(7))).toBe(true);
    expect(ram.read8(buf)).toBe(7);
    dart.write32(DART_TCR(1), 0); // blocked
    expect(dart.port(1).read(buf, 1)).toBeNull();
    expect(linux.irq()).toEqual({ stream: 1, code: ERR_NO_TTBR, addr: buf });
    dart.write32(DART_TCR(2), 0x1100);
    dart.write32(DART_STREAMS_ENABLE, 0xffff_ffff & ~(1 << 2));
    expect(dart.port(2).read(buf, 1)).toBeNull();
  });

  it('walks the t8103 16 KiB geometry: L1 [35:25], L2 [24:14], one TTBR', () => {
    const d16 = new Dart(ram, aic, 14);
    const l16 = new LinuxDart(d16);
    l16.reset();
    expect((d16.read32(DART_PARAMS1) >>> 24) & 0xf).toBe(14);
    const t16 = new IoPgtable(ram, 14, DRAM_BASE + 0x38_0000);
    l16.attach(3, t16.l1);
    t16.map(0x200_c000, buf); // L1 index 1, L2 index 3
    expect(d16.port(3).write(0x200_c000 + 0x3ffc, Uint8Array.of(1, 2, 3, 4))).toBe(true);
    expect(ram.slice(buf + 0x3ffc, 4)).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(d16.port(3).read(0x201_0000, 4)).toBeNull();
    expect(l16.irq()).toEqual({ stream: 3, code: ERR_NO_PTE, addr: 0x201_0000 });
  });

  it('the block device behind it: DMA to a mapped IOVA works, to an unmapped one is an error that writes nothing', () => {
    const store = new MemoryBlockStore(Uint8Array.from({ length: 8 * 512 }, (_, i) => (i * 7) & 0xff));
    const dev = new BlockDevice(dart.port(SID), aic, store, clock);
    pt.map(0x4000, buf);
    const run = (sector: number, count: number, iova: number, cmd: number): number => {
      dev.write32(BLK_SECTOR_LO, sector);
      dev.write32(BLK_COUNT, count);
      dev.write32(BLK_DMA_LO, iova % TWO32);
      dev.write32(BLK_DMA_HI, Math.floor(iova / TWO32));
      dev.write32(BLK_CMD, cmd);
      clock.advance(dev.nextDeadline() - clock.ticks);
      dev.tick(clock.ticks);
      const st = dev.read32(BLK_STATUS);
      dev.write32(0x28, BLK_STATUS_DONE | BLK_STATUS_ERROR);
      return st;
    };
    expect(run(1, 2, 0x4000, BLK_CMD_READ)).toBe(BLK_STATUS_DONE);
    expect(ram.slice(buf, 1024)).toEqual(store.data.slice(512, 1536));
    // the driver aims DMA at the other process's page by its physical address: an unmapped IOVA
    ram.u8.fill(0x5a, secret - DRAM_BASE, secret - DRAM_BASE + 4096);
    const st = run(0, 1, secret, BLK_CMD_READ);
    expect(st & BLK_STATUS_ERROR).toBeTruthy();
    expect((st >> 8) & 0xff).toBe(BLOCK_ERR_DMA);
    expect(ram.slice(secret, 4096).every((b) => b === 0x5a)).toBe(true);
    expect(linux.irq()).toEqual({ stream: SID, code: ERR_NO_TTBR, addr: secret }); // beyond TTBR[0..3]
    // and a WRITE from it leaks nothing to the disk
    const before = store.data.slice();
    expect((run(0, 1, 0x8000, BLK_CMD_WRITE) >> 8) & 0xff).toBe(BLOCK_ERR_DMA);
    expect(store.data).toEqual(before);
    expect(linux.irq()).toEqual({ stream: SID, code: ERR_NO_PTE, addr: 0x8000 });
  });
});
