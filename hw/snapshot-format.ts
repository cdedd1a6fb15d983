// The state file and the state hash (issue 15; docs/TIMETRAVEL.md "State file").
//
// A MachineState (hw/snapshot.ts) is encoded as a *payload*:
//
//   u32 LE  length of the descriptor
//   ...     descriptor: UTF-8 JSON {format, buildId, ramSize, diskSectors, devices, blockFills, blobs}
//   ...     blobs, each named in `blobs` as [offset, length] relative to the end of the descriptor:
//           ramMap (1 bit per RAM page, set = stored), ram (the stored pages in order),
//           diskMap / disk (the same for 4 KiB disk chunks), traceMap / trace (the same for
//           the trace ring's slot arrays), el0 (256 bytes),
//           tlbTag / tlbAsid / tlbPa / tlbPerm / tlbBlk (the MMU's TLB arrays, little-endian)
//
// The **state hash** is MurmurHash3-128 of the payload: RAM, registers, devices, virtual time.
// A **state file** is a 64-byte header followed by the payload compressed with zlib's deflate
// (CompressionStream 'deflate', in Node and in browsers alike, so no dependency is needed):
//
//   0  8   magic "MLKSTATE"
//   8  4   format version (u32 LE), STATE_FORMAT
//   12 4   payload length (u32 LE)
//   16 32  build id (hex; the hash of the kernel and boot images)
//   48 16  state hash of the payload (binary)
//
// Loading checks, in order: size, magic, version, build id, inflation (deflate's own Adler-32),
// payload length, hash, then every field of the payload: all before the machine is touched.

import { murmur128 } from './hash';
import { DISK_CHUNK, PAGE_SIZE, captureState, type MachineState } from './snapshot';
import type { Machine } from './machine';

export const STATE_MAGIC = 'MLKSTATE';
export const STATE_FORMAT = 1;
const HEADER = 64;
/** Refuse payloads beyond this size before inflating (a 1 GiB machine with every page used). */
const MAX_PAYLOAD = 1.5 * 2 ** 30;

/** A state file that cannot be loaded; the message says why. */
export class StateFileError extends Error {
  constructor(message: string) { super(message); this.name = 'StateFileError'; }
}

/**
 * A framed file: 8-byte ASCII magic, u32 LE format version, u32 LE length H of a head, the head,
 * then the tail to the end. The time-travel recording and the page's state file wrap a machine
 * state file this way.
 */
export function encodeFramed(magic: string, version: number, head: Uint8Array, tail: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + head.length + tail.length);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(magic), 0);
  dv.setUint32(8, version, true);
  dv.setUint32(12, head.length, true);
  out.set(head, 16);
  out.set(tail, 16 + head.length);
  return out;
}

/** The head and tail of a framed file of this magic and version; throws StateFileError saying what is wrong. */
export function decodeFramed(file: Uint8Array, f: { magic: string; version: number; what: string; maxHead?: number }): { head: Uint8Array; tail: Uint8Array } {
  if (file.length < 16 || new TextDecoder().decode(file.subarray(0, 8)) !== f.magic) throw new StateFileError(`not a ${f.what}: bad magic (expected "${f.magic}")`);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== f.version) throw new StateFileError(`${f.what} format ${version} is not supported (this build reads format ${f.version})`);
  const len = dv.getUint32(12, true);
  if (len > (f.maxHead ?? Infinity) || 16 + len > file.length) throw new StateFileError(`corrupt or truncated ${f.what}: its head runs past the end`);
  return { head: file.slice(16, 16 + len), tail: file.slice(16 + len) };
}

type Blobs = Record<string, [number, number]>;

function bitmap(chunks: (Uint8Array | null)[]): Uint8Array {
  const map = new Uint8Array(Math.ceil(chunks.length / 8));
  chunks.forEach((c, i) => { if (c) map[i >> 3] |= 1 << (i & 7); });
  return map;
}

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The payload of a state (see the header comment); its hash is the state hash. */
export function encodePayload(s: MachineState): Uint8Array {
  const parts: Uint8Array[] = [];
  const blobs: Blobs = {};
  let off = 0;
  const add = (name: string, list: Uint8Array[]) => {
    const start = off;
    for (const b of list) { parts.push(b); off += b.length; }
    blobs[name] = [start, off - start];
  };
  add('ramMap', [bitmap(s.ram)]);
  add('ram', s.ram.filter((p): p is Uint8Array => p !== null));
  add('diskMap', [bitmap(s.disk)]);
  add('disk', s.disk.filter((c): c is Uint8Array => c !== null));
  add('traceMap', [bitmap(s.traceRing)]);
  add('trace', s.traceRing.filter((c): c is Uint8Array => c !== null));
  add('el0', [s.el0Regs]);
  add('tlbTag', [bytesOf(s.tlb.tag)]);
  add('tlbAsid', [bytesOf(s.tlb.asid)]);
  add('tlbPa', [bytesOf(s.tlb.pa)]);
  add('tlbPerm', [bytesOf(s.tlb.perm)]);
  add('tlbBlk', [bytesOf(s.tlb.blk)]);
  const desc = new TextEncoder().encode(JSON.stringify({
    format: STATE_FORMAT, buildId: s.buildId, ramSize: s.ramSize, diskSectors: s.diskSectors, traceChunks: s.traceRing.length,
    devices: s.devices, blockFills: s.tlb.blockFills, blobs,
  }));
  const out = new Uint8Array(4 + desc.length + off);
  new DataView(out.buffer).setUint32(0, desc.length, true);
  out.set(desc, 4);
  let p = 4 + desc.length;
  for (const b of parts) { out.set(b, p); p += b.length; }
  return out;
}

