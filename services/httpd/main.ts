// httpd — a small HTTP/1.0 server (RFC 1945): serves the file system read-only on TCP port 80,
// one connection at a time. A client of two services only: net (sockets, each a capability) and vfs (files).
// GET /PATH answers 200 with the file, a listing for a directory, 404 when it is missing;
// another method 501; a request it cannot read 400. Each request is logged on the console:
//   httpd: 10.0.0.1 GET /etc/motd 200 123

import { lookup, lastError, print, ipv4Text, collectGarbage, sockOpen, sockAccept, sockClose, sockError } from "../lib";
import * as socket from "../gen/socket";
import * as vfs from "../gen/vfs";
import * as E from "../gen/errors";

const PORT: u32 = 80;
let netEp: u64 = 0, vfsEp: u64 = 0;
function say(s: string): void { print("httpd: " + s + "\n"); }

const sendR = new socket.SendReply();
/** Sends n bytes at p on connection c, in pieces a message carries; 0 or an error. */
function sendBytes(c: u64, p: usize, n: i32): u32 {
  let off = 0;
  while (off < n) {
    const k = min(n - off, 448);
    const e = socket.send(c, p + <usize>off, k, sendR);
    if (e) return e;
    off += k;
  }
  return 0;
}
function sendText(c: u64, s: string): u32 {
  const b = String.UTF8.encode(s);
  return sendBytes(c, changetype<usize>(b), b.byteLength);
}

const recvR = new socket.RecvReply();
const REQ_MAX: i32 = 2048;
const req = memory.data(REQ_MAX);
/** Reads the request head (up to the blank line) into req; its length, or -1. */
function readRequest(c: u64): i32 {
  let n = 0;
  while (n < REQ_MAX) {
    if (socket.recv(c, <u32>min(448, REQ_MAX - n), recvR) != 0 || recvR.dataLen == 0) return -1;
    memory.copy(req + <usize>n, recvR.data, recvR.dataLen);
    n += recvR.dataLen;
    for (let i = 0; i + 3 < n; i++) if (load<u32>(req + <usize>i) == 0x0a0d0a0d) return i;
  }
  return -1;
}

function status(c: u64, code: i32, reason: string, body: string): void {
  sendText(c, "HTTP/1.0 " + code.toString() + " " + reason + "\r\nContent-Type: text/plain\r\nContent-Length: " +
    String.UTF8.byteLength(body).toString() + "\r\nServer: mlk-httpd\r\n\r\n" + body);
}

const statR = new vfs.StatReply();
const openR = new vfs.OpenReply();
const readR = new vfs.ReadReply();
const dirR = new vfs.ReaddirReply();
const chunk = memory.data(256);

/** Answers GET path on connection c; the status code. */
function serveFile(c: u64, path: string): i32 {
  let e = vfs.stat(vfsEp, path, statR);
  if (e == E.NO_ENTRY || e == E.NOT_DIR || e == E.INVALID) { status(c, 404, "Not Found", path + ": not found\n"); return 404; }
  if (e) { status(c, 500, "Internal Server Error", E.errText(e) + "\n"); return 500; }
  if (statR.type == vfs.FILE_TYPE_DIR) {
    let list = "";
    for (let i: u32 = 0; vfs.readdir(vfsEp, path, i, dirR) == 0; i++) list += dirR.name + (dirR.type == vfs.FILE_TYPE_DIR ? "/" : "") + "\n";
    status(c, 200, "OK", list);
    return 200;
  }
  const size = statR.size;
  e = vfs.open(vfsEp, path, vfs.OPEN_FLAGS_READ, openR);
  if (e) { status(c, 403, "Forbidden", E.errText(e) + "\n"); return 403; }
  const fd = openR.fd;
  e = sendText(c, "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + size.toString() + "\r\nServer: mlk-httpd\r\n\r\n");
  while (e == 0) {
    if (vfs.read(vfsEp, fd, 256, readR) != 0 || readR.dataLen == 0) break;
    const n = readR.dataLen;
    memory.copy(chunk, readR.data, n); // readR.data is in the client message socket.send reuses
    e = sendBytes(c, chunk, n);
  }
  vfs.close(vfsEp, fd);
  return 200;
}

const acceptR = new socket.AcceptReply();

netEp = lookup("net");
if (netEp == 0) say("lookup net: " + E.errName(lastError));
vfsEp = lookup("vfs");
const listener: u64 = netEp == 0 ? 0 : sockOpen(netEp, socket.SOCK_TYPE_TCP);
let e: u32 = netEp == 0 ? E.UNAVAILABLE : listener == 0 ? sockError : socket.bind(listener, PORT);
if (e == 0) e = socket.listen(listener, 4);
if (e != 0) say("cannot listen on port 80: " + E.errName(e));
while (e == 0) {
  collectGarbage(8);
  const c = sockAccept(listener, acceptR);
  if (c == 0) { e = sockError; say("accept: " + E.errName(e)); break; }
  const peer = ipv4Text(acceptR.addr);
  const n = readRequest(c);
  let line = n < 0 ? "" : String.UTF8.decodeUnsafe(req, <usize>n);
  const eol = line.indexOf("\r\n");
  if (eol >= 0) line = line.substring(0, eol);
  const parts = line.split(" ");
  let code = 400;
  if (parts.length < 3 || !parts[2].startsWith("HTTP/") || !parts[1].startsWith("/")) status(c, 400, "Bad Request", "bad request\n");
  else if (parts[0] != "GET") { status(c, 501, "Not Implemented", parts[0] + ": only GET\n"); code = 501; }
  else code = serveFile(c, parts[1]);
  say(peer + " " + (parts.length > 1 ? parts[0] + " " + parts[1] : "-") + " " + code.toString());
  sockClose(c);
}
