// A 66,000-byte file crosses the wire over TCP with 5 % of the frames lost (seeded): machine 1's
// `get` fetches it from machine 2's httpd into /tmp, and its POSIX cksum matches the original's.
// Lost segments are retransmitted on timeout (the sender counts them), every segment on the wire
// has correct checksums, and the run prints its throughput in virtual and host time.
import { beforeAll, expect, it } from 'vitest';
import { CNTFRQ } from '../../hw/memmap';
import { parsePcap } from '../../hw/pcap';
import { bootMachines, command, runUntil, type Pair } from './pair';
import { diskWith, posixCksum, pseudoRandom } from './disk';
import { decodeIp } from './frames';

const big = pseudoRandom(66_000);
let s: Pair;
beforeAll(async () => {
  s = await bootMachines(2, { loss: 0.05, seed: 7, disks: [undefined, diskWith({ big })] });
  runUntil(s, 1, 'mlk> ', 5);
  runUntil(s, 2, 'mlk> ', 5);
}, 180_000);

it('a 64 KiB file over TCP with 5 % loss arrives intact; lost segments are retransmitted', () => {
  const v0 = s.net.time, h0 = performance.now();
  expect(command(s, 1, 'get http://10.0.0.2/big > /tmp/big', 60)).toBe('');
  const virtualS = (s.net.time - v0) / CNTFRQ, hostS = (performance.now() - h0) / 1000;
  expect(command(s, 1, 'cksum /tmp/big')).toBe(`${posixCksum(big)} 66000 /tmp/big\n`);
  const sender = command(s, 2, 'ifconfig');
  const retrans = Number(/retransmitted (\d+)/.exec(sender)![1]);
  expect(retrans).toBeGreaterThan(0);
  expect(s.net.switch.stats.lost).toBeGreaterThan(0);
  const segs = parsePcap(s.capture.bytes()).records.map((r) => decodeIp(r.data)).filter((f) => f !== null && f.proto === 6);
  for (const f of segs) expect(f!.ipOk && f!.l4Ok).toBe(true);
  // the figure (docs/NETWORK.md): command to prompt, so it includes the write into /tmp
  console.log(`64 KiB over TCP, 5 % loss: ${virtualS.toFixed(2)} virtual s (${Math.round(66_000 / virtualS)} B/virtual s), ${hostS.toFixed(1)} host s; ${retrans} segments retransmitted, ${s.net.switch.stats.lost} frames lost`);
}, 180_000);