/** The state hash of a machine as it is now (32 hex digits). */
export function stateHash(m: Machine): string {
  return murmur128(encodePayload(captureState(m)));
}

/** Decodes a payload, checking every blob against the descriptor. Throws StateFileError. */
export function decodePayload(payload: Uint8Array): MachineState {
  const bad = (why: string): never => { throw new StateFileError(`corrupt state: ${why}`); };
  if (payload.length < 4) bad('no descriptor');
  const dlen = new DataView(payload.buffer, payload.byteOffset).getUint32(0, true);
  if (4 + dlen > payload.length) bad('descriptor beyond the end');
  let d: {
    format: number; buildId: string; ramSize: number; diskSectors: number; devices: MachineState['devices']; traceChunks: number;
    blockFills: number; blobs: Blobs;
  };
  try {
    d = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload.subarray(4, 4 + dlen)));
  } catch {
    return bad('descriptor is not JSON');
  }
  if (d?.format !== STATE_FORMAT) bad(`descriptor format ${d?.format}`);
  if (typeof d.buildId !== 'string' || !Number.isInteger(d.ramSize) || d.ramSize <= 0 || d.ramSize % PAGE_SIZE !== 0 ||
    !Number.isInteger(d.diskSectors) || d.diskSectors < 0 || typeof d.devices !== 'object' || d.devices === null ||
    !Number.isInteger(d.blockFills) || !Number.isInteger(d.traceChunks) || d.traceChunks < 0 || d.traceChunks > 1 << 20 || typeof d.blobs !== 'object' || d.blobs === null)
    bad('descriptor fields');
  const data = payload.subarray(4 + dlen);
  const blob = (name: string, want?: number): Uint8Array => {
    const b = d.blobs[name];
    if (!Array.isArray(b) || !Number.isInteger(b[0]) || !Number.isInteger(b[1]) || b[0] < 0 || b[1] < 0 || b[0] + b[1] > data.length) bad(`blob ${name}`);
    if (want !== undefined && b[1] !== want) bad(`blob ${name} has ${b[1]} bytes, not ${want}`);
    return data.slice(b[0], b[0] + b[1]);
  };
  const unchunk = (mapName: string, dataName: string, count: number, sizeOf: (i: number) => number): (Uint8Array | null)[] => {
    const map = blob(mapName, Math.ceil(count / 8));
    const bytes = blob(dataName);
    const out: (Uint8Array | null)[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (!(map[i >> 3] & (1 << (i & 7)))) { out.push(null); continue; }
      const n = sizeOf(i);
      if (p + n > bytes.length) bad(`${dataName} shorter than its map`);
      out.push(bytes.subarray(p, p + n));
      p += n;
    }
    if (p !== bytes.length) bad(`${dataName} longer than its map`);
    return out;
  };
  const diskBytes = d.diskSectors * 512;
  const unchunkTrace = () => {
    const map = blob('traceMap', Math.ceil(d.traceChunks / 8));
    const bytes = blob('trace');
    const stored: number[] = [];
    for (let i = 0; i < d.traceChunks; i++) if (map[i >> 3] & (1 << (i & 7))) stored.push(i);
    const last = d.traceChunks - 1;
    const tail = bytes.length - PAGE_SIZE * Math.max(0, stored.length - 1);
    return unchunk('traceMap', 'trace', d.traceChunks, (i) => (i === last && stored.includes(last) ? tail : PAGE_SIZE));
  };
  const tlbN = blob('tlbTag').length / 8;
  if (!Number.isInteger(tlbN)) bad('tlbTag');
  return {
    buildId: d.buildId,
    ramSize: d.ramSize,
    ram: unchunk('ramMap', 'ram', d.ramSize / PAGE_SIZE, () => PAGE_SIZE),
    diskSectors: d.diskSectors,
    disk: unchunk('diskMap', 'disk', Math.ceil(diskBytes / DISK_CHUNK), (i) => Math.min(DISK_CHUNK, diskBytes - i * DISK_CHUNK)),
    // the ring's last chunk may be short: its stored length comes from the blob itself
    traceRing: unchunkTrace(),
    el0Regs: blob('el0', 256),
    tlb: {
      tag: new Float64Array(blob('tlbTag', tlbN * 8).buffer),
      asid: new Int32Array(blob('tlbAsid', tlbN * 4).buffer),
      pa: new Float64Array(blob('tlbPa', tlbN * 8).buffer),
      perm: new Int32Array(blob('tlbPerm', tlbN * 4).buffer),
      blk: new Float64Array(blob('tlbBlk', tlbN * 8).buffer),
      blockFills: d.blockFills,
    },
    devices: d.devices,
  };
}

