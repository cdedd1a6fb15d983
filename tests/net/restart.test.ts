// The driver dies mid-transfer and the stack carries on: machine 1 fetches a file from machine 2's
// httpd, machine 2's netdrv is killed while the segments flow, init restarts it (the device reset,
// new rings), and net — told NOT_CONNECTED by the new driver — attaches again. The transfer in
// flight recovers by retransmission or fails with an error, never a hang or a trap; a new
// connection then carries the whole file. Then the idle side's driver (machine 1's) is killed too,
// and a new `get` works again: the stack finds a restarted driver even with nothing to send.
import { beforeAll, expect, it } from 'vitest';
import { bootMachines, command, runUntil, type Pair } from './pair';
import { diskWith, posixCksum, pseudoRandom } from './disk';

const big = pseudoRandom(30_000);
let s: Pair;
beforeAll(async () => {
  s = await bootMachines(2, { disks: [undefined, diskWith({ big })] });
  runUntil(s, 1, 'mlk> ', 5);
  runUntil(s, 2, 'mlk> ', 5);
}, 180_000);

/** The thread id of `name` in machine k's `ps`. */
function tid(k: number, name: string): number {
  const row = command(s, k, 'ps').split('\n').find((l) => l.trim().split(/\s+/)[1] === name);
  expect(row, `${name} in ps`).toBeDefined();
  return Number(row!.trim().split(/\s+/)[0]);
}

const sum = `${posixCksum(big)} 30000`;

it('killing netdrv mid-transfer gets it restarted, and a new connection works', () => {
  const drv = tid(2, 'netdrv');
  const from1 = s.out[0].length, from2 = s.out[1].length;
  s.machines[0].uartInput('get http://10.0.0.2/big > /tmp/a\r');
  runUntil(s, 2, 'GET /big 200', 5, from2); // httpd has started sending
  s.machines[1].uartInput(`kill ${drv}\r`);
  runUntil(s, 2, /netdrv restarted as tid \d+/, 5, from2);
  runUntil(s, 2, 'net: netdrv restarted: attached again', 5, from2);
  // the old transfer ends one way or the other: intact (retransmitted), or with an error
  const first = runUntil(s, 1, /\nmlk> $/, 60, from1);
  const got = command(s, 1, 'cksum /tmp/a');
  if (!/(reset|timed out|error)/i.test(first)) expect(got).toBe(`${sum} /tmp/a\n`);
  // a new connection carries the whole file
  expect(command(s, 1, 'get http://10.0.0.2/big > /tmp/b', 60)).toBe('');
  expect(command(s, 1, 'cksum /tmp/b')).toBe(`${sum} /tmp/b\n`);
  expect(tid(2, 'netdrv')).not.toBe(drv);
}, 240_000);

it('a stack whose driver restarted while it was idle attaches again on its own', () => {
  const drv = tid(1, 'netdrv');
  const from = s.out[0].length;
  command(s, 1, `kill ${drv}`);
  runUntil(s, 1, 'net: netdrv restarted: attached again', 5, from);
  // and machine 2's stack, which had nothing to send since, still hears new connections
  expect(command(s, 1, 'get http://10.0.0.2/big > /tmp/c', 60)).toBe('');
  expect(command(s, 1, 'cksum /tmp/c')).toBe(`${sum} /tmp/c\n`);
  expect(command(s, 1, 'ping -c 1 10.0.0.2')).toContain('1 packets transmitted, 1 received, 0% packet loss');
}, 240_000);
