// Flattened devicetree (DTB) writer and reader, following the Devicetree Specification v0.4,
// chapter 5 "Flattened Devicetree (DTB) Format": a 40-byte big-endian header (magic 0xd00dfeed,
// version 17, last_comp_version 16), the memory-reservation block (pairs of u64, terminated by
// 0/0), the structure block (FDT_BEGIN_NODE / FDT_END_NODE / FDT_PROP / FDT_NOP / FDT_END tokens,
// 4-byte aligned) and the strings block (property names, NUL-terminated, each stored once).
// The machine hands this blob to the kernel in x0 (DESIGN D6); the kernel parses it itself.

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
export const FDT_BEGIN_NODE = 0x1;
export const FDT_END_NODE = 0x2;
export const FDT_PROP = 0x3;
export const FDT_NOP = 0x4;
export const FDT_END = 0x9;

/** Header field offsets (spec §5.2). */
export const FDT_HDR = {
  magic: 0x00,
  totalsize: 0x04,
  off_dt_struct: 0x08,
  off_dt_strings: 0x0c,
  off_mem_rsvmap: 0x10,
  version: 0x14,
  last_comp_version: 0x18,
  boot_cpuid_phys: 0x1c,
  size_dt_strings: 0x20,
  size_dt_struct: 0x24,
} as const;
export const FDT_HEADER_SIZE = 0x28;

export interface FdtNode {
  /** Node name with unit address ("serial@235200000"); "" for the root. */
  name: string;
  props: Map<string, Uint8Array>;
  children: FdtNode[];
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const align4 = (n: number) => (n + 3) & ~3;

// ---- property value helpers ------------------------------------------------------------------

/** Big-endian 32-bit cells. */
export function propU32(...cells: number[]): Uint8Array {
  const out = new Uint8Array(cells.length * 4);
  const dv = new DataView(out.buffer);
  cells.forEach((c, i) => dv.setUint32(i * 4, c >>> 0));
  return out;
}

/** Big-endian 64-bit values (two cells each). */
export function propU64(...values: Array<number | bigint>): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(v))));
  return out;
}

/** A NUL-terminated string. */
export function propStr(s: string): Uint8Array {
  return propStrList(s);
}

/** A list of NUL-terminated strings ("compatible"). */
export function propStrList(...s: string[]): Uint8Array {
  const parts = s.map((x) => enc.encode(x + '\0'));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** An empty (boolean) property. */
export function propEmpty(): Uint8Array {
  return new Uint8Array(0);
}

/** A node (convenience for building trees). */
export function node(name: string, props: Array<[string, Uint8Array]> = [], children: FdtNode[] = []): FdtNode {
  return { name, props: new Map(props), children };
}

// ---- property value readers ------------------------------------------------------------------

/** All 32-bit cells of a property, or undefined when absent or not a multiple of 4 bytes. */
export function getU32Array(n: FdtNode, name: string): number[] | undefined {
  const v = n.props.get(name);
  if (!v || v.length % 4 !== 0) return undefined;
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 4) out.push(dv.getUint32(i));
  return out;
}

/** The first cell of a property. */
export function getU32(n: FdtNode, name: string): number | undefined {
  const a = getU32Array(n, name);
  return a && a.length > 0 ? a[0] : undefined;
}

/** The first 64-bit value (two cells) of a property, or its one cell when it is 4 bytes long. */
export function getU64(n: FdtNode, name: string): bigint | undefined {
  const v = n.props.get(name);
  if (!v) return undefined;
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  if (v.length >= 8) return dv.getBigUint64(0);
  if (v.length === 4) return BigInt(dv.getUint32(0));
  return undefined;
}

/** All strings of a string-list property. */
export function getStrList(n: FdtNode, name: string): string[] | undefined {
  const v = n.props.get(name);
  if (!v || v.length === 0 || v[v.length - 1] !== 0) return undefined;
  return dec.decode(v.subarray(0, v.length - 1)).split('\0');
}

/** The first string of a property. */
export function getStr(n: FdtNode, name: string): string | undefined {
  return getStrList(n, name)?.[0];
}

/**
 * Look a node up by absolute path ("/soc/serial@235200000"). A component without a unit
 * address also matches a child whose name before '@' equals it ("/soc/serial").
 */
