// Tests for hw/mmu.ts: the VMSAv8-64 4 KB-granule walker (Arm ARM DDI 0487 D8), its fault codes, and the
// ASID-tagged TLB with its TLBI operations.

import { describe, expect, it } from 'vitest';
import { Access, Mmu, PageTableBuilder, startLevelFor, type MmuRegs, type RamView } from '../../hw/mmu';
import { DRAM_BASE } from '../../hw/memmap';

const RAM_SIZE = 16 * 1024 * 1024;
const MB = 1024 * 1024;
const GB = 1024 * MB;

// TCR: T0SZ=16, TG0=4K(00), T1SZ=16, TG1=4K(0b10 at [31:30]), AS=1 (16-bit ASIDs).
// IPS = 0b101 (48-bit PA) so the RAM at 2^35 is in range.
const TCR_48 = 16n | (16n << 16n) | (2n << 30n) | (5n << 32n) | (1n << 36n);
const tcrT0sz = (t0sz: number): bigint => (TCR_48 & ~63n) | BigInt(t0sz);
const ttbr = (root: number, asid = 0): bigint => (BigInt(asid) << 48n) | BigInt(root);

function setup(tlbEntries?: number) {
  const buf = new ArrayBuffer(RAM_SIZE);
  const ram: RamView = { base: DRAM_BASE, size: RAM_SIZE, u8: new Uint8Array(buf), dv: new DataView(buf) };
  let next = DRAM_BASE + 0x100000;
  const alloc = (): number => {
    const pa = next;
    next += 4096;
    return pa;
  };
  const mmu = new Mmu(ram, tlbEntries);
  const regs: MmuRegs = { sctlr: 1n, tcr: TCR_48, ttbr0: 0n, ttbr1: 0n, mair: 0xff04n };
  const set = (r: Partial<MmuRegs>): void => {
    Object.assign(regs, r);
    mmu.setRegs({ ...regs });
  };
  const builder = (startLevel = 0): PageTableBuilder => new PageTableBuilder(ram, alloc, startLevel);
  const pt = builder();
  set({ ttbr0: ttbr(pt.root) });
  /** overwrite descriptor bits of an entry (lo/hi 32-bit words) */
  const patch = (dpa: number, f: (lo: number, hi: number) => [number, number]): void => {
    const off = dpa - DRAM_BASE;
    const [lo, hi] = f(ram.dv.getUint32(off, true), ram.dv.getUint32(off + 4, true));
    ram.dv.setUint32(off, lo >>> 0, true);
    ram.dv.setUint32(off + 4, hi >>> 0, true);
  };
  const frame = (n: number): number => DRAM_BASE + 0x800000 + n * 4096;
  return { ram, mmu, set, regs, pt, builder, alloc, patch, frame };
}

const expectFault = (mmu: Mmu, fsc: number, level: number) => {
  expect({ fsc: mmu.fault.fsc, level: mmu.fault.level }).toEqual({ fsc, level });
};

describe('MMU off', () => {
  it('is the identity with no checks and no TLB use', () => {
    const { mmu, set } = setup();
    set({ sctlr: 0n, ttbr0: 0n, tcr: 0n });
    expect(mmu.translate(0x1234_5678, Access.Write, 0)).toBe(0x1234_5678);
    expect(mmu.translate(2 ** 52 + 5, Access.Exec, 0)).toBe(2 ** 52 + 5);
    expect(mmu.translateRam(DRAM_BASE + 0x40, Access.Read, 0)).toBe(0x40);
    expect(mmu.stats).toEqual({ hits: 0, misses: 0, walks: 0 });
  });
});

