// ldisc.ts — the console's line discipline (COOKED mode), one per client: echo, in-line editing
// (Backspace, Ctrl-U kill line, Ctrl-A / Ctrl-E, ← →), history (↑ ↓), Ctrl-C (interrupt) and
// Ctrl-D (end of input on an empty line). Pure AssemblyScript: bytes in, echo bytes and completed
// lines out, so tests/services/ldisc.test.ts runs it natively.
//
// Terminal output uses ANSI/VT100 sequences: ESC [ n D (cursor left), ESC [ K (erase to end of line).
//
// A line holds up to LINE_MAX - 1 bytes (then the bell rings and input is refused, visibly). A
// completed line is handed out in pieces of at most a message's worth (take()): the console's
// read returns one piece per call, and only the last one ends with \n.

export const LINE_MAX: i32 = 4097;
/** Echo bytes one feed() can produce: a redraw of the whole line plus escape sequences. */
const OUT_MAX: i32 = 2 * LINE_MAX + 64;
export const HISTORY_MAX: i32 = 32;

/** feed() results. */
export const LD_NONE: i32 = 0;
export const LD_LINE: i32 = 1; // a line is ready: take()
export const LD_INTR: i32 = 2; // Ctrl-C: the line was discarded
export const LD_EOF: i32 = 3; // Ctrl-D on an empty line

const ESC: u8 = 0x1b;

export class LineDisc {
  /** The line being edited and the cursor in it. */
  // raw buffers owned by managed fields (kept alive by the collector with the LineDisc)
  private bufs: StaticArray<u8> = new StaticArray<u8>(LINE_MAX + OUT_MAX + LINE_MAX + 1);
  buf: usize = changetype<usize>(this.bufs);
  len: i32 = 0;
  cur: i32 = 0;
  /** Echo produced by the last feed()s; the console transmits and then clears it (outLen = 0). */
  out: usize = changetype<usize>(this.bufs) + LINE_MAX;
  outLen: i32 = 0;
  /** The completed line (with its final \n) after LD_LINE; take() hands it out from doneOff. */
  done: usize = changetype<usize>(this.bufs) + LINE_MAX + OUT_MAX;
  doneLen: i32 = 0;
  doneOff: i32 = 0;
  history: Array<string> = new Array<string>();
  /** Index into history while browsing (history.length = the line being typed). */
  hpos: i32 = 0;
  saved: string = "";
  esc: i32 = 0; // 0 normal, 1 after ESC, 2 after ESC [
  lastCr: bool = false;
  echo: bool = true;

  private emit(c: u8): void { if (this.outLen < OUT_MAX) store<u8>(this.out + this.outLen++, c); }

  /** True while part of the completed line has not been taken. */
  pending(): bool { return this.doneOff < this.doneLen; }

  /** The next piece of the completed line, at most max bytes: its length; it starts at tookAt. */
  tookAt: usize = 0;
  take(max: i32): i32 {
    const n = min(this.doneLen - this.doneOff, max);
    this.tookAt = this.done + this.doneOff;
    this.doneOff += n;
    return n;
  }
  private emitStr(s: string): void { for (let i = 0; i < s.length; i++) this.emit(<u8>s.charCodeAt(i)); }
  private left(n: i32): void {
    if (n <= 0) return;
    this.emit(ESC); this.emit(0x5b); this.emitStr(n.toString()); this.emit(0x44);
  }
  private eraseEol(): void { this.emit(ESC); this.emit(0x5b); this.emit(0x4b); }
  /** Re-prints from the cursor to the end, erases the rest, and moves back to the cursor. */
  private redrawTail(): void {
    for (let i = this.cur; i < this.len; i++) this.emit(load<u8>(this.buf + i));
    this.eraseEol();
    this.left(this.len - this.cur);
  }

  private setLine(s: string): void {
    // erase what is shown, then show s
    this.left(this.cur);
    this.eraseEol();
    const n = min(String.UTF8.byteLength(s), LINE_MAX);
    const tmp = String.UTF8.encode(s);
    memory.copy(this.buf, changetype<usize>(tmp), n);
    this.len = n;
    this.cur = n;
    for (let i = 0; i < n; i++) this.emit(load<u8>(this.buf + i));
  }

