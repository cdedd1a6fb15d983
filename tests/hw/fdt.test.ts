import { describe, expect, it } from 'vitest';
import {
  FDT_BEGIN_NODE,
  FDT_HDR,
  FDT_MAGIC,
  buildFdt,
  findNode,
  getStr,
  getStrList,
  getU32,
  getU32Array,
  getU64,
  node,
  parseFdt,
  propEmpty,
  propStr,
  propStrList,
  propU32,
  propU64,
  type FdtNode,
} from '../../hw/fdt';

const sample = (): FdtNode =>
  node(
    '',
    [
      ['compatible', propStrList('a,b', 'c')],
      ['#address-cells', propU32(2)],
    ],
    [
      node('chosen', [['bootargs', propStr('quiet')], ['x', propEmpty()]]),
      node('soc', [['#address-cells', propU32(2)]], [
        node('serial@235200000', [['reg', propU64(0x2_3520_0000, 0x1000)], ['compatible', propStr('s')]]),
        node('odd', [['bytes', Uint8Array.of(1, 2, 3)]]),
      ]),
    ],
  );

const u32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset).getUint32(off);
const setU32 = (b: Uint8Array, off: number, v: number) => new DataView(b.buffer, b.byteOffset).setUint32(off, v);

describe('FDT', () => {
  it('writes a v17 header with consistent offsets', () => {
    const b = buildFdt(sample(), [[0x8_0000_0000, 0x10000]], 3);
    expect(u32(b, FDT_HDR.magic)).toBe(FDT_MAGIC);
    expect(u32(b, FDT_HDR.totalsize)).toBe(b.length);
    expect(u32(b, FDT_HDR.version)).toBe(17);
    expect(u32(b, FDT_HDR.last_comp_version)).toBe(16);
    expect(u32(b, FDT_HDR.boot_cpuid_phys)).toBe(3);
    expect(u32(b, FDT_HDR.off_mem_rsvmap) % 8).toBe(0);
    expect(u32(b, FDT_HDR.off_dt_struct) % 4).toBe(0);
    expect(u32(b, u32(b, FDT_HDR.off_dt_struct))).toBe(FDT_BEGIN_NODE);
    expect(u32(b, FDT_HDR.off_dt_strings) + u32(b, FDT_HDR.size_dt_strings)).toBe(b.length);
  });

  it('round-trips build → parse', () => {
    const tree = sample();
    const p = parseFdt(buildFdt(tree, [[0x8_0000_0000, 0x10000], [0x8_0100_0000, 4096]], 0));
    expect(p.root).toEqual(tree);
    expect(p.memreserve).toEqual([[0x8_0000_0000, 0x10000], [0x8_0100_0000, 4096]]);
    expect(p.bootCpu).toBe(0);
    const serial = findNode(p.root, '/soc/serial@235200000')!;
    expect(getU64(serial, 'reg')).toBe(0x2_3520_0000n);
    expect(getU32Array(serial, 'reg')).toEqual([2, 0x3520_0000, 0, 0x1000]);
    expect(findNode(p.root, '/soc/serial')).toBe(serial);
    expect(findNode(p.root, '/soc/nothing')).toBeUndefined();
    expect(findNode(p.root, '/')).toBe(p.root);
    expect(getStrList(p.root, 'compatible')).toEqual(['a,b', 'c']);
    expect(getStr(findNode(p.root, '/chosen')!, 'bootargs')).toBe('quiet');
    expect(getU32(p.root, '#address-cells')).toBe(2);
    expect(findNode(p.root, '/soc/odd')!.props.get('bytes')).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('stores each property name once in the strings block', () => {
    const b = buildFdt(sample());
    const off = u32(b, FDT_HDR.off_dt_strings);
    const strings = new TextDecoder().decode(b.subarray(off, off + u32(b, FDT_HDR.size_dt_strings)));
    const names = strings.split('\0').filter((s) => s);
    expect(names.filter((s) => s === '#address-cells').length).toBe(1);
    expect(names.filter((s) => s === 'compatible').length).toBe(1);
    expect(new Set(names).size).toBe(names.length);
  });

  it('rejects bad magic', () => {
    const b = buildFdt(sample());
    b[0] ^= 0xff;
    expect(() => parseFdt(b)).toThrow(/bad magic/);
  });

  it('rejects truncated blobs', () => {
    const b = buildFdt(sample());
    expect(() => parseFdt(b.subarray(0, 20))).toThrow(/truncated header/);
    expect(() => parseFdt(b.subarray(0, b.length - 4))).toThrow(/totalsize/);
  });

  it('rejects block offsets outside the blob', () => {
    const b = buildFdt(sample());
    setU32(b, FDT_HDR.off_dt_strings, b.length - 2);
    expect(() => parseFdt(b)).toThrow(/strings block/);
    const c = buildFdt(sample());
    setU32(c, FDT_HDR.size_dt_struct, c.length);
    expect(() => parseFdt(c)).toThrow(/structure block/);
  });

  it('rejects a bad token and a bad name offset', () => {
    const b = buildFdt(sample());
    const s = u32(b, FDT_HDR.off_dt_struct);
    setU32(b, s, 0x7);
    expect(() => parseFdt(b)).toThrow(/bad token 0x7/);
    const c = buildFdt(node('', [['a', propU32(1)]]));
    const cs = u32(c, FDT_HDR.off_dt_struct);
    // BEGIN_NODE "" (4+4 bytes), then PROP len nameoff.
    setU32(c, cs + 16, 0x1000);
    expect(() => parseFdt(c)).toThrow(/name offset/);
  });

  it('rejects an unterminated structure block', () => {
    const b = buildFdt(node('', [], [node('a')]));
    const s = u32(b, FDT_HDR.off_dt_struct);
    // Cut the struct size so the last END_NODE/END tokens are missing.
    setU32(b, FDT_HDR.size_dt_struct, u32(b, FDT_HDR.size_dt_struct) - 8);
    expect(() => parseFdt(b)).toThrow(/truncated/);
    expect(s).toBeGreaterThan(0);
  });

  it('rejects node names the format cannot carry', () => {
    expect(() => buildFdt(node('', [], [node('a/b')]))).toThrow(/bad node name/);
  });
});