describe('walk', () => {
  it('translates a 4 KB page through all four levels', () => {
    const { mmu, pt, frame } = setup();
    const va = 0x7f12_3456_7000; // indices L0 0xfe, L1 0x48, L2 0x1a2, L3 0x167
    pt.map(va, frame(3), 4096, { ap: 1 });
    expect(mmu.translate(va + 0x678, Access.Read, 0)).toBe(frame(3) + 0x678);
    const w = mmu.walk(va + 0x678);
    expect(w.steps.map((s) => [s.level, s.index, s.kind])).toEqual([
      [0, 0xfe, 'table'],
      [1, 0x48, 'table'],
      [2, 0x1a2, 'table'],
      [3, 0x167, 'page'],
    ]);
    expect(w.pa).toBe(frame(3) + 0x678);
    expect(w.perms).toBe('EL1 RW- EL0 RWX');
    expect(w.steps[3].desc).toBe('0x' + (frame(3) + 0x743).toString(16).padStart(16, '0'));
    expect(w.steps[0].tablePa).toBe(pt.root);
  });

  it('translates a 2 MiB block at level 2 with offset arithmetic', () => {
    const { mmu, pt } = setup();
    const va = 0x1_2340_0000;
    const pa = DRAM_BASE + 4 * MB;
    pt.map(va, pa, 2 * MB, { ap: 1, block: true });
    expect(mmu.translate(va + 0x1f_fffc, Access.Read, 0)).toBe(pa + 0x1f_fffc);
    expect(mmu.translate(va + 0x12345, Access.Write, 0)).toBe(pa + 0x12345);
    const w = mmu.walk(va);
    expect(w.steps.length).toBe(3);
    expect(w.steps[2].kind).toBe('block');
    expect(mmu.translate(va + 2 * MB, Access.Read, 0)).toBe(-1);
  });

  it('translates a 1 GiB block at level 1 with offset arithmetic, also beyond RAM', () => {
    const { mmu, pt } = setup();
    const va = 0x40_0000_0000;
    pt.map(va, DRAM_BASE, GB, { ap: 0, block: true });
    expect(mmu.walk(va).steps.map((s) => s.kind)).toEqual(['table', 'block']);
    expect(mmu.translate(va + 0x3abc_def0, Access.Read, 1)).toBe(DRAM_BASE + 0x3abc_def0);
    expect(mmu.translateRam(va + 0x100, Access.Read, 1)).toBe(0x100);
    // The block is translated past the end of RAM; translateRam reports that as an external abort.
    expect(mmu.translateRam(va + 0x3abc_def0, Access.Read, 1)).toBe(-2);
    expectFault(mmu, 0x10, 0);
  });

  it('honours the upper output-address bits [47:32]', () => {
    const { mmu, pt } = setup();
    pt.map(0x5000, 0xabcd_1234_5000, 4096, { ap: 1 });
    expect(mmu.translate(0x5008, Access.Read, 0)).toBe(0xabcd_1234_5008);
  });

  it('computes the initial lookup level from T0SZ', () => {
    expect([16, 24, 25, 33, 34, 39].map(startLevelFor)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('T0SZ=25 starts at level 1 and faults above 2^39 at level 0', () => {
    const { mmu, set, builder, frame } = setup();
    const pt = builder(1);
    set({ tcr: tcrT0sz(25), ttbr0: ttbr(pt.root) });
    pt.map(0x7f_ffff_f000, frame(1), 4096, { ap: 1 });
    expect(mmu.translate(0x7f_ffff_f010, Access.Read, 0)).toBe(frame(1) + 0x10);
    expect(mmu.walk(0x7f_ffff_f010).steps.map((s) => s.level)).toEqual([1, 2, 3]);
    expect(mmu.translate(2 ** 39, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x04, 0);
  });

  it('T0SZ=24 starts at level 0 with a 2-entry table', () => {
    const { mmu, set, pt, frame } = setup();
    set({ tcr: tcrT0sz(24) });
    pt.map(2 ** 39 + 0x3000, frame(2), 4096, { ap: 1 });
    expect(mmu.translate(2 ** 39 + 0x3004, Access.Read, 0)).toBe(frame(2) + 4);
    expect(mmu.walk(2 ** 39 + 0x3004).steps[0].index).toBe(1);
    expect(mmu.translate(2 ** 40, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x04, 0);
  });

  it('T0SZ=39 starts at level 2 (32 MiB address space)', () => {
    const { mmu, set, builder, frame } = setup();
    const pt = builder(2);
    set({ tcr: tcrT0sz(39), ttbr0: ttbr(pt.root) });
    pt.map(0x1ff_f000, frame(4), 4096, { ap: 1 });
    expect(mmu.translate(0x1ff_fabc, Access.Read, 0)).toBe(frame(4) + 0xabc);
    expect(mmu.walk(0x1ff_f000).steps.map((s) => s.level)).toEqual([2, 3]);
    expect(mmu.translate(0x200_0000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x04, 0);
  });

  it('treats T0SZ below 16 as 16', () => {
    const { mmu, set, pt, frame } = setup();
    set({ tcr: tcrT0sz(8) });
    pt.map(0x7fff_ffff_f000, frame(0), 4096, { ap: 1 });
    expect(mmu.translate(0x7fff_ffff_f000, Access.Read, 0)).toBe(frame(0));
    expect(mmu.translate(2 ** 48, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x04, 0);
  });
});

describe('faults', () => {
  it('translation faults at levels 0..3 with the faulting VA', () => {
    const { mmu, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1 }); // creates L0[0] -> L1[0] -> L2[0] -> L3[1]
    const cases: [number, number][] = [
      [0x8000_0000_0000 - 4096, 0], // L0 index 255, empty
      [0x40_0000_0000, 1], // L0[0] present, L1[1] empty
      [0x20_0000, 2], // L2[1] empty
      [0x2000, 3], // L3[2] empty
    ];
    for (const [va, level] of cases) {
      expect(mmu.translate(va + 8, Access.Write, 0)).toBe(-1);
      expect(mmu.fault).toEqual({ fsc: 0x04 + level, level, va: va + 8, access: Access.Write, el: 0 });
    }
  });

  it('a block descriptor at level 0 and a reserved 0b01 at level 3 are translation faults', () => {
    const { mmu, pt, patch, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1 });
    patch(pt.entryPa(0x1000, 3), (lo, hi) => [lo & ~2, hi]);
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x07, 3);
    patch(pt.entryPa(0x1000, 0), (lo, hi) => [lo & ~2, hi]);
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x04, 0);
    expect(mmu.walk(0x1000).steps[0].kind).toBe('reserved');
  });

  it('VAs at or above 2^48, EPD0 and a wrong TG0 are translation faults at level 0', () => {
    const { mmu, set, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1 });
    expect(mmu.translate(2 ** 48 + 0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x04, 0);
    set({ tcr: TCR_48 | (1n << 7n) });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x04, 0);
    set({ tcr: TCR_48 | (2n << 14n) }); // TG0 = 16 KB
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x04, 0);
    set({ tcr: TCR_48 });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(0));
  });

  it('access-flag faults at levels 1, 2 and 3', () => {
    const { mmu, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1, af: false });
    pt.map(0x20_0000, DRAM_BASE, 2 * MB, { ap: 1, af: false, block: true });
    pt.map(0x40_0000_0000, DRAM_BASE, GB, { ap: 1, af: false, block: true });
    for (const [va, level] of [[0x1000, 3], [0x20_0000, 2], [0x40_0000_0000, 1]]) {
      expect(mmu.translate(va, Access.Read, 1)).toBe(-1);
      expectFault(mmu, 0x08 + level, level);
    }
  });

  it('access flag takes priority over permission', () => {
    const { mmu, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 0, af: false });
    expect(mmu.translate(0x1000, Access.Write, 0)).toBe(-1);
    expectFault(mmu, 0x0b, 3);
  });

  it('permission faults from AP, UXN and PXN', () => {
    const { mmu, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 3 }); // RO/RO
    pt.map(0x2000, frame(1), 4096, { ap: 0 }); // EL1 RW, EL0 none
    pt.map(0x3000, frame(2), 4096, { ap: 1, uxn: true });
    pt.map(0x4000, frame(3), 4096, { ap: 2, pxn: true }); // EL1 RO
    pt.map(0x20_0000, DRAM_BASE, 2 * MB, { ap: 3, block: true });
    const deny: [number, Access, 0 | 1, number][] = [
      [0x1000, Access.Write, 0, 3], // EL0 write to RO
      [0x1000, Access.Write, 1, 3],
      [0x2000, Access.Read, 0, 3], // EL0 read of EL1-only
      [0x3000, Access.Exec, 0, 3], // EL0 exec of UXN
      [0x4000, Access.Write, 1, 3],
      [0x4000, Access.Exec, 1, 3], // PXN
      [0x4000, Access.Read, 0, 3],
      [0x20_0000, Access.Write, 0, 2], // block: level 2
    ];
    for (const [va, access, el, level] of deny) {
      expect(mmu.translate(va, access, el), `${va.toString(16)} ${access} EL${el}`).toBe(-1);
      expect(mmu.fault).toEqual({ fsc: 0x0c + level, level, va, access, el });
    }
    const allow: [number, Access, 0 | 1][] = [
      [0x1000, Access.Read, 0],
      [0x1000, Access.Exec, 0],
      [0x2000, Access.Write, 1],
      [0x2000, Access.Exec, 1],
      [0x2000, Access.Exec, 0], // EL0 fetch is governed by UXN alone
      [0x3000, Access.Write, 0],
      [0x4000, Access.Read, 1],
      [0x20_0000, Access.Read, 0],
    ];
    for (const [va, access, el] of allow) {
      expect(mmu.translate(va, access, el), `${va.toString(16)} ${access} EL${el}`).toBeGreaterThan(0);
    }
  });

  it('EL1 may not execute an EL0-writable page (implied PXN)', () => {
    const { mmu, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1 });
    pt.map(0x2000, frame(1), 4096, { ap: 3 });
    expect(mmu.translate(0x1000, Access.Exec, 1)).toBe(-1);
    expectFault(mmu, 0x0f, 3);
    expect(mmu.translate(0x2000, Access.Exec, 1)).toBe(frame(1));
  });

  it('a permission fault on a TLB hit needs no walk', () => {
    const { mmu, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 3 });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(0));
    const walks = mmu.stats.walks;
    expect(mmu.translate(0x1008, Access.Write, 0)).toBe(-1);
    expect(mmu.fault).toEqual({ fsc: 0x0f, level: 3, va: 0x1008, access: Access.Write, el: 0 });
    expect(mmu.stats.walks).toBe(walks);
    expect(mmu.stats.hits).toBe(1);
  });

  it('SCTLR.WXN makes writable pages execute-never', () => {
    const { mmu, set, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1 });
    pt.map(0x2000, frame(1), 4096, { ap: 3 });
    set({ sctlr: 1n | (1n << 19n) });
    expect(mmu.translate(0x1000, Access.Exec, 0)).toBe(-1);
    expectFault(mmu, 0x0f, 3);
    expect(mmu.translate(0x2000, Access.Exec, 0)).toBe(frame(1));
  });

  it('APTable, UXNTable and PXNTable limit the levels below', () => {
    const { mmu, pt, patch, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1 });
    const l1 = pt.entryPa(0x1000, 1);
    const check = (va: number, access: Access, el: 0 | 1): number => {
      mmu.tlbi(0, 0n);
      return mmu.translate(va, access, el);
    };
    expect(check(0x1000, Access.Read, 0)).toBe(frame(0));
    patch(l1, (lo, hi) => [lo, hi | (1 << 29)]); // APTable = 01: no EL0 access
    expect(check(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x0f, 3);
    expect(check(0x1000, Access.Write, 1)).toBe(frame(0));
    expect(mmu.walk(0x1000).steps[1].fields.APTable).toBe(1);
    patch(l1, (lo, hi) => [lo, (hi & ~(3 << 29)) | (2 << 29)]); // APTable = 10: read-only
    expect(check(0x1000, Access.Write, 1)).toBe(-1);
    expectFault(mmu, 0x0f, 3);
    expect(check(0x1000, Access.Write, 0)).toBe(-1);
    expect(check(0x1000, Access.Read, 0)).toBe(frame(0));
    patch(l1, (lo, hi) => [lo, (hi & ~(3 << 29)) | (1 << 28)]); // UXNTable
    expect(check(0x1000, Access.Exec, 0)).toBe(-1);
    expectFault(mmu, 0x0f, 3);
    patch(l1, (lo, hi) => [lo, (hi & ~(1 << 28)) | (1 << 27)]); // PXNTable (page is AP=01 so also implied PXN)
    expect(check(0x1000, Access.Exec, 0)).toBe(frame(0));
    pt.map(0x2000, frame(1), 4096, { ap: 0 });
    expect(check(0x2000, Access.Exec, 1)).toBe(-1);
    expectFault(mmu, 0x0f, 3);
  });

  it('a table walk leaving RAM is a synchronous external abort on walk at that level', () => {
    const { mmu, set, pt, patch, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1 });
    // L1 descriptor pointing at an L2 table outside RAM → the level-2 read aborts.
    patch(pt.entryPa(0x1000, 1), (lo) => [(lo & 0xfff) | 0x1000_0000, 0]);
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x16, 2);
    expect(mmu.walk(0x1000).steps[2].kind).toBe('unreadable');
    // L2 descriptor → L3 table beyond the end of RAM.
    const { mmu: m2, pt: p2, patch: patch2, frame: f2 } = setup();
    p2.map(0x1000, f2(0), 4096, { ap: 1 });
    const end = DRAM_BASE + RAM_SIZE;
    patch2(p2.entryPa(0x1000, 2), (lo) => [((end % 2 ** 32) | 3) >>> 0, Math.floor(end / 2 ** 32)]);
    expect(m2.translate(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(m2, 0x17, 3);
    // TTBR0 outside RAM → level-0 read aborts.
    set({ ttbr0: 0x4000_0000n });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x14, 0);
  });

  it('faults are never cached', () => {
    const { mmu, pt, frame } = setup();
    expect(mmu.translate(0x5000, Access.Read, 0)).toBe(-1);
    pt.map(0x5000, frame(5), 4096, { ap: 1 });
    expect(mmu.translate(0x5000, Access.Read, 0)).toBe(frame(5));
    pt.map(0x6000, frame(6), 4096, { ap: 3 });
    expect(mmu.translate(0x6000, Access.Write, 0)).toBe(-1); // permission fault during the walk
    expect(mmu.stats.walks).toBe(3);
    expect(mmu.translate(0x6000, Access.Read, 0)).toBe(frame(6));
    expect(mmu.stats.walks).toBe(4);
  });
});

