// logring.ts — the log ring: one shared page (manifest `shared` "logring") that init writes whole
// log lines into and the console service drains onto the terminal (docs/SERVICES.md "Log lines").
// It plays the part of Linux's printk buffer: the writer never waits for the reader, a line that
// does not fit is dropped whole (and counted), and the reader only ever sees complete lines, so a
// log line can go out between two lines of another program's output, never inside one.
//
// One writer, one reader: each side writes only its own counter, and the writer stores a line's
// bytes before it moves `head`, so a reader preempted anywhere (or preempting) sees whole lines.
//
// Layout of the page:
//   0x00 head    u32  bytes ever written (init)
//   0x04 tail    u32  bytes ever taken (the console)
//   0x08 dropped u32  lines that did not fit (init)
//   0x10 data    LOG_RING_BYTES bytes, a byte ring indexed by counter % LOG_RING_BYTES

const HEAD: usize = 0x00, TAIL: usize = 0x04, DROPPED: usize = 0x08, DATA: usize = 0x10;
/** Bytes of line text the ring holds. */
export const LOG_RING_BYTES: u32 = 4096 - <u32>DATA;
/** The notification bit init signals on the console's bound notification after putting a line. */
export const LOG_SIGNAL: u64 = <u64>1 << 61;

/** Bytes written and not yet taken. */
function used(ring: usize): u32 { return load<u32>(ring + HEAD) - load<u32>(ring + TAIL); }

/** Writer: appends the line p[0..n) (which ends with \n) whole, or counts it dropped and returns false. */
export function logRingPut(ring: usize, p: usize, n: u32): bool {
  if (n == 0 || n > LOG_RING_BYTES - used(ring)) {
    store<u32>(ring + DROPPED, load<u32>(ring + DROPPED) + 1);
    return false;
  }
  const head = load<u32>(ring + HEAD);
  for (let i: u32 = 0; i < n; i++) store<u8>(ring + DATA + <usize>((head + i) % LOG_RING_BYTES), load<u8>(p + i));
  store<u32>(ring + HEAD, head + n); // last: the line is complete before the reader can see it
  return true;
}

/** Reader: copies the next line (with its \n) to out, at most max bytes; returns its length, 0 when the ring is empty. */
export function logRingTake(ring: usize, out: usize, max: u32): u32 {
  const avail = used(ring);
  if (avail == 0 || max == 0) return 0;
  const tail = load<u32>(ring + TAIL);
  let n: u32 = 0;
  while (n < avail && n < max) {
    const c = load<u8>(ring + DATA + <usize>((tail + n) % LOG_RING_BYTES));
    store<u8>(out + n, c);
    n++;
    if (c == 0x0a) break;
  }
  store<u32>(ring + TAIL, tail + n);
  return n;
}

/** Lines the writer has dropped so far. */
export function logRingDropped(ring: usize): u32 { return load<u32>(ring + DROPPED); }
