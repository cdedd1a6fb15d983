// netecho — a client of netdrv's netdev protocol (abi/protocols/netdev.json) to spawn from the
// shell (`spawn netecho`) on two machines of a networked run: it prints the interface, broadcasts
// a "hello" frame (ethertype 0x88B5, IEEE 802 local experimental), then waits for a frame of that
// type. A "hello" is answered with a unicast "reply" to its sender; a "reply" ends the program.
// It exercises the driver's info, send, recv (waiting) and stats as the network stack will.
import { lookup, lastError, print } from "../lib";
import * as netdev from "../gen/netdev";
import { errName } from "../gen/errors";

const IO: usize = 0xe000; // the netio page shared with netdrv
const TX: u32 = 0, RX: u32 = 2048;
const ETHERTYPE: u32 = 0x88b5;

function say(s: string): void { print("netecho: " + s + "\n"); }
function hex2(b: u32): string { return (b < 16 ? "0" : "") + b.toString(16); }
function macAt(p: usize): string {
  let s = "";
  for (let i: usize = 0; i < 6; i++) s += (i > 0 ? ":" : "") + hex2(load<u8>(p + i));
  return s;
}

/** Builds a frame to `dst` (6 bytes at p) carrying `text`, in the shared page at TX; its length. */
function build(dst: usize, mac: u64, text: string): u32 {
  const f = IO + <usize>TX;
  memory.copy(f, dst, 6);
  for (let i = 0; i < 6; i++) store<u8>(f + 6 + <usize>i, <u8>(mac >> (40 - 8 * <u64>i)));
  store<u8>(f + 12, <u8>(ETHERTYPE >> 8)); store<u8>(f + 13, <u8>ETHERTYPE);
  const b = String.UTF8.encode(text);
  memory.copy(f + 14, changetype<usize>(b), b.byteLength);
  let len = 14 + <u32>b.byteLength;
  if (len < 60) { memory.fill(f + <usize>len, 0, 60 - len); len = 60; } // Ethernet minimum (without FCS)
  return len;
}

const ep = lookup("net");
if (ep == 0) say("lookup net: " + errName(lastError));
else {
  const info = new netdev.InfoReply();
  let e = netdev.info(ep, info);
  if (e != 0) say("info: " + errName(e));
  else {
    const me = info.mac;
    say("interface " + hex2(<u32>(me >> 40) & 0xff) + ":" + hex2(<u32>(me >> 32) & 0xff) + ":" + hex2(<u32>(me >> 24) & 0xff) + ":" + hex2(<u32>(me >> 16) & 0xff) + ":" + hex2(<u32>(me >> 8) & 0xff) + ":" + hex2(<u32>me & 0xff) + (info.link ? ", link up" : ", link down") + ", mtu " + info.mtu.toString());
    const bcast = memory.data<u8>([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    e = netdev.send(ep, TX, build(bcast, me, "hello from machine " + (<u32>me & 0xff).toString()));
    if (e != 0) say("send: " + errName(e));
    const r = new netdev.RecvReply();
    let done = false;
    while (!done) {
      e = netdev.recv(ep, RX, true, r);
      if (e != 0) { say("recv: " + errName(e)); break; }
      const f = IO + <usize>RX;
      if (((<u32>load<u8>(f + 12) << 8) | load<u8>(f + 13)) != ETHERTYPE) continue;
      let n: i32 = 0;
      while (n < <i32>r.len - 14 && load<u8>(f + 14 + <usize>n) != 0) n++;
      const text = String.UTF8.decodeUnsafe(f + 14, <usize>n);
      say("got " + r.len.toString() + " bytes from " + macAt(f + 6) + ": " + text);
      if (text.startsWith("hello")) {
        e = netdev.send(ep, TX, build(f + 6, me, "reply from machine " + (<u32>me & 0xff).toString()));
        if (e != 0) say("send: " + errName(e));
      }
      done = true;
    }
    const st = new netdev.StatsReply();
    if (netdev.stats(ep, st) == 0) say("rx " + st.rxFrames.toString() + " frames, tx " + st.txFrames.toString() + " frames, dropped " + st.rxDropped.toString());
  }
}