async function pipe(bytes: Uint8Array, stream: TransformStream<Uint8Array, Uint8Array>, limit: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter();
  const done = writer.write(bytes).then(() => writer.close());
  done.catch(() => { /* the reader reports the error */ });
  const reader = stream.readable.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    n += value.length;
    if (n > limit) { await reader.cancel(); throw new StateFileError('corrupt state: the payload inflates beyond its declared length'); }
    chunks.push(value);
  }
  await done;
  const out = new Uint8Array(n);
  let p = 0;
  for (const c of chunks) { out.set(c, p); p += c.length; }
  return out;
}

/** A state file for `s` (header + deflated payload). */
export async function encodeStateFile(s: MachineState): Promise<Uint8Array> {
  const payload = encodePayload(s);
  const hash = murmur128(payload);
  const packed = await pipe(payload, new CompressionStream('deflate') as unknown as TransformStream<Uint8Array, Uint8Array>, Infinity);
  const out = new Uint8Array(HEADER + packed.length);
  const dv = new DataView(out.buffer);
  out.set(new TextEncoder().encode(STATE_MAGIC), 0);
  dv.setUint32(8, STATE_FORMAT, true);
  dv.setUint32(12, payload.length, true);
  out.set(new TextEncoder().encode(s.buildId.padEnd(32, '0').slice(0, 32)), 16);
  for (let i = 0; i < 16; i++) out[48 + i] = parseInt(hash.slice(2 * i, 2 * i + 2), 16);
  out.set(packed, HEADER);
  return out;
}

export interface DecodedStateFile {
  state: MachineState;
  /** The state hash recorded in the file (checked against the payload). */
  hash: string;
}

/**
 * Reads a state file. With `buildId`, a file from another build is refused. Every refusal is a
 * StateFileError with a one-line reason.
 */
export async function decodeStateFile(file: Uint8Array, buildId?: string): Promise<DecodedStateFile> {
  if (file.length < HEADER) throw new StateFileError(`not a state file: ${file.length} bytes, shorter than the ${HEADER}-byte header`);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = new TextDecoder().decode(file.subarray(0, 8));
  if (magic !== STATE_MAGIC) throw new StateFileError('not a state file: bad magic (expected "MLKSTATE")');
  const version = dv.getUint32(8, true);
  if (version !== STATE_FORMAT) throw new StateFileError(`state file format ${version} is not supported (this build reads format ${STATE_FORMAT})`);
  const fileBuild = new TextDecoder().decode(file.subarray(16, 48));
  if (buildId !== undefined && fileBuild !== buildId)
    throw new StateFileError(`the state file comes from another build (build id ${fileBuild.slice(0, 12)}…, this build is ${buildId.slice(0, 12)}…)`);
  const length = dv.getUint32(12, true);
  if (length > MAX_PAYLOAD) throw new StateFileError(`corrupt state: payload length ${length} is implausible`);
  let hash = '';
  for (let i = 48; i < 64; i++) hash += file[i].toString(16).padStart(2, '0');
  let payload: Uint8Array;
  try {
    payload = await pipe(file.subarray(HEADER), new DecompressionStream('deflate') as unknown as TransformStream<Uint8Array, Uint8Array>, length);
  } catch (e) {
    if (e instanceof StateFileError) throw e;
    throw new StateFileError(`corrupt or truncated state file: the compressed payload does not inflate (${(e as Error).message})`);
  }
  if (payload.length !== length) throw new StateFileError(`corrupt or truncated state file: payload is ${payload.length} bytes, the header says ${length}`);
  if (murmur128(payload) !== hash) throw new StateFileError('corrupt state file: the payload does not match its hash');
  const state = decodePayload(payload);
  if (state.buildId !== fileBuild) throw new StateFileError('corrupt state file: header and payload disagree on the build');
  return { state, hash };
}