export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  let cur: FdtNode | undefined = root;
  for (const comp of path.split('/').filter((c) => c.length > 0)) {
    const kids: FdtNode[] = cur.children;
    cur = kids.find((c) => c.name === comp) ?? (comp.includes('@') ? undefined : kids.find((c) => c.name.split('@')[0] === comp));
    if (!cur) return undefined;
  }
  return cur;
}

// ---- writer ----------------------------------------------------------------------------------

/** Serialise a tree into a DTB blob (version 17). memreserve: [address, size] pairs. */
export function buildFdt(root: FdtNode, memreserve: Array<[number, number]> = [], bootCpu = 0): Uint8Array {
  // Strings block with de-duplication: each property name is stored once.
  const strOff = new Map<string, number>();
  const strBytes: number[] = [];
  const nameOff = (s: string): number => {
    let o = strOff.get(s);
    if (o === undefined) {
      o = strBytes.length;
      strOff.set(s, o);
      for (const b of enc.encode(s)) strBytes.push(b);
      strBytes.push(0);
    }
    return o;
  };

  // Structure block: sized first, then written.
  const words: Array<number | Uint8Array> = []; // u32 tokens or raw byte runs (padded to 4)
  const walk = (n: FdtNode, isRoot: boolean): void => {
    if (!isRoot && (n.name.length === 0 || n.name.includes('/') || n.name.includes('\0')))
      throw new Error(`buildFdt: bad node name "${n.name}"`);
    words.push(FDT_BEGIN_NODE, enc.encode(n.name + '\0'));
    for (const [k, v] of n.props) {
      words.push(FDT_PROP, v.length, nameOff(k));
      if (v.length > 0) words.push(v);
    }
    for (const c of n.children) walk(c, false);
    words.push(FDT_END_NODE);
  };
  walk(root, true);
  words.push(FDT_END);
  const structSize = words.reduce<number>((n, w) => n + (typeof w === 'number' ? 4 : align4(w.length)), 0);

  const offRsv = FDT_HEADER_SIZE; // already 8-aligned
  const rsvSize = (memreserve.length + 1) * 16;
  const offStruct = offRsv + rsvSize;
  const offStrings = offStruct + structSize;
  const total = offStrings + strBytes.length;

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(FDT_HDR.magic, FDT_MAGIC);
  dv.setUint32(FDT_HDR.totalsize, total);
  dv.setUint32(FDT_HDR.off_dt_struct, offStruct);
  dv.setUint32(FDT_HDR.off_dt_strings, offStrings);
  dv.setUint32(FDT_HDR.off_mem_rsvmap, offRsv);
  dv.setUint32(FDT_HDR.version, FDT_VERSION);
  dv.setUint32(FDT_HDR.last_comp_version, FDT_LAST_COMP_VERSION);
  dv.setUint32(FDT_HDR.boot_cpuid_phys, bootCpu >>> 0);
  dv.setUint32(FDT_HDR.size_dt_strings, strBytes.length);
  dv.setUint32(FDT_HDR.size_dt_struct, structSize);

  memreserve.forEach(([addr, size], i) => {
    dv.setBigUint64(offRsv + i * 16, BigInt(addr));
    dv.setBigUint64(offRsv + i * 16 + 8, BigInt(size));
  });

  let o = offStruct;
  for (const w of words) {
    if (typeof w === 'number') {
      dv.setUint32(o, w);
      o += 4;
    } else {
      out.set(w, o);
      o += align4(w.length);
    }
  }
  out.set(strBytes, offStrings);
  return out;
}

function fail(msg: string): never {
  throw new Error(`parseFdt: ${msg}`);
}

// ---- reader ----------------------------------------------------------------------------------

export interface ParsedFdt {
  root: FdtNode;
  memreserve: Array<[number, number]>;
  bootCpu: number;
}

