// A pcap capture file (the classic libpcap format read by tcpdump and Wireshark): a 24-byte global
// header — magic 0xa1b2c3d4 (microsecond timestamps), version 2.4, thiszone 0, sigfigs 0, snaplen,
// linktype 1 (LINKTYPE_ETHERNET) — then per frame a 16-byte record header (ts_sec, ts_usec,
// incl_len, orig_len) and the frame bytes, all little-endian. Timestamps are virtual time: counter
// ticks at CNTFRQ, so a capture of a deterministic run is itself byte-for-byte deterministic.

import { CNTFRQ } from './memmap';

export const PCAP_MAGIC = 0xa1b2c3d4;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_SNAPLEN = 65535;

export class PcapWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;
  /** Frames in the file. */
  frames = 0;
  /** Frames seen but left out: the file had reached `maxBytes`. */
  leftOut = 0;

  /** `maxBytes`: the file's size limit (the page keeps its capture in memory for as long as it runs). */
  constructor(private readonly maxBytes = Infinity) {
    const h = new DataView(new ArrayBuffer(24));
    h.setUint32(0, PCAP_MAGIC, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    h.setInt32(8, 0, true);
    h.setUint32(12, 0, true);
    h.setUint32(16, PCAP_SNAPLEN, true);
    h.setUint32(20, LINKTYPE_ETHERNET, true);
    this.push(new Uint8Array(h.buffer));
  }

  /** Adds one frame seen at virtual time `ticks`. */
  add(ticks: number, frame: Uint8Array): void {
    const sec = Math.floor(ticks / CNTFRQ);
    const usec = Math.floor(((ticks % CNTFRQ) * 1_000_000) / CNTFRQ);
    const incl = Math.min(frame.length, PCAP_SNAPLEN);
    if (this.length + 16 + incl > this.maxBytes) { this.leftOut++; return; }
    const r = new DataView(new ArrayBuffer(16));
    r.setUint32(0, sec, true);
    r.setUint32(4, usec, true);
    r.setUint32(8, incl, true);
    r.setUint32(12, frame.length, true);
    this.push(new Uint8Array(r.buffer));
    this.push(frame.slice(0, incl));
    this.frames++;
  }

  /** The whole file so far. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { out.set(c, at); at += c.length; }
    return out;
  }

  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
}

export interface PcapRecord { ticksUs: number; sec: number; usec: number; origLen: number; data: Uint8Array }

/** Parses a pcap file written as above (or any little-endian microsecond pcap); throws on a malformed file. */
export function parsePcap(file: Uint8Array): { linktype: number; snaplen: number; records: PcapRecord[] } {
  if (file.length < 24) throw new Error('pcap: shorter than its global header');
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (v.getUint32(0, true) !== PCAP_MAGIC) throw new Error('pcap: bad magic');
  if (v.getUint16(4, true) !== 2 || v.getUint16(6, true) !== 4) throw new Error('pcap: not version 2.4');
  const snaplen = v.getUint32(16, true);
  const linktype = v.getUint32(20, true);
  const records: PcapRecord[] = [];
  let at = 24;
  while (at < file.length) {
    if (at + 16 > file.length) throw new Error('pcap: truncated record header');
    const sec = v.getUint32(at, true), usec = v.getUint32(at + 4, true);
    const incl = v.getUint32(at + 8, true), orig = v.getUint32(at + 12, true);
    if (usec >= 1_000_000 || incl > snaplen || incl > orig || at + 16 + incl > file.length) throw new Error(`pcap: bad record at byte ${at}`);
    records.push({ ticksUs: sec * 1_000_000 + usec, sec, usec, origLen: orig, data: file.slice(at + 16, at + 16 + incl) });
    at += 16 + incl;
  }
  return { linktype, snaplen, records };
}
