// Two (or more) machines on one switch for the network stack's scenarios: the real kernel and
// services booted with the invariant checker on, a capture of the wire, and helpers to type
// into a machine's shell and run until its output shows something.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { Machine } from '../../hw/machine';
import { CNTFRQ } from '../../hw/memmap';
import { Network } from '../../hw/net';
import { PcapWriter } from '../../hw/pcap';
import type { BlockStore } from '../../hw/blockdev';

const root = new URL('../../', import.meta.url).pathname;
let kernel: WebAssembly.Module | null = null;
let bootImage: Uint8Array | null = null;

export type Pair = Awaited<ReturnType<typeof bootMachines>>;

/** Boots n machines (machine k = index k − 1) on one switch; `disks[k-1]` is machine k's disk. */
export async function bootMachines(n: number, opts: { loss?: number; seed?: number; disks?: (BlockStore | undefined)[] } = {}) {
  kernel ??= new WebAssembly.Module(readFileSync(join(root, 'build', 'kernel.wasm')));
  bootImage ??= readFileSync(join(root, 'build', 'bootimage.cpio'));
  const machines: Machine[] = [];
  const out: string[] = [];
  for (let k = 1; k <= n; k++) {
    const m = await Machine.create({ kernel, bootImage, machineIndex: k, bootargs: 'mlk.check=1', disk: opts.disks?.[k - 1] });
    out.push('');
    m.on('uart', (b) => { out[k - 1] += Buffer.from(b).toString('latin1'); });
    machines.push(m);
  }
  const capture = new PcapWriter();
  const net = new Network(machines, { loss: opts.loss, seed: opts.seed, capture });
  return { machines, out, net, capture };
}

/** Runs until machine k's output (after `from`) holds `text`, at most `seconds` of virtual time; the output since `from`. */
export function runUntil(s: Pair, k: number, text: string | RegExp, seconds = 5, from = 0): string {
  const end = s.net.time + seconds * CNTFRQ;
  const seen = () => { const o = s.out[k - 1].slice(from); return typeof text === 'string' ? o.includes(text) : text.test(o); };
  while (s.net.time < end && !seen()) s.net.run(CNTFRQ / 200);
  for (const m of s.machines) expect(m.halted).toBeNull();
  const o = s.out[k - 1].slice(from);
  if (!seen()) throw new Error(`machine ${k}: no ${text} in ${seconds} virtual s; output:\n${o.slice(-3000)}`);
  return o;
}

/** Types a command into machine k's shell and runs until the next prompt; the command's output. */
export function command(s: Pair, k: number, line: string, seconds = 10): string {
  const from = s.out[k - 1].length;
  s.machines[k - 1].uartInput(line + '\r');
  const o = runUntil(s, k, /\nmlk> $/, seconds, from);
  return o.slice(o.indexOf('\n') + 1, o.lastIndexOf('mlk> ')).replaceAll('\r\n', '\n');
}
