// vfs — one namespace over several file systems, serving the vfs protocol
// (abi/protocols/vfs.json): "/" is the disk fs (manifest alias "root"), "/tmp" the RAM-disk fs
// ("tmp"), "/proc" a read-only view of init's process table (one file per process, named by its thread id). Paths are walked
// component by component with fs.lookup; file descriptors are per client (the badge on the
// client's capability) and hold (mount, inode, position), so a restarted fs — whose inode numbers
// are on disk — does not invalidate them. A call an fs restart cancelled is retried.

import { Msg, SLOT_SELF, SLOT_PROC, lookup, freeSlot, serve } from "../lib";
import * as vfsP from "../gen/vfs";
import * as fsP from "../gen/fs";
import * as proc from "../gen/proc";
import * as E from "../gen/errors";

const M_ROOT: i32 = 0, M_TMP: i32 = 1, M_PROC: i32 = 2;
const T_FILE = fsP.FILE_TYPE_FILE, T_DIR = fsP.FILE_TYPE_DIR;
const MAX_FDS: i32 = 16;
const RETRIES: i32 = 4;

let rootEp = lookup("root");
let tmpEp = lookup("tmp");
function epOf(mount: i32): u64 { return mount == M_TMP ? tmpEp : rootEp; }

/**
 * Whether a failed fs call should be tried again: CANCELLED (the fs restarted mid-call), or the
 * capability is gone (init destroyed the endpoint of an fs that failed for good and may have
 * made a new one): look the name up again.
 */
function again(e: u32, mount: i32): bool {
  if (e == E.CANCELLED) return true;
  if (e != E.FAILED_LOOKUP) return false;
  const old = epOf(mount);
  if (old != 0) freeSlot(old);
  const ep = lookup(mount == M_TMP ? "tmp" : "root");
  if (mount == M_TMP) tmpEp = ep; else rootEp = ep;
  return ep != 0;
}

// ---- path resolution -------------------------------------------------------------------------------
/** Result of resolve(): mount, inode, type, size; for the parent form also the last name. */
let rMount: i32 = 0, rIno: u32 = 0, rType: u32 = 0, rSize: u32 = 0, rName: string = "";
const lookR = new fsP.LookupReply();
const attrR = new fsP.GetattrReply();

function fsLookup(mount: i32, dir: u32, name: string): u32 {
  let e: u32 = 0;
  for (let t = 0; t < RETRIES; t++) { e = fsP.lookup(epOf(mount), dir, name, lookR); if (!again(e, mount)) break; }
  return e;
}

/**
 * Splits an absolute path into (mount, components). Returns an error for a relative or
 * over-long path.
 */
let parts = new Array<string>();
function split(path: string): u32 {
  if (path.length == 0 || path.charCodeAt(0) != 0x2f) return E.INVALID;
  const raw = path.split("/");
  parts = new Array<string>();
  for (let i = 0; i < raw.length; i++) {
    const s = raw[i];
    if (s.length == 0 || s == ".") continue;
    if (s == "..") { if (parts.length > 0) parts.pop(); continue; }
    parts.push(s);
  }
  rMount = M_ROOT;
  if (parts.length > 0 && parts[0] == "tmp") { rMount = M_TMP; parts.shift(); }
  else if (parts.length > 0 && parts[0] == "proc") { rMount = M_PROC; parts.shift(); }
  return 0;
}

/** Resolves the whole path. */
function resolve(path: string): u32 {
  let e = split(path);
  if (e) return e;
  if (rMount == M_PROC) {
    if (parts.length == 0) { rIno = 0; rType = T_DIR; rSize = 0; return 0; }
    if (parts.length > 1) return E.NOT_DIR;
    const pid = procPid(parts[0]);
    if (pid == 0 || procText(pid) != 0) return E.NO_ENTRY;
    rIno = pid; rType = T_FILE; rSize = <u32>String.UTF8.byteLength(procBuf);
    return 0;
  }
  let ino: u32 = 1, type: u32 = T_DIR, size: u32 = 0;
  for (let i = 0; i < parts.length; i++) {
    if (type != T_DIR) return E.NOT_DIR;
    e = fsLookup(rMount, ino, parts[i]);
    if (e) return e;
    ino = lookR.ino; type = lookR.type; size = lookR.size;
  }
  rIno = ino; rType = type; rSize = size;
  return 0;
}

/** Resolves all but the last component (which goes to rName); the parent must be a directory. */
function resolveParent(path: string): u32 {
  let e = split(path);
  if (e) return e;
  if (parts.length == 0) return E.INVALID; // "/", "/tmp" or "/proc" itself
  if (rMount == M_PROC) return E.READ_ONLY;
  rName = parts.pop();
  let ino: u32 = 1;
  for (let i = 0; i < parts.length; i++) {
    e = fsLookup(rMount, ino, parts[i]);
    if (e) return e;
    if (lookR.type != T_DIR) return E.NOT_DIR;
    ino = lookR.ino;
  }
  rIno = ino;
  return 0;
}

