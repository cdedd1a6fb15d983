// msg.ts — the typed-message buffer every generated stub (services/gen/*.ts) encodes into and
// decodes from, and what ipc.ts carries through the kernel. Pure AssemblyScript: no syscalls, so
// it compiles natively for unit tests.
//
// Wire format (docs/SERVICES.md "Messages"): a message is a label and up to 64 u64 words.
//   request label = protocol id << 8 | op id        reply label = 0 (ok) or an error code
//   u32 / i32 / u64 / bool   one word each (u32 must fit in 32 bits, i32 sign-extended, bool 0|1)
//   string / bytes           one length word, then the bytes packed little-endian into
//                            ceil(len / 8) words (unused tail bytes are zero)
//   cap                      no word: an extra capability (IPC buffer caps[]), in argument order
// Decoding never trusts the sender: a get past the end, a value out of its type's range or a
// length beyond the declared maximum marks the message bad, and `done()` also demands that every
// word was consumed, so a message that does not match its protocol is refused, not misread.
//
// ```
// Msg.buf: ┌ word 0 ┬ word 1 ┬ … ┬ word 63 ┐  512 bytes, little-endian
// ```

import { MSG_MAX_WORDS } from "./abi";

const MSG_WORDS: i32 = MSG_MAX_WORDS;
const MSG_BYTES: i32 = MSG_MAX_WORDS * 8;

/** Handlers return this instead of an error code to leave the caller waiting (deferred reply). */
export const DEFER: u32 = 0xffff_ffff;

/** A typed message: a label, up to 64 words, up to 3 capabilities; put* to build, get* to decode. */
// @ts-ignore: decorator
@final export class Msg {
  /** Request: protocol << 8 | op. Reply: 0 or an error code. */
  label: u64 = 0;
  /** Words in use. */
  len: i32 = 0;
  /** Badge of the sender's capability (set by the receive path). */
  badge: u64 = 0;
  /** Extra capabilities: CPtrs to send, or (after a receive) how many arrived. */
  ncaps: i32 = 0;
  caps: StaticArray<u64> = new StaticArray<u64>(3);
  /** CPtr of the empty slot a received capability goes to (0 = accept none). */
  recvSlot: u64 = 0;
  /** Read cursor (words) and the sticky decode error. */
  rd: i32 = 0;
  bad: bool = false;
  /** Length of the last getBytes. */
  lastLen: i32 = 0;
  /** The message bytes; `buf` points into it (the field keeps it alive for the collector). */
  private readonly bytes: ArrayBuffer = new ArrayBuffer(MSG_BYTES);
  readonly buf: usize;

  constructor() {
    this.buf = changetype<usize>(this.bytes);
  }

  // ---- building ------------------------------------------------------------------------------

  /** Empties the message and gives it a label (request: protocol << 8 | op; reply: 0 or an error). */
  reset(label: u64): void {
    this.label = label;
    this.len = 0;
    this.ncaps = 0;
    this.rd = 0;
    this.capIndex = 0;
    this.bad = false;
  }

  /** Word i (no bounds check). */
  @inline word(i: i32): u64 { return load<u64>(this.buf + (<usize>i << 3)); }
  /** Sets word i (no bounds check; `len` is not changed). */
  @inline setWord(i: i32, v: u64): void { store<u64>(this.buf + (<usize>i << 3), v); }

  /** Appends a u64 word (marks the message bad when full). */
  putU64(v: u64): void {
    if (this.len >= MSG_WORDS) { this.bad = true; return; }
    this.setWord(this.len++, v);
  }
  /** Appends a u32 as one word. */
  putU32(v: u32): void { this.putU64(<u64>v); }
  /** Appends an i32 as one sign-extended word. */
  putI32(v: i32): void { this.putU64(<u64><i64>v); }
  /** Appends a bool as one word (0 or 1). */
  putBool(v: bool): void { this.putU64(v ? 1 : 0); }

