// @ts-nocheck -- AssemblyScript source (compiled by asc, not tsc)
// A service's message-dispatch loop (services/vfs, services/fs): take a message (label, 4 words,
// a badge), check the protocol (label = protocol * 256 + op), decode the op, run its handler on
// per-client state (a file-descriptor table) and build the reply (label = error, 4 words).
// The messages come from a generator in memory instead of the kernel's Recv.
const PROTO_VFS: u32 = 7;
const OP_OPEN: u32 = 1, OP_READ: u32 = 2, OP_WRITE: u32 = 3, OP_CLOSE: u32 = 4, OP_STAT: u32 = 5, OP_SEEK: u32 = 6;
const E_OK: u32 = 0, E_BAD_MESSAGE: u32 = 33, E_BAD_FD: u32 = 34, E_NO_FDS: u32 = 35;
const CLIENTS: u32 = 8, FDS: u32 = 16;

@unmanaged class Msg { label: u32; badge: u32; w0: u64; w1: u64; w2: u64; w3: u64 }
@unmanaged class Fd { used: u32; ino: u32; pos: u64; size: u64 }

const msg = changetype<Msg>(memory.data(sizeof<Msg>()));
const reply = changetype<Msg>(memory.data(sizeof<Msg>()));
const fds = memory.data(<i32>(CLIENTS * FDS * offsetof<Fd>()));

@inline function fdOf(client: u32, fd: u64): Fd | null {
  if (fd >= <u64>FDS) return null;
  const f = changetype<Fd>(fds + <usize>((client * FDS + <u32>fd) * offsetof<Fd>()));
  return f.used ? f : null;
}

function open(client: u32, ino: u64, flags: u64): u32 {
  for (let i: u32 = 0; i < FDS; i++) {
    const f = changetype<Fd>(fds + <usize>((client * FDS + i) * offsetof<Fd>()));
    if (!f.used) { f.used = 1; f.ino = <u32>ino; f.pos = 0; f.size = (ino * 977) & 0xffff; reply.w0 = i; return E_OK; }
  }
  return E_NO_FDS;
}
function read(client: u32, fd: u64, len: u64): u32 {
  const f = fdOf(client, fd);
  if (f === null) return E_BAD_FD;
  const n = f.pos + len <= f.size ? len : f.size - f.pos;
  f.pos += n;
  reply.w0 = n; reply.w1 = <u64>f.ino * 31 + f.pos;
  return E_OK;
}
function write(client: u32, fd: u64, len: u64): u32 {
  const f = fdOf(client, fd);
  if (f === null) return E_BAD_FD;
  f.pos += len;
  if (f.pos > f.size) f.size = f.pos;
  reply.w0 = len;
  return E_OK;
}
function close(client: u32, fd: u64): u32 {
  const f = fdOf(client, fd);
  if (f === null) return E_BAD_FD;
  f.used = 0;
  return E_OK;
}
function stat(client: u32, fd: u64): u32 {
  const f = fdOf(client, fd);
  if (f === null) return E_BAD_FD;
  reply.w0 = f.ino; reply.w1 = f.size; reply.w2 = f.pos;
  return E_OK;
}
function seek(client: u32, fd: u64, pos: u64): u32 {
  const f = fdOf(client, fd);
  if (f === null) return E_BAD_FD;
  f.pos = pos < f.size ? pos : f.size;
  reply.w0 = f.pos;
  return E_OK;
}

/** One request: the dispatch every service's loop has. Returns the reply label. */
function dispatch(m: Msg): u32 {
  reply.w0 = 0; reply.w1 = 0; reply.w2 = 0; reply.w3 = 0;
  if (m.label >> 8 != PROTO_VFS || m.badge >= CLIENTS) return E_BAD_MESSAGE;
  const c = m.badge;
  switch (m.label & 0xff) {
    case OP_OPEN: return open(c, m.w0, m.w1);
    case OP_READ: return read(c, m.w0, m.w1);
    case OP_WRITE: return write(c, m.w0, m.w1);
    case OP_CLOSE: return close(c, m.w0);
    case OP_STAT: return stat(c, m.w0);
    case OP_SEEK: return seek(c, m.w0, m.w1);
  }
  return E_BAD_MESSAGE;
}

export function run(n: i32): i32 {
  memory.fill(fds, 0, <usize>(CLIENTS * FDS * offsetof<Fd>()));
  let seed: u32 = 99, h: u64 = 0;
  for (let k = 0; k < n; k++) {
    seed = seed * 1664525 + 1013904223;
    const r = seed >> 16;
    // a client's request: mostly reads and writes on its open files, some opens/closes, a bad one now and then
    const op = (r & 15) < 6 ? OP_READ : (r & 15) < 9 ? OP_WRITE : (r & 15) < 11 ? OP_OPEN : (r & 15) < 12 ? OP_CLOSE : (r & 15) < 14 ? OP_STAT : (r & 15) < 15 ? OP_SEEK : 99;
    msg.label = PROTO_VFS * 256 + op;
    msg.badge = (r >> 4) & 7;
    msg.w0 = op == OP_OPEN ? <u64>(r >> 7) : <u64>((r >> 7) & 15);
    msg.w1 = <u64>((r >> 3) & 1023);
    const e = dispatch(msg);
    h = h * 31 + e + reply.w0 + reply.w1 * 7 + reply.w2;
  }
  return <i32>(h ^ (h >> 32));
}
