// shell — the command interpreter. It reaches the console and the VFS through the capabilities
// init hands it by name (its manifest entry allows "console" and "vfs"), and init itself through
// the proc endpoint; nothing else. Line editing and history are the console's line discipline
// (COOKED mode). Output of any command can go to a file with > or >>.

import { SLOT_PROC, R_READ, R_WRITE, R_GRANT, typeName, lookup, lastError, collectGarbage } from "../lib";
import * as con from "../gen/console";
import * as vfs from "../gen/vfs";
import * as proc from "../gen/proc";
import * as E from "../gen/errors";
import { Command, parseLine, resolvePath, padLeft, padRight, parseNum } from "./parse";
import * as net from "./net";

let consoleEp: u64 = 0;
let vfsEp: u64 = 0;
let cwd = "/";

// ---- output: the console, or a file while a command's output is redirected -------------------------
const wR = new con.WriteReply();
const vwR = new vfs.WriteReply();
let outFd: u32 = 0;
let outErr: u32 = 0;

function writeBytes(p: usize, n: i32): void {
  let off = 0;
  while (off < n) {
    let chunk = min(n - off, 256);
    // end a chunk at a line break when there is one: a log line another program prints between
    // two writes then falls between whole lines of a command's output, never inside one
    if (chunk < n - off) {
      let nl = chunk;
      while (nl > 0 && load<u8>(p + off + nl - 1) != 0x0a) nl--;
      if (nl > 0) chunk = nl;
    }
    if (outFd != 0) {
      const e = vfs.write(vfsEp, outFd, p + off, chunk, vwR);
      if (e) { outErr = e; return; }
    } else {
      let e: u32 = 0;
      for (let t = 0; t < 3; t++) { e = con.write(consoleEp, p + off, chunk, wR); if (e != E.CANCELLED) break; }
    }
    off += chunk;
  }
}
function out(s: string): void {
  const b = String.UTF8.encode(s);
  writeBytes(changetype<usize>(b), b.byteLength);
}
function outln(s: string): void { out(s + "\n"); }
/** Errors always go to the console. */
function err(s: string): void {
  const saved = outFd;
  outFd = 0;
  outln(s);
  outFd = saved;
}

/** "no such file or directory"-style text for an error code. */
function why(e: u32): string {
  switch (e) {
    case E.NO_ENTRY: return "no such file or directory";
    case E.NOT_DIR: return "not a directory";
    case E.IS_DIR: return "is a directory";
    case E.EXISTS: return "already exists";
    case E.NOT_EMPTY: return "directory not empty";
    case E.NO_SPACE: return "no space left on device";
    case E.READ_ONLY: return "read-only file system";
    case E.CROSS_DEVICE: return "cannot move across mount points";
    case E.DENIED: return "permission denied";
    case E.INVALID: return "invalid argument";
    case E.BUSY: return "busy";
  }
  return E.errText(e) + " (" + E.errName(e) + ")";
}

// ---- commands ------------------------------------------------------------------------------------
const dirR = new vfs.ReaddirReply();
const openR = new vfs.OpenReply();
const readR = new vfs.ReadReply();
const statR = new vfs.StatReply();

function path(a: string): string { return resolvePath(cwd, a); }

function cmdLs(argv: Array<string>): void {
  const target = argv.length > 1 ? path(argv[1]) : cwd;
  const se = vfs.stat(vfsEp, target, statR);
  if (se) { err("ls: " + target + ": " + why(se)); return; }
  if (statR.type != vfs.FILE_TYPE_DIR) { outln(target); return; }
  for (let i: u32 = 0; ; i++) {
    const e = vfs.readdir(vfsEp, target, i, dirR);
    if (e == E.NO_ENTRY) break;
    if (e) { err("ls: " + target + ": " + why(e)); return; }
    if (dirR.type == vfs.FILE_TYPE_DIR) outln(padRight(dirR.name + "/", 24) + padLeft("-", 8));
    else outln(padRight(dirR.name, 24) + padLeft(dirR.size.toString(), 8));
  }
}

