// Network benchmark (issue 14): two machines on one switch, no loss, checker off (as every bench).
// Machine 1 fetches a 66,000-byte file (about the file system's largest) from machine 2's httpd
// with `cksum http://…` (the body is checksummed as it arrives, not written to a file, so the figure
// is the network's): throughput in bytes per virtual second and per host second; `ping -c 5`: the round trip in virtual µs; and the
// instructions (counter ticks of each thread, the kernel's accounting) that the driver (netdrv) and
// the stack (net) spent per Ethernet frame during the transfer, on the receiving machine.
// Writes bench/results/net.json.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Machine } from '../hw/machine';
import { CNTFRQ } from '../hw/memmap';
import { Network } from '../hw/net';
import { readKiView, type KiExports } from '../host/introspection';
import { KI_VIEW } from '../host/kiViews';
import { diskWith, pseudoRandom } from '../tests/net/disk';

const root = fileURLToPath(new URL('../', import.meta.url));
const FILE_BYTES = 66_000;

export interface NetResult {
  fileBytes: number;
  virtualSeconds: number;
  hostSeconds: number;
  bytesPerVirtualSecond: number;
  bytesPerHostSecond: number;
  pingRttVirtualUs: number;
  frames: number;
  netdrvTicksPerFrame: number;
  netTicksPerFrame: number;
  /** Machine 1's threads during the transfer: counter ticks each spent (where the virtual time goes). */
  ticksByThread: Record<string, number>;
}

export async function benchNet(): Promise<NetResult> {
  const kernel = new WebAssembly.Module(readFileSync(join(root, 'build', 'kernel.wasm')));
  const bootImage = readFileSync(join(root, 'build', 'bootimage.cpio'));
  const disks = [undefined, diskWith({ big: pseudoRandom(FILE_BYTES) })];
  const machines: Machine[] = [];
  const out: string[] = [];
  for (let k = 1; k <= 2; k++) {
    const m = await Machine.create({ kernel, bootImage, machineIndex: k, bootargs: 'mlk.trace=0', disk: disks[k - 1] });
    out.push('');
    m.on('uart', (b) => { out[k - 1] += Buffer.from(b).toString('latin1'); });
    machines.push(m);
  }
  const net = new Network(machines);
  const until = (k: number, re: RegExp, from: number) => {
    const end = net.time + 120 * CNTFRQ;
    while (net.time < end && !re.test(out[k - 1].slice(from))) net.run(CNTFRQ / 200);
    if (!re.test(out[k - 1].slice(from))) throw new Error(`bench net: machine ${k} did not print ${re}`);
  };
  until(1, /mlk> $/, 0);
  until(2, /mlk> $/, 0);
  const threads = (m: Machine) => {
    const t = readKiView(m.kernelExports as unknown as KiExports, m.ram.u8, KI_VIEW.THREADS);
    if (!t.ok) throw new Error(t.error);
    return Object.fromEntries(t.value.map((x) => [x.name, x.cpu_ticks]));
  };
  const cpu = (m: Machine, name: string) => threads(m)[name];
  const typed = (k: number, line: string) => { const from = out[k - 1].length; machines[k - 1].uartInput(line + '\r'); until(k, /\nmlk> $/, from); return out[k - 1].slice(from); };

  const m1 = machines[0];
  const frames0 = m1.net.state().rxFrames + m1.net.state().txFrames;
  const drv0 = cpu(m1, 'netdrv'), net0 = cpu(m1, 'net');
  const all0 = threads(m1);
  const v0 = net.time, h0 = performance.now();
  const sum = typed(1, 'cksum http://10.0.0.2/big');
  if (!sum.includes(' 66000 http://10.0.0.2/big')) throw new Error(`bench net: the transfer failed: ${sum}`);
  const virtualSeconds = (net.time - v0) / CNTFRQ, hostSeconds = (performance.now() - h0) / 1000;
  const frames = m1.net.state().rxFrames + m1.net.state().txFrames - frames0;
  const netdrvTicks = cpu(m1, 'netdrv') - drv0, netTicks = cpu(m1, 'net') - net0;
  const all1 = threads(m1);
  const ticksByThread = Object.fromEntries(Object.entries(all1).map(([n, t]) => [n, t - (all0[n] ?? 0)]).filter(([, t]) => (t as number) > 0));
  const ping = typed(1, 'ping -c 5 10.0.0.2');
  const avg = /rtt min\/avg\/max = [\d.]+\/([\d.]+)\//.exec(ping);
  const result: NetResult = {
    fileBytes: FILE_BYTES,
    virtualSeconds, hostSeconds,
    bytesPerVirtualSecond: Math.round(FILE_BYTES / virtualSeconds),
    bytesPerHostSecond: Math.round(FILE_BYTES / hostSeconds),
    pingRttVirtualUs: avg ? Math.round(Number(avg[1]) * 1000) : NaN,
    frames,
    netdrvTicksPerFrame: Math.round(netdrvTicks / frames),
    netTicksPerFrame: Math.round(netTicks / frames),
    ticksByThread,
  };
  console.table({
    'cksum http:// of 66,000 bytes': `${virtualSeconds.toFixed(3)} virtual s, ${hostSeconds.toFixed(1)} host s`,
    'throughput': `${result.bytesPerVirtualSecond} B/virtual s, ${result.bytesPerHostSecond} B/host s`,
    'ping round trip (avg of 5)': `${result.pingRttVirtualUs} virtual µs`,
    'per frame (machine 1, rx + tx)': `netdrv ${result.netdrvTicksPerFrame}, net ${result.netTicksPerFrame} instructions (${frames} frames)`,
  });
  console.log('machine 1, counter ticks per thread during the transfer:', ticksByThread);
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(fileURLToPath(new URL('./results/net.json', import.meta.url)), JSON.stringify(result, null, 2) + '\n');
  return result;
}