// ---- /proc ----------------------------------------------------------------------------------------------
const psR = new proc.PsReply();
let procBuf: string = "";
function procPid(s: string): u32 {
  let v: u32 = 0;
  if (s.length == 0 || s.length > 6) return 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return 0;
    v = v * 10 + <u32>(c - 0x30);
  }
  return v;
}
function stateName(s: u32): string {
  switch (s) {
    case 1: return "running";
    case 2: return "restarting";
    case 3: return "failed";
    case 4: return "stopped";
  }
  return "none";
}
/** The text of /proc/<pid> (in procBuf). */
function procText(pid: u32): u32 {
  for (let i: u32 = 0; i < 64; i++) {
    const e = proc.ps(SLOT_PROC, i, psR);
    if (e) return e;
    if (psR.tid == pid) {
      procBuf = "tid: " + pid.toString() + "\nname: " + psR.name + "\nstate: " + stateName(psR.state) +
        "\nrestarts: " + psR.restarts.toString() + "\nfaults: " + psR.faults.toString() + "\npriority: " + psR.prio.toString() + "\n";
      return 0;
    }
  }
  return E.NO_ENTRY;
}

// ---- descriptors ------------------------------------------------------------------------------------
class Fd {
  used: bool = false;
  mount: i32 = 0;
  ino: u32 = 0;
  pos: u32 = 0;
  flags: u32 = 0;
  text: string = ""; // /proc snapshot
}
class Client {
  badge: u64 = 0;
  fds: Array<Fd> = new Array<Fd>();
  constructor(badge: u64) {
    this.badge = badge;
    for (let i = 0; i < MAX_FDS; i++) this.fds.push(new Fd());
  }
}
const clients = new Array<Client>();
function client(badge: u64): Client {
  for (let i = 0; i < clients.length; i++) if (clients[i].badge == badge) return clients[i];
  const c = new Client(badge);
  clients.push(c);
  return c;
}
function fdOf(badge: u64, fd: u32): Fd | null {
  if (fd < 3 || fd >= <u32>(MAX_FDS + 3)) return null;
  const f = client(badge).fds[<i32>fd - 3];
  return f.used ? f : null;
}

const createR = new fsP.CreateReply();
const fsReadR = new fsP.ReadReply();
const fsWriteR = new fsP.WriteReply();
const dirR = new fsP.ReaddirReply();
const procData: usize = memory.data(256, 16);

function fsReaddir(mount: i32, dir: u32, index: u32): u32 {
  let e: u32 = 0;
  for (let t = 0; t < RETRIES; t++) { e = fsP.readdir(epOf(mount), dir, index, dirR); if (!again(e, mount)) break; }
  return e;
}

