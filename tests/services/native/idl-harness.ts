// Native harness for the generated stubs (services/gen/vfs.ts, proc.ts) and msg.ts: a vfs server
// in the same module, reached through ipc.ts's test hook (which copies the message the way the
// kernel would), plus raw access so tests/services/idl.test.ts can feed it malformed messages
// and compare both encodings with the TypeScript decoder.
import { Msg } from "../../../services/lib/msg";
import { setIpcHook } from "../../../services/lib/ipc";
import * as vfs from "../../../services/gen/vfs";
import * as proc from "../../../services/gen/proc";

const server = new Msg();
let lastReq = new Msg(); // copy of the last request as it went over the wire

class TestVfs extends vfs.Server {
  lastPath: string = "";
  open(badge: u64, path: string, flags: u32, out: vfs.OpenReply): u32 {
    this.lastPath = path;
    if (path == "/missing") return 33; // NO_ENTRY
    out.fd = 3 + <u32>badge + flags;
    return 0;
  }
  close(badge: u64, fd: u32): u32 { return fd == 3 ? 0 : 39; }
  read(badge: u64, fd: u32, max: u32, out: vfs.ReadReply): u32 {
    out.data = changetype<usize>(String.UTF8.encode("hello\n"));
    out.dataLen = 6;
    return 0;
  }
  write(badge: u64, fd: u32, data: usize, dataLen: i32, out: vfs.WriteReply): u32 { out.n = <u32>dataLen; return 0; }
  seek(badge: u64, fd: u32, pos: u32, out: vfs.SeekReply): u32 { out.pos = pos; return 0; }
  stat(badge: u64, path: string, out: vfs.StatReply): u32 { out.type = vfs.FILE_TYPE_DIR; out.size = 4096; return 0; }
  readdir(badge: u64, path: string, index: u32, out: vfs.ReaddirReply): u32 {
    if (index > 0) return 33;
    out.name = "motd"; out.type = vfs.FILE_TYPE_FILE; out.size = 42; return 0;
  }
  mkdir(badge: u64, path: string): u32 { return 0; }
  unlink(badge: u64, path: string): u32 { return 0; }
  rename(badge: u64, from: string, to: string): u32 { return from == to ? 41 : 0; }
}
const impl = new TestVfs();

function copyMsg(dst: Msg, src: Msg): void {
  dst.label = src.label; dst.len = src.len; dst.ncaps = src.ncaps;
  memory.copy(dst.buf, src.buf, <usize>src.len << 3);
}

setIpcHook((ep: u64, m: Msg): u32 => {
  copyMsg(lastReq, m);
  copyMsg(server, m);
  server.badge = ep; // the test uses the endpoint number as the badge
  if (!vfs.dispatch(server, impl)) return 13;
  copyMsg(m, server);
  return 0;
});

// ---- exports ------------------------------------------------------------------------------------
const scratchBuf = changetype<usize>(new ArrayBuffer(1024));
export function scratch(): usize { return scratchBuf; }
function str(len: i32): string { return String.UTF8.decodeUnsafe(scratchBuf, len); }

const openR = new vfs.OpenReply();
const readR = new vfs.ReadReply();
const dirR = new vfs.ReaddirReply();
let outA: u64 = 0;
export function outVal(): u64 { return outA; }

export function clientOpen(ep: u64, pathLen: i32, flags: u32): u32 { const e = vfs.open(ep, str(pathLen), flags, openR); outA = openR.fd; return e; }
export function clientRead(): u32 { const e = vfs.read(1, 3, 100, readR); outA = <u64>readR.dataLen; if (e == 0) memory.copy(scratchBuf, readR.data, readR.dataLen); return e; }
export function clientReaddir(index: u32): u32 { const e = vfs.readdir(1, "/", index, dirR); outA = dirR.size; return e; }
export function clientReaddirName(): i32 { return <i32>String.UTF8.encodeUnsafe(changetype<usize>(dirR.name), dirR.name.length, scratchBuf); }
export function clientRename(aLen: i32, bLen: i32): u32 { return vfs.rename(1, String.UTF8.decodeUnsafe(scratchBuf, aLen), String.UTF8.decodeUnsafe(scratchBuf + aLen, bLen), ); }
export function lastPath(): i32 { return <i32>String.UTF8.encodeUnsafe(changetype<usize>(impl.lastPath), impl.lastPath.length, scratchBuf); }
/** The last request as sent: label, length and its words (in scratch). */
export function lastLabel(): u64 { return lastReq.label; }
export function lastLen(): i32 { memory.copy(scratchBuf, lastReq.buf, <usize>lastReq.len << 3); return lastReq.len; }

/** Dispatches a raw message (words in scratch) to the vfs server; returns the reply label, reply words in scratch. */
export function rawDispatch(label: u64, len: i32, ncaps: i32): u64 {
  server.label = label; server.len = len; server.ncaps = ncaps; server.badge = 0;
  memory.copy(server.buf, scratchBuf, <usize>len << 3);
  if (!vfs.dispatch(server, impl)) return 0xdead;
  memory.copy(scratchBuf, server.buf, <usize>server.len << 3);
  outA = <u64>server.len;
  return server.label;
}
/** proc.dispatch with no server is not needed; check the proc stubs compile and label a lookup. */
export function procLookupLabel(): u64 { return proc.LABEL_LOOKUP; }