/** Parse a DTB blob, throwing an Error that says what is wrong with a malformed one. */
export function parseFdt(bytes: Uint8Array): ParsedFdt {
  if (bytes.length < FDT_HEADER_SIZE) fail(`truncated header (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = (f: keyof typeof FDT_HDR) => dv.getUint32(FDT_HDR[f]);
  if (h('magic') !== FDT_MAGIC) fail(`bad magic 0x${h('magic').toString(16)}`);
  const total = h('totalsize');
  if (total < FDT_HEADER_SIZE || total > bytes.length) fail(`totalsize ${total} outside the ${bytes.length}-byte blob`);
  if (h('version') < FDT_LAST_COMP_VERSION || h('last_comp_version') > FDT_VERSION)
    fail(`unsupported version ${h('version')} (last compatible ${h('last_comp_version')})`);
  const offStruct = h('off_dt_struct');
  const sizeStruct = h('size_dt_struct');
  const offStrings = h('off_dt_strings');
  const sizeStrings = h('size_dt_strings');
  const offRsv = h('off_mem_rsvmap');
  if (offStruct % 4 !== 0 || offStruct + sizeStruct > total || offStruct < FDT_HEADER_SIZE)
    fail('structure block outside the blob');
  if (offStrings + sizeStrings > total || offStrings < FDT_HEADER_SIZE) fail('strings block outside the blob');
  if (offRsv % 8 !== 0 || offRsv < FDT_HEADER_SIZE || offRsv >= total) fail('memory reservation block outside the blob');

  const memreserve: Array<[number, number]> = [];
  for (let o = offRsv; ; o += 16) {
    if (o + 16 > total) fail('memory reservation block not terminated');
    const a = dv.getBigUint64(o);
    const s = dv.getBigUint64(o + 8);
    if (a === 0n && s === 0n) break;
    if (a > BigInt(Number.MAX_SAFE_INTEGER) || s > BigInt(Number.MAX_SAFE_INTEGER)) fail('reservation beyond 2^53');
    memreserve.push([Number(a), Number(s)]);
  }

  const cstr = (start: number, end: number, what: string): [string, number] => {
    let z = start;
    while (z < end && bytes[z] !== 0) z++;
    if (z >= end) fail(`unterminated ${what} at offset ${start}`);
    try {
      return [dec.decode(bytes.subarray(start, z)), z + 1];
    } catch {
      return fail(`${what} at offset ${start} is not UTF-8`);
    }
  };

  const end = offStruct + sizeStruct;
  let p = offStruct;
  const token = (): number => {
    if (p + 4 > end) fail('structure block truncated');
    const t = dv.getUint32(p);
    p += 4;
    return t;
  };

  let root: FdtNode | undefined;
  const stack: FdtNode[] = [];
  for (;;) {
    const at = p;
    const t = token();
    if (t === FDT_NOP) continue;
    if (t === FDT_BEGIN_NODE) {
      const [name, next] = cstr(p, end, 'node name');
      p = align4(next - offStruct) + offStruct;
      const n: FdtNode = { name, props: new Map(), children: [] };
      if (stack.length === 0) {
        if (root) fail('more than one root node');
        if (name !== '') fail(`root node has a name "${name}"`);
        root = n;
      } else {
        stack[stack.length - 1].children.push(n);
      }
      stack.push(n);
    } else if (t === FDT_END_NODE) {
      if (stack.length === 0) fail(`FDT_END_NODE without a node at offset ${at}`);
      stack.pop();
    } else if (t === FDT_PROP) {
      const len = token();
      const nameoff = token();
      const cur = stack[stack.length - 1];
      if (!cur) fail(`property outside a node at offset ${at}`);
      if (cur.children.length > 0) fail(`property after a subnode at offset ${at}`);
      if (nameoff >= sizeStrings) fail(`property name offset ${nameoff} outside the strings block`);
      const [name] = cstr(offStrings + nameoff, offStrings + sizeStrings, 'property name');
      if (p + len > end) fail(`property "${name}" value runs past the structure block`);
      if (cur.props.has(name)) fail(`duplicate property "${name}"`);
      cur.props.set(name, bytes.slice(p, p + len));
      p += align4(len);
    } else if (t === FDT_END) {
      if (stack.length !== 0) fail('FDT_END inside an open node');
      if (!root) fail('no root node');
      break;
    } else {
      fail(`bad token 0x${t.toString(16)} at offset ${at}`);
    }
  }
  return { root: root!, memreserve, bootCpu: h('boot_cpuid_phys') };
}