describe('address size (TCR.IPS)', () => {
  const IPS_36 = (TCR_48 & ~(7n << 32n)) | (1n << 32n); // 36-bit PA: RAM at 2^35 is just in range
  const hiBit = (lo: number, hi: number): [number, number] => [lo, hi | 0x10]; // + 2^36 to the address

  it('an in-range walk translates; a page beyond IPS is an address-size fault at level 3 (before AF)', () => {
    const { mmu, set, pt, patch, frame } = setup();
    set({ tcr: IPS_36 });
    pt.map(0x1000, frame(0), 4096, { ap: 1 });
    pt.map(0x2000, frame(1), 4096, { ap: 1, af: false });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(0));
    patch(pt.entryPa(0x2000, 3), hiBit);
    expect(mmu.translate(0x2008, Access.Write, 0)).toBe(-1);
    expect(mmu.fault).toEqual({ fsc: 0x03, level: 3, va: 0x2008, access: Access.Write, el: 0 });
  });

  it('a block beyond IPS faults at level 2; a table address beyond IPS at its descriptor level', () => {
    const { mmu, set, pt, patch, frame } = setup();
    set({ tcr: IPS_36 });
    pt.map(0x20_0000, DRAM_BASE + 0x20_0000, 2 * MB, { ap: 1, block: true });
    patch(pt.entryPa(0x20_0000, 2), hiBit);
    expect(mmu.translate(0x20_0010, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x02, 2);
    pt.map(0x1000, frame(0), 4096, { ap: 1 });
    for (const level of [2, 1, 0]) {
      patch(pt.entryPa(0x1000, level), hiBit);
      expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
      expectFault(mmu, 0x00 + level, level);
    }
    expect(mmu.walk(0x1000).fault?.fsc).toBe(0x00);
  });

  it("a TTBR base beyond IPS is an address-size fault at level 0; a VA beyond T0SZ stays a translation fault", () => {
    const { mmu, set, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1 });
    set({ tcr: TCR_48 & ~(7n << 32n) }); // IPS 32 bits: the tables at 2^35 are out of range
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x00, 0);
    expect(mmu.translate(2 ** 48, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x04, 0);
    set({ tcr: IPS_36 });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(0));
    // the kernel's IPS (40 bits) and the reserved encodings (act as 48) translate
    for (const ips of [2n, 6n, 7n]) {
      set({ tcr: (TCR_48 & ~(7n << 32n)) | (ips << 32n) });
      mmu.tlbi(0, 0n);
      expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(0));
    }
  });
});