class Vfs extends vfsP.Server {
  /** A mount whose fs is gone for good answers UNAVAILABLE. */
  handle(m: Msg): bool {
    const reply = super.handle(m);
    if (reply && (m.label == <u64>E.FAILED_LOOKUP || m.label == <u64>E.INVALID_CAPABILITY)) m.error(E.UNAVAILABLE);
    return reply;
  }
  open(badge: u64, path: string, flags: u32, out: vfsP.OpenReply): u32 {
    const wr = (flags & (vfsP.OPEN_FLAGS_WRITE | vfsP.OPEN_FLAGS_APPEND | vfsP.OPEN_FLAGS_TRUNC | vfsP.OPEN_FLAGS_CREATE)) != 0;
    let e = resolve(path);
    if (e == 0 && rMount == M_PROC && wr) return E.READ_ONLY;
    if (e == E.NO_ENTRY && (flags & vfsP.OPEN_FLAGS_CREATE) != 0) {
      e = resolveParent(path);
      if (e) return e;
      for (let t = 0; t < RETRIES; t++) { e = fsP.create(epOf(rMount), rIno, rName, T_FILE, createR); if (!again(e, rMount)) break; }
      if (e) return e;
      rIno = createR.ino; rType = T_FILE; rSize = 0;
    } else if (e) return e;
    if (rType == T_DIR) return E.IS_DIR;
    if ((flags & vfsP.OPEN_FLAGS_TRUNC) != 0) {
      for (let t = 0; t < RETRIES; t++) { e = fsP.truncate(epOf(rMount), rIno, 0); if (!again(e, rMount)) break; }
      if (e) return e;
    }
    const c = client(badge);
    for (let i = 0; i < MAX_FDS; i++) {
      const f = c.fds[i];
      if (f.used) continue;
      f.used = true; f.mount = rMount; f.ino = rIno; f.pos = 0; f.flags = flags;
      f.text = rMount == M_PROC ? procBuf : "";
      out.fd = <u32>i + 3;
      return 0;
    }
    return E.TOO_MANY;
  }
  close(badge: u64, fd: u32): u32 {
    const f = fdOf(badge, fd);
    if (f == null) return E.BAD_FD;
    f.used = false;
    return 0;
  }
  read(badge: u64, fd: u32, max: u32, out: vfsP.ReadReply): u32 {
    const f = fdOf(badge, fd);
    if (f == null) return E.BAD_FD;
    const lim: i32 = max > 256 ? 256 : <i32>max;
    if (f.mount == M_PROC) {
      const b = String.UTF8.encode(f.text);
      let n: i32 = b.byteLength - <i32>f.pos;
      if (n > lim) n = lim;
      if (n < 0) n = 0;
      memory.copy(procData, changetype<usize>(b) + f.pos, n);
      f.pos += <u32>n;
      out.data = procData; out.dataLen = n;
      return 0;
    }
    let e: u32 = 0;
    for (let t = 0; t < RETRIES; t++) { e = fsP.read(epOf(f.mount), f.ino, f.pos, <u32>lim, fsReadR); if (!again(e, f.mount)) break; }
    if (e) return e;
    f.pos += <u32>fsReadR.dataLen;
    out.data = fsReadR.data; out.dataLen = fsReadR.dataLen;
    return 0;
  }
  write(badge: u64, fd: u32, data: usize, dataLen: i32, out: vfsP.WriteReply): u32 {
    const f = fdOf(badge, fd);
    if (f == null) return E.BAD_FD;
    if (f.mount == M_PROC) return E.READ_ONLY;
    if ((f.flags & (vfsP.OPEN_FLAGS_WRITE | vfsP.OPEN_FLAGS_APPEND)) == 0) return E.BAD_FD;
    let e: u32 = 0;
    if ((f.flags & vfsP.OPEN_FLAGS_APPEND) != 0) {
      for (let t = 0; t < RETRIES; t++) { e = fsP.getattr(epOf(f.mount), f.ino, attrR); if (!again(e, f.mount)) break; }
      if (e) return e;
      f.pos = attrR.size;
    }
    for (let t = 0; t < RETRIES; t++) { e = fsP.write(epOf(f.mount), f.ino, f.pos, data, dataLen, fsWriteR); if (!again(e, f.mount)) break; }
    if (e) return e;
    f.pos += fsWriteR.n;
    out.n = fsWriteR.n;
    return 0;
  }
  seek(badge: u64, fd: u32, pos: u32, out: vfsP.SeekReply): u32 {
    const f = fdOf(badge, fd);
    if (f == null) return E.BAD_FD;
    f.pos = pos;
    out.pos = pos;
    return 0;
  }
  stat(badge: u64, path: string, out: vfsP.StatReply): u32 {
    const e = resolve(path);
    if (e) return e;
    out.type = rType; out.size = rSize;
    return 0;
  }
  readdir(badge: u64, path: string, index: u32, out: vfsP.ReaddirReply): u32 {
    let e = resolve(path);
    if (e) return e;
    if (rType != T_DIR) return E.NOT_DIR;
    if (rMount == M_PROC) {
      e = proc.ps(SLOT_PROC, index, psR);
      if (e) return e;
      out.name = psR.tid.toString(); out.type = T_FILE; out.size = 0;
      return 0;
    }
    const isRoot = rMount == M_ROOT && rIno == 1;
    e = fsReaddir(rMount, rIno, index);
    if (e == 0) { out.name = dirR.name; out.type = dirR.type; out.size = dirR.size; return 0; }
    if (e != E.NO_ENTRY || !isRoot) return e;
    // after the root fs's own entries: the mount points
    let n: u32 = 0;
    while (fsReaddir(M_ROOT, 1, n) == 0) n++;
    const k = index - n;
    if (k == 0) { out.name = "proc"; out.type = T_DIR; out.size = 0; return 0; }
    if (k == 1) { out.name = "tmp"; out.type = T_DIR; out.size = 0; return 0; }
    return E.NO_ENTRY;
  }
  mkdir(badge: u64, path: string): u32 {
    let e = resolveParent(path);
    if (e) return e;
    for (let t = 0; t < RETRIES; t++) { e = fsP.create(epOf(rMount), rIno, rName, T_DIR, createR); if (!again(e, rMount)) break; }
    return e;
  }
  unlink(badge: u64, path: string): u32 {
    let e = resolveParent(path);
    if (e) return e == E.INVALID ? E.BUSY : e;
    for (let t = 0; t < RETRIES; t++) { e = fsP.unlink(epOf(rMount), rIno, rName); if (!again(e, rMount)) break; }
    return e;
  }
  rename(badge: u64, from: string, to: string): u32 {
    let e = resolveParent(from);
    if (e) return e;
    const sm = rMount, sdir = rIno, sname = rName;
    e = resolveParent(to);
    if (e) return e;
    if (sm != rMount) return E.CROSS_DEVICE;
    // a directory cannot move into itself
    const a = from + "/";
    if (to.startsWith(a)) return E.INVALID;
    for (let t = 0; t < RETRIES; t++) { e = fsP.rename(epOf(sm), sdir, sname, rIno, rName); if (!again(e, sm)) break; }
    return e;
  }
}

serve(SLOT_SELF, new Vfs());