function cmdCat(argv: Array<string>): void {
  if (argv.length < 2) { err("usage: cat FILE..."); return; }
  for (let k = 1; k < argv.length; k++) {
    const p = path(argv[k]);
    let e = vfs.open(vfsEp, p, vfs.OPEN_FLAGS_READ, openR);
    if (e) { err("cat: " + p + ": " + why(e)); continue; }
    const fd = openR.fd;
    while (true) {
      e = vfs.read(vfsEp, fd, 256, readR);
      if (e) { err("cat: " + p + ": " + why(e)); break; }
      if (readR.dataLen == 0) break;
      // readR.data points into the client message: copy before the next call
      const n = readR.dataLen;
      const tmp = new ArrayBuffer(n);
      memory.copy(changetype<usize>(tmp), readR.data, n);
      writeBytes(changetype<usize>(tmp), n);
    }
    vfs.close(vfsEp, fd);
  }
}

function cmdEcho(argv: Array<string>): void {
  let s = "";
  for (let i = 1; i < argv.length; i++) s += (i > 1 ? " " : "") + argv[i];
  outln(s);
}

function simple(name: string, e: u32, p: string): void { if (e) err(name + ": " + p + ": " + why(e)); }

const psR = new proc.PsReply();
/** init's view when there is no thread, else the kernel's state of the thread, named as the
 *  kernel's introspection (and so the Processes panel) names it. */
function stateName(s: u32, thread: u32): string {
  switch (s) {
    case proc.STATE_RUNNING: break;
    case proc.STATE_RESTARTING: return "restarting";
    case proc.STATE_FAILED: return "failed";
    case proc.STATE_STOPPED: return "stopped";
    default: return "-";
  }
  switch (thread) {
    case proc.THREAD_RUNNING: return "running";
    case proc.THREAD_READY: return "ready";
    case proc.THREAD_BLOCKED_SEND: return "blocked_send";
    case proc.THREAD_BLOCKED_RECV: return "blocked_recv";
    case proc.THREAD_BLOCKED_REPLY: return "blocked_reply";
    case proc.THREAD_BLOCKED_NOTIFICATION: return "blocked_notification";
    case proc.THREAD_FAULTED: return "faulted";
    case proc.THREAD_EXITED: return "exited";
  }
  return "inactive";
}
const psUp = new proc.UptimeReply();
function cmdPs(): void {
  // the whole table is gathered first and written at once, so it comes out in one piece
  let text = "  TID  NAME        STATE                 RESTARTS  FAULTS  PRIO\n";
  const now = proc.uptime(SLOT_PROC, psUp) == 0 ? psUp.ticks : 0;
  for (let i: u32 = 0; ; i++) {
    const e = proc.ps(SLOT_PROC, i, psR);
    if (e) break;
    // a service waiting out its restart back-off: when it comes back (init's supervision ticks)
    const next = psR.nextRestart > now ? "  back-off " + psR.backoff.toString() + " ticks, restart in " + ((psR.nextRestart - now) / 24000).toString() + " ms" : "";
    text += padLeft(psR.tid == 0 ? "-" : psR.tid.toString(), 5) + "  " + padRight(psR.name, 12) + padRight(stateName(psR.state, psR.thread), 22) +
      padLeft(psR.restarts.toString(), 8) + padLeft(psR.faults.toString(), 8) + padLeft(psR.prio.toString(), 6) + next + "\n";
  }
  out(text);
}

const capsR = new proc.CapsReply();
function rights(r: u32): string {
  return ((r & <u32>R_READ) != 0 ? "R" : "-") + ((r & <u32>R_WRITE) != 0 ? "W" : "-") + ((r & <u32>R_GRANT) != 0 ? "G" : "-");
}
function cmdCaps(argv: Array<string>): void {
  const pid = argv.length > 1 ? parseNum(argv[1]) : -1;
  if (pid < 0) { err("usage: caps TID"); return; }
  outln(" SLOT  KIND          RIGHTS  BADGE  WHAT");
  for (let i: u32 = 0; ; i++) {
    const e = proc.caps(SLOT_PROC, <u32>pid, i, capsR);
    if (e == E.NO_ENTRY && i == 0) { err("caps: no process " + pid.toString()); return; }
    if (e) break;
    outln(padLeft(capsR.slot == 0 ? "-" : capsR.slot.toString(), 5) + "  " + padRight(typeName(capsR.kind), 14) +
      padRight(rights(capsR.rights), 8) + padLeft(capsR.badge.toString(), 5) + "  " + capsR.what);
  }
}