describe('memory type (MAIR)', () => {
  it('isDevice reads the leaf attribute from MAIR_EL1; MMU off is Device', () => {
    const { mmu, set, pt, frame } = setup(); // MAIR 0xff04: Attr0 Device-nGnRE, Attr1 Normal WB
    pt.map(0x1000, frame(0), 4096, { ap: 1, attrIndx: 1 });
    pt.map(0x2000, 0x2_3520_0000, 4096, { ap: 1, attrIndx: 0 });
    expect(mmu.isDevice(0x1000)).toBe(false);
    expect(mmu.isDevice(0x2004)).toBe(true);
    expect(mmu.isDevice(0x9000)).toBe(false); // unmapped: no memory type
    set({ mair: 0x0044n }); // Attr0 Normal non-cacheable, Attr1 Device-nGnRnE (0x00)
    expect(mmu.isDevice(0x1000)).toBe(true);
    expect(mmu.isDevice(0x2004)).toBe(false);
    set({ sctlr: 0n });
    expect(mmu.isDevice(0x1000)).toBe(true);
  });
});

describe('TLB', () => {
  it('counts hits, misses and walks', () => {
    const { mmu, pt, frame } = setup();
    pt.map(0x1000, frame(0), 2 * 4096, { ap: 1 });
    mmu.translate(0x1000, Access.Read, 0);
    expect(mmu.stats).toEqual({ hits: 0, misses: 1, walks: 1 });
    expect(mmu.translate(0x1ff8, Access.Write, 0)).toBe(frame(0) + 0xff8); // hit: offset from the VA
    expect(mmu.translate(0x1010, Access.Read, 0)).toBe(frame(0) + 0x10);
    expect(mmu.stats).toEqual({ hits: 2, misses: 1, walks: 1 });
    mmu.translate(0x2000, Access.Read, 0);
    expect(mmu.stats).toEqual({ hits: 2, misses: 2, walks: 2 });
    mmu.walk(0x1000);
    expect(mmu.stats).toEqual({ hits: 2, misses: 2, walks: 2 });
  });

  it('a stale entry is used until TLBI VAE1', () => {
    const { mmu, pt, frame } = setup();
    pt.map(0x1000, frame(0), 4096, { ap: 1, ng: true });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(0));
    pt.map(0x1000, frame(9), 4096, { ap: 1, ng: true });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(0));
    expect(mmu.walk(0x1000).pa).toBe(frame(9)); // the diagnostic walk sees the new tables
    mmu.tlbi(2, 0x2n); // other VA
    mmu.tlbi(2, (5n << 48n) | 0x1n); // other ASID: entry stays
    mmu.tlbi(1, 5n << 48n);
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(0));
    mmu.tlbi(2, 0x1n); // ASID 0, VA 0x1000
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(9));
    pt.unmap(0x1000, 4096);
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(9));
    mmu.tlbi(0, 0n);
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x07, 3);
  });

  it('switching ASID needs no flush; ASIDE1 removes only that ASID', () => {
    const { mmu, set, builder, frame } = setup();
    const a = builder();
    const b = builder();
    a.map(0x1000, frame(1), 4096, { ap: 1, ng: true });
    b.map(0x1000, frame(2), 4096, { ap: 1, ng: true });
    set({ ttbr0: ttbr(a.root, 1) });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(1));
    set({ ttbr0: ttbr(b.root, 2) });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(2));
    set({ ttbr0: ttbr(a.root, 1) });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(1));
    set({ ttbr0: ttbr(b.root, 2) });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(2));
    expect(mmu.stats).toMatchObject({ hits: 2, misses: 2 });
    // The TLB, not the tables, answers: a TTBR pointing at A's tables with ASID 2 still sees B's entry.
    set({ ttbr0: ttbr(a.root, 2) });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(2));
    mmu.tlbi(1, 1n << 48n);
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(2));
    expect(mmu.stats.misses).toBe(2);
    set({ ttbr0: ttbr(a.root, 1) });
    expect(mmu.translate(0x1000, Access.Read, 0)).toBe(frame(1));
    expect(mmu.stats.misses).toBe(3);
  });

  it('global entries match every ASID, survive ASIDE1, and go with VAE1 or VMALLE1', () => {
    const { mmu, set, builder, frame } = setup();
    const a = builder();
    const empty = builder();
    a.map(0x3000, frame(3), 4096, { ap: 1 }); // nG = 0
    set({ ttbr0: ttbr(a.root, 7) });
    expect(mmu.translate(0x3000, Access.Read, 0)).toBe(frame(3));
    set({ ttbr0: ttbr(empty.root, 8) });
    expect(mmu.translate(0x3000, Access.Read, 0)).toBe(frame(3));
    mmu.tlbi(1, 7n << 48n);
    mmu.tlbi(1, 8n << 48n);
    expect(mmu.translate(0x3000, Access.Read, 0)).toBe(frame(3));
    mmu.tlbi(2, (9n << 48n) | 3n); // VAE1 with any ASID removes the global entry for that VA
    expect(mmu.translate(0x3000, Access.Read, 0)).toBe(-1);
    set({ ttbr0: ttbr(a.root, 7) });
    expect(mmu.translate(0x3000, Access.Read, 0)).toBe(frame(3));
    set({ ttbr0: ttbr(empty.root, 8) });
    mmu.tlbi(0, 0n);
    expect(mmu.translate(0x3000, Access.Read, 0)).toBe(-1);
  });

  it('VAAE1 removes a VA in all ASIDs, leaving other VAs', () => {
    const { mmu, set, builder, frame } = setup();
    const a = builder();
    const empty = builder();
    a.map(0x1000, frame(1), 2 * 4096, { ap: 1, ng: true });
    for (const asid of [1, 2, 3]) {
      set({ ttbr0: ttbr(a.root, asid) });
      mmu.translate(0x1000, Access.Read, 0);
      mmu.translate(0x2000, Access.Read, 0);
    }
    mmu.tlbi(3, 1n);
    for (const asid of [1, 2, 3]) {
      set({ ttbr0: ttbr(empty.root, asid) });
      expect(mmu.translate(0x1000, Access.Read, 0)).toBe(-1);
      expect(mmu.translate(0x2000, Access.Read, 0)).toBe(frame(2));
    }
  });

  it('TLBI VAE1 of one page of a block removes every cached piece of that block', () => {
    const { mmu, pt } = setup();
    const va = 0x20_0000;
    pt.map(va, DRAM_BASE, 2 * MB, { ap: 1, block: true, ng: true });
    mmu.translate(va, Access.Read, 0);
    mmu.translate(va + 0x10_0000, Access.Read, 0);
    mmu.translate(0x40_0000 - 4096, Access.Read, 0);
    pt.unmap(va, 2 * MB);
    expect(mmu.translate(va + 0x10_0000, Access.Read, 0)).toBe(DRAM_BASE + 0x10_0000);
    mmu.tlbi(2, BigInt((va + 0x5_0000) / 4096));
    for (const v of [va, va + 0x10_0000, 0x40_0000 - 4096]) {
      expect(mmu.translate(v, Access.Read, 0)).toBe(-1);
      expectFault(mmu, 0x06, 2);
    }
  });

  it('with TCR.AS=0 ASIDs are 8 bits', () => {
    const { mmu, set, pt, frame } = setup();
    pt.map(0x1000, frame(1), 4096, { ap: 1, ng: true });
    set({ tcr: TCR_48 & ~(1n << 36n), ttbr0: ttbr(pt.root, 0x105) });
    expect(mmu.asid).toBe(5);
    mmu.translate(0x1000, Access.Read, 0);
    mmu.tlbi(1, 0x205n << 48n);
    mmu.translate(0x1000, Access.Read, 0);
    expect(mmu.stats.misses).toBe(2);
  });

  it('conflicting entries in a tiny TLB are evicted, not confused', () => {
    const { mmu, pt, frame } = setup(4);
    for (let i = 0; i < 16; i++) pt.map(0x10000 + i * 4096, frame(i), 4096, { ap: 1, ng: i % 2 === 0 });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 16; i++) expect(mmu.translate(0x10000 + i * 4096 + 4, Access.Read, 0)).toBe(frame(i) + 4);
    }
  });

  it('translateRam returns RAM offsets through the TLB', () => {
    const { mmu, pt, frame } = setup();
    pt.map(0x1000, frame(1), 4096, { ap: 1 });
    pt.map(0x2000, 0x2_3520_0000, 4096, { ap: 1 }); // UART page: not RAM
    expect(mmu.translateRam(0x1010, Access.Write, 0)).toBe(frame(1) - DRAM_BASE + 0x10);
    expect(mmu.translateRam(0x1020, Access.Write, 0)).toBe(frame(1) - DRAM_BASE + 0x20);
    expect(mmu.stats.hits).toBe(1);
    expect(mmu.translateRam(0x2000, Access.Read, 0)).toBe(-2);
    expectFault(mmu, 0x10, 0);
    expect(mmu.translateRam(0x2000, Access.Read, 0)).toBe(-2);
    expect(mmu.translate(0x2000, Access.Read, 0)).toBe(0x2_3520_0000);
    expect(mmu.translateRam(0x9000, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x07, 3);
  });
});