  private current(): string { return String.UTF8.decodeUnsafe(this.buf, this.len); }

  /** Feeds one input byte. */
  feed(c: u8): i32 {
    const wasCr = this.lastCr;
    this.lastCr = false;
    if (this.esc == 1) { this.esc = c == 0x5b || c == 0x4f ? 2 : 0; return LD_NONE; }
    if (this.esc == 2) {
      if (c >= 0x30 && c <= 0x3f) return LD_NONE; // parameters: ignore
      this.esc = 0;
      if (c == 0x41) this.histMove(-1); // ↑
      else if (c == 0x42) this.histMove(1); // ↓
      else if (c == 0x43) { if (this.cur < this.len) { this.emit(load<u8>(this.buf + this.cur)); this.cur++; } } // →
      else if (c == 0x44) { if (this.cur > 0) { this.cur--; this.left(1); } } // ←
      else if (c == 0x48) { this.left(this.cur); this.cur = 0; } // Home
      else if (c == 0x46) { for (let i = this.cur; i < this.len; i++) this.emit(load<u8>(this.buf + i)); this.cur = this.len; } // End
      return LD_NONE;
    }
    switch (c) {
      case ESC: this.esc = 1; return LD_NONE;
      case 0x0d: // CR
      case 0x0a: { // LF
        if (c == 0x0a && wasCr) return LD_NONE; // CR LF = one Enter
        this.lastCr = c == 0x0d;
        this.emit(0x0d); this.emit(0x0a);
        memory.copy(this.done, this.buf, this.len);
        store<u8>(this.done + this.len, 0x0a);
        this.doneLen = this.len + 1;
        this.doneOff = 0;
        if (this.len > 0) {
          const s = this.current();
          const h = this.history;
          if (h.length == 0 || h[h.length - 1] != s) {
            if (h.length >= HISTORY_MAX) h.shift();
            h.push(s);
          }
        }
        this.len = 0; this.cur = 0; this.hpos = this.history.length;
        return LD_LINE;
      }
      case 0x03: // Ctrl-C
        this.emitStr("^C\r\n");
        this.len = 0; this.cur = 0; this.hpos = this.history.length;
        return LD_INTR;
      case 0x04: // Ctrl-D
        if (this.len == 0) return LD_EOF;
        return LD_NONE;
      case 0x15: // Ctrl-U: kill the line
        this.left(this.cur);
        this.eraseEol();
        this.len = 0; this.cur = 0;
        return LD_NONE;
      case 0x01: this.left(this.cur); this.cur = 0; return LD_NONE; // Ctrl-A
      case 0x05: for (let i = this.cur; i < this.len; i++) this.emit(load<u8>(this.buf + i)); this.cur = this.len; return LD_NONE; // Ctrl-E
      case 0x08: // Backspace
      case 0x7f: {
        if (this.cur == 0) return LD_NONE;
        memory.copy(this.buf + this.cur - 1, this.buf + this.cur, this.len - this.cur);
        this.cur--; this.len--;
        this.left(1);
        this.redrawTail();
        return LD_NONE;
      }
    }
    if (c < 0x20) return LD_NONE; // other control characters are ignored
    if (this.len >= LINE_MAX - 1) { this.emit(0x07); return LD_NONE; } // bell: full
    memory.copy(this.buf + this.cur + 1, this.buf + this.cur, this.len - this.cur);
    store<u8>(this.buf + this.cur, c);
    this.len++;
    this.emit(c);
    this.cur++;
    if (this.cur < this.len) this.redrawTail();
    return LD_NONE;
  }

  private histMove(d: i32): void {
    const h = this.history;
    const np = this.hpos + d;
    if (np < 0 || np > h.length) return;
    if (this.hpos == h.length) this.saved = this.current();
    this.hpos = np;
    this.setLine(np == h.length ? this.saved : h[np]);
  }
}