function cmdKill(argv: Array<string>): void {
  const pid = argv.length > 1 ? parseNum(argv[1]) : -1;
  if (pid < 0) { err("usage: kill TID"); return; }
  const e = proc.kill(SLOT_PROC, <u32>pid);
  if (e == E.NO_ENTRY) err("kill: no running process " + pid.toString());
  else if (e) err("kill: " + pid.toString() + ": " + why(e));
}

const spawnR = new proc.SpawnReply();
function cmdSpawn(argv: Array<string>): void {
  if (argv.length < 2) { err("usage: spawn NAME"); return; }
  const e = proc.spawn(SLOT_PROC, argv[1], spawnR);
  if (e == E.NO_ENTRY) err("spawn: no program '" + argv[1] + "' in the boot manifest");
  else if (e) err("spawn: " + argv[1] + ": " + why(e));
  else outln("started " + argv[1] + " as tid " + spawnR.tid.toString());
}

const memR = new proc.MemReply();
function cmdMem(): void {
  const e = proc.mem(SLOT_PROC, memR);
  if (e) { err("mem: " + why(e)); return; }
  outln("user memory (untyped): " + (memR.total * 4).toString() + " KiB, " + (memR.used * 4).toString() + " KiB given to objects by init");
  outln("kernel pool (page tables, demand-zero pages): " + (memR.kernelPool * 4).toString() + " KiB");
}

const upR = new proc.UptimeReply();
function cmdUptime(): void {
  const e = proc.uptime(SLOT_PROC, upR);
  if (e) { err("uptime: " + why(e)); return; }
  const ms = upR.ticks * 1000 / <u64>upR.freq;
  outln("up " + (ms / 1000).toString() + "." + padLeft((ms % 1000).toString(), 3).replaceAll(" ", "0") + " s (virtual time)");
}

function cmdConnect(argv: Array<string>): void {
  if (argv.length < 2) { err("usage: connect SERVICE"); return; }
  const s = lookup(argv[1]);
  if (s == 0) err("connect: " + argv[1] + ": " + why(lastError));
  else outln("connect: " + argv[1] + ": capability in slot " + s.toString());
}

/** The shell's writers, for the commands in net.ts. */
class ShellOutput extends net.Output {
  out(s: string): void { out(s); }
  err(s: string): void { err(s); }
  bytes(p: usize, n: i32): void { writeBytes(p, n); }
}
const shellOut = new ShellOutput();

function help(): void {
  outln("commands:");
  outln("  ls [DIR]          list a directory        cat FILE...      print files");
  outln("  echo WORDS        print words             mkdir DIR        make a directory");
  outln("  rm PATH           remove a file or dir    mv FROM TO       rename");
  outln("  cd DIR / pwd      working directory       clear            clear the screen");
  outln("  ps                processes by tid        caps TID         capabilities init gave TID");
  outln("  kill TID          stop (init restarts it) spawn NAME       start a program");
  outln("  mem               memory                  uptime           virtual time since boot");
  outln("  connect NAME      ask init for a service's endpoint (only those in the manifest)");
  outln("  ifconfig          the network interface   arp              the ARP cache");
  outln("  ping [-c N] HOST  ICMP echo (virtual ms)  netstat          sockets and TCP states");
  outln("  get http://HOST/PATH  fetch over HTTP     cksum FILE|URL   CRC and size of a file");
  outln("  nc -u HOST PORT TEXT  one UDP datagram and its answer (port 7 echoes)");
  outln("  nc HOST PORT, nc -l PORT  a TCP conversation: typed lines out, what arrives printed; Ctrl-D ends");
  outln("output redirection: CMD > FILE, CMD >> FILE; keys: Backspace, Ctrl-U, Ctrl-C, arrows (history)");
}