  /** Appends len bytes from ptr; false (and nothing written) when over max or the message. */
  putBytes(ptr: usize, len: i32, max: i32): bool {
    const words = (len + 7) >> 3;
    if (len < 0 || len > max || this.len + 1 + words > MSG_WORDS) { this.bad = true; return false; }
    this.setWord(this.len, <u64>len);
    const dst = this.buf + (<usize>(this.len + 1) << 3);
    if (words > 0) store<u64>(dst + (<usize>(words - 1) << 3), 0); // zero the tail
    memory.copy(dst, ptr, <usize>len);
    this.len += 1 + words;
    return true;
  }

  /** Appends a string as UTF-8. */
  putStr(s: string, max: i32): bool {
    const n = String.UTF8.byteLength(s);
    const words = (n + 7) >> 3;
    if (n > max || this.len + 1 + words > MSG_WORDS) { this.bad = true; return false; }
    this.setWord(this.len, <u64>n);
    const dst = this.buf + (<usize>(this.len + 1) << 3);
    if (words > 0) store<u64>(dst + (<usize>(words - 1) << 3), 0);
    String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, dst);
    this.len += 1 + words;
    return true;
  }

  /** Attaches a capability (a CPtr of this thread) to the message; at most 3. */
  putCap(cptr: u64): void {
    if (this.ncaps >= 3) { this.bad = true; return; }
    unchecked(this.caps[this.ncaps++] = cptr);
  }

  // ---- decoding ------------------------------------------------------------------------------

  /** Starts decoding this message from word 0. */
  begin(): void { this.rd = 0; this.capIndex = 0; this.bad = false; }

  /** Next word; marks the message bad past its end. */
  getU64(): u64 {
    if (this.rd >= this.len) { this.bad = true; return 0; }
    return this.word(this.rd++);
  }
  /** Next word as a u32; marks the message bad when it does not fit. */
  getU32(): u32 {
    const v = this.getU64();
    if (v > 0xffff_ffff) { this.bad = true; return 0; }
    return <u32>v;
  }
  /** Next word as an i32; marks the message bad when it does not fit. */
  getI32(): i32 {
    const v = <i64>this.getU64();
    if (v < <i64>i32.MIN_VALUE || v > <i64>i32.MAX_VALUE) { this.bad = true; return 0; }
    return <i32>v;
  }
  /** Next word as a bool; marks the message bad unless it is 0 or 1. */
  getBool(): bool {
    const v = this.getU64();
    if (v > 1) { this.bad = true; return false; }
    return v == 1;
  }
  /** Returns a pointer to the bytes inside the buffer (valid until the message is reused); the length is in lastLen. */
  getBytes(max: i32): usize {
    const n = this.getU64();
    const words = <i32>((n + 7) >> 3);
    if (n > <u64>max || this.rd + words > this.len) { this.bad = true; this.lastLen = 0; return this.buf; }
    const p = this.buf + (<usize>this.rd << 3);
    this.rd += words;
    this.lastLen = <i32>n;
    return p;
  }
  /** Next string field (at most `max` bytes of UTF-8). */
  getStr(max: i32): string {
    const p = this.getBytes(max);
    if (this.bad) return "";
    return String.UTF8.decodeUnsafe(p, <usize>this.lastLen);
  }
  /** Capabilities decoded so far. */
  capIndex: i32 = 0;
  /** Next received capability (its slot is `recvSlot`); marks the message bad when none is left. */
  getCap(): u64 {
    if (this.capIndex >= this.ncaps) { this.bad = true; return 0; }
    this.capIndex++;
    return this.recvSlot;
  }

  /** True when decoding consumed exactly every word and nothing was out of range. */
  done(): bool { return !this.bad && this.rd == this.len; }

  /** Turns this message into an error reply. */
  error(code: u32): void { this.reset(<u64>code); }
}

let client: Msg | null = null;
/** The message the client stubs use: one per program, made on first use (the stubs are not reentrant). */
export function clientMsg(): Msg {
  let m = client;
  if (m == null) { m = new Msg(); client = m; }
  return m;
}