describe('TTBR1 (translateHigh)', () => {
  it('walks TTBR1 for the upper range and checks TG1 / EPD1 / canonical form', () => {
    const { mmu, set, builder, frame } = setup();
    const k = builder();
    k.map(0x1234_5000, frame(7), 4096, { ap: 0 }); // VA bits [47:0] of 0xffff_0000_1234_5000
    set({ ttbr1: ttbr(k.root) });
    expect(mmu.translateHigh(0xffff_0000_1234_5678n, Access.Read, 1)).toBe(frame(7) + 0x678);
    expect(mmu.translateHigh(0xffff_0000_1234_5678n, Access.Read, 0)).toBe(-1);
    expectFault(mmu, 0x0f, 3);
    expect(mmu.translateHigh(0xffff_8000_0000_0000n, Access.Read, 1)).toBe(-1); // L0 index 256 empty
    expectFault(mmu, 0x04, 0);
    expect(mmu.translateHigh(0xffff_0000_0000_0000n, Access.Read, 1)).toBe(-1); // L2 index 0 empty
    expectFault(mmu, 0x06, 2);
    expect(mmu.translateHigh(0xfff0_0000_1234_5000n, Access.Read, 1)).toBe(-1); // not canonical
    expectFault(mmu, 0x04, 0);
    set({ tcr: TCR_48 & ~(3n << 30n) }); // TG1 = 0b00 is not 4 KB
    expect(mmu.translateHigh(0xffff_0000_1234_5000n, Access.Read, 1)).toBe(-1);
    expectFault(mmu, 0x04, 0);
    set({ tcr: TCR_48 | (1n << 23n) }); // EPD1
    expect(mmu.translateHigh(0xffff_0000_1234_5000n, Access.Read, 1)).toBe(-1);
    expectFault(mmu, 0x04, 0);
    // The low half still goes through TTBR0.
    set({ tcr: TCR_48 });
    expect(mmu.translateHigh(0x1234_5000n, Access.Read, 1)).toBe(-1);
    expectFault(mmu, 0x04, 0);
  });
});