function run(c: Command): void {
  const argv = c.argv;
  if (argv.length == 0) return;
  const name = argv[0];
  if (name == "help") help();
  else if (name == "ls") cmdLs(argv);
  else if (name == "cat") cmdCat(argv);
  else if (name == "echo") cmdEcho(argv);
  else if (name == "mkdir") { if (argv.length < 2) err("usage: mkdir DIR"); else simple("mkdir", vfs.mkdir(vfsEp, path(argv[1])), path(argv[1])); }
  else if (name == "rm") { if (argv.length < 2) err("usage: rm PATH"); else simple("rm", vfs.unlink(vfsEp, path(argv[1])), path(argv[1])); }
  else if (name == "mv") { if (argv.length < 3) err("usage: mv FROM TO"); else simple("mv", vfs.rename(vfsEp, path(argv[1]), path(argv[2])), path(argv[1])); }
  else if (name == "ps") cmdPs();
  else if (name == "caps") cmdCaps(argv);
  else if (name == "kill") cmdKill(argv);
  else if (name == "spawn") cmdSpawn(argv);
  else if (name == "mem") cmdMem();
  else if (name == "uptime") cmdUptime();
  else if (name == "connect") cmdConnect(argv);
  else if (name == "ifconfig") net.ifconfig(shellOut);
  else if (name == "ping") net.ping(shellOut, argv);
  else if (name == "arp") net.arp(shellOut);
  else if (name == "netstat") net.netstat(shellOut);
  else if (name == "get") net.get(shellOut, argv);
  else if (name == "nc") { if (argv.length > 1 && argv[1] == "-u") net.ncUdp(shellOut, argv); else net.ncTcp(shellOut, argv, readLine, lineBuf); }
  else if (name == "cksum") { if (argv.length < 2) err("usage: cksum FILE|URL"); else if (argv[1].startsWith("http://")) net.cksumUrl(shellOut, argv[1]); else net.cksum(shellOut, vfsEp, path(argv[1])); }
  else if (name == "clear") out("\x1b[2J\x1b[H");
  else if (name == "pwd") outln(cwd);
  else if (name == "cd") {
    const p = argv.length > 1 ? path(argv[1]) : "/";
    const e = vfs.stat(vfsEp, p, statR);
    if (e) err("cd: " + p + ": " + why(e));
    else if (statR.type != vfs.FILE_TYPE_DIR) err("cd: " + p + ": not a directory");
    else cwd = p;
  } else err("mlk: unknown command '" + name + "' (try help)");
}

function execute(line: string): void {
  const c = parseLine(line);
  if (c.error.length > 0) { err("mlk: " + c.error); return; }
  if (c.redirect.length > 0) {
    const p = path(c.redirect);
    const flags = vfs.OPEN_FLAGS_WRITE | vfs.OPEN_FLAGS_CREATE | (c.append ? vfs.OPEN_FLAGS_APPEND : vfs.OPEN_FLAGS_TRUNC);
    const e = vfs.open(vfsEp, p, flags, openR);
    if (e) { err("mlk: " + p + ": " + why(e)); return; }
    outFd = openR.fd;
    outErr = 0;
    run(c);
    outFd = 0;
    vfs.close(vfsEp, openR.fd);
    if (outErr) err("mlk: " + p + ": " + why(outErr));
    return;
  }
  run(c);
}

// ---- main loop ---------------------------------------------------------------------------------------
consoleEp = lookup("console");
vfsEp = lookup("vfs");
const lineR = new con.ReadReply();
/** A command line: the console hands a long one out in pieces; the last ends with \n. */
const LINE_BYTES: i32 = 4096 + 1;
const lineBuf: usize = memory.data(LINE_BYTES);

/** Reads one line into lineBuf: its length, or -error (INTERRUPTED for Ctrl-C, 0 bytes for Ctrl-D). */
function readLine(): i32 {
  let n: i32 = 0;
  while (true) {
    const e = con.read(consoleEp, 256, lineR);
    if (e) return -<i32>e;
    if (lineR.dataLen == 0) return n; // Ctrl-D
    const k = min(lineR.dataLen, LINE_BYTES - n);
    memory.copy(lineBuf + n, lineR.data, k);
    n += k;
    if (load<u8>(lineR.data + lineR.dataLen - 1) == 0x0a) return n;
  }
}

if (consoleEp != 0) {
  outln("");
  // The motd at login. Reading it waits for the root file system to be mounted (its log lines come
  // out first), so the prompt is the last thing on screen at boot.
  if (vfsEp != 0 && vfs.stat(vfsEp, "/etc/motd", statR) == 0) cmdCat(["cat", "/etc/motd"]);
  while (true) {
    collectGarbage(8); // commands allocate the most garbage; here no managed object lives only in a local (lib/server.ts)
    out("mlk> ");
    const n = readLine();
    if (n == -<i32>E.INTERRUPTED) continue;
    if (n == -<i32>E.CANCELLED) { outln(""); continue; } // the console restarted: ask again
    if (n < 0) { outln("shell: console read failed: " + E.errName(<u32>-n)); continue; }
    if (n == 0) continue; // Ctrl-D
    execute(String.UTF8.decodeUnsafe(lineBuf, <usize>n));
  }
}
