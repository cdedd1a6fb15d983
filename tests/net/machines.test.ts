// Machines on a wire (hw/net.ts): the real kernel and services on two machines in lockstep. netdrv
// on each drives its virtio-net device through the DART, reports link up, and announces itself with
// a gratuitous ARP that the switch floods to the other machine, whose netdrv receives it (before
// the network stack attaches); the pcap holds them; the whole run is deterministic. Also `mlk boot
// --machines 2`. The stack above the driver: stack.test.ts and transfer.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Machine } from '../../hw/machine';
import { CNTFRQ } from '../../hw/memmap';
import { Network } from '../../hw/net';
import { PcapWriter, parsePcap } from '../../hw/pcap';
import { VIRTIO_STATUS_DRIVER_OK, VIRTIO_STATUS_FEATURES_OK } from '../../hw/virtio-mmio';

const root = new URL('../../', import.meta.url).pathname;
let kernel: WebAssembly.Module;
let bootImage: Uint8Array;

beforeAll(() => {
  kernel = new WebAssembly.Module(readFileSync(join(root, 'build', 'kernel.wasm')));
  bootImage = readFileSync(join(root, 'build', 'bootimage.cpio'));
});

async function boot(n: number, opts: { loss?: number; seed?: number } = {}) {
  const machines: Machine[] = [];
  const out: string[] = [];
  for (let k = 1; k <= n; k++) {
    const m = await Machine.create({ kernel, bootImage, machineIndex: k, bootargs: 'mlk.check=1' });
    out.push('');
    m.on('uart', (b) => { out[k - 1] += Buffer.from(b).toString('latin1'); });
    machines.push(m);
  }
  const capture = new PcapWriter();
  const net = new Network(machines, { ...opts, capture });
  return { machines, out, net, capture };
}

/** Runs until every machine's output has `text` (or the virtual-time bound). */
function runUntil(s: Awaited<ReturnType<typeof boot>>, texts: string[], seconds = 2): void {
  const end = s.net.time + seconds * CNTFRQ;
  while (s.net.time < end && !texts.every((t, i) => s.out[i].includes(t))) s.net.run(CNTFRQ / 100);
  for (const m of s.machines) expect(m.halted).toBeNull();
}

const GARP_FROM = (k: number) => `rx 60 bytes from 02:00:00:00:00:0${k} to ff:ff:ff:ff:ff:ff type 0x0806, no client: dropped`;

describe('two machines on one switch', () => {
  it('netdrv brings each NIC up, announces it, and the other machine receives the frame', async () => {
    const s = await boot(2);
    runUntil(s, [GARP_FROM(2), GARP_FROM(1)]);
    // the network stacks announce themselves once they have attached to their driver
    const stackEnd = s.net.time + 2 * CNTFRQ;
    while (s.net.time < stackEnd && parsePcap(s.capture.bytes()).records.length < 4) s.net.run(CNTFRQ / 100);
    expect(s.out[0]).toContain('netdrv: virtio-net 02:00:00:00:00:01, link up (rx ring 8, tx ring 4)');
    expect(s.out[1]).toContain('netdrv: virtio-net 02:00:00:00:00:02, link up (rx ring 8, tx ring 4)');
    expect(s.out[1]).toContain(GARP_FROM(1));
    expect(s.out[0]).toContain(GARP_FROM(2));
    for (const [i, m] of s.machines.entries()) {
      const st = m.net.state();
      // the Linux sequence completed, through the DART: no device error, no DART fault
      expect(st.transport.status).toBe(1 | 2 | VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
      expect(st.transport.error).toBeNull();
      expect(st.transport.negotiated).toBe(1n << 32n | 1n << 33n | 1n << 5n | 1n << 16n);
      expect(m.dart.faults).toBe(0);
      expect(st).toMatchObject({ mac: `02:00:00:00:00:0${i + 1}`, link: true, rxDropped: 0 });
    }
    // the capture: gratuitous ARP requests for 10.0.0.k from 02:00:00:00:00:0k, one from each
    // netdrv as its link comes up, one from each network stack as it starts
    const pcap = parsePcap(s.capture.bytes());
    expect(pcap.linktype).toBe(1);
    expect(pcap.records.length).toBe(4);
    const senders = pcap.records.map((r) => {
      const f = r.data;
      expect(f.length).toBe(60);
      expect([...f.subarray(0, 6)]).toEqual([255, 255, 255, 255, 255, 255]);
      expect([...f.subarray(12, 22)]).toEqual([0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 1]);
      const k = f[11];
      expect([...f.subarray(22, 32)]).toEqual([2, 0, 0, 0, 0, k, 10, 0, 0, k]); // sha, spa
      expect([...f.subarray(38, 42)]).toEqual([10, 0, 0, k]); // tpa = spa: gratuitous
      return k;
    });
    expect(senders.sort()).toEqual([1, 1, 2, 2]);
    expect(s.net.switch.table.size).toBe(2);
  }, 120_000);

  it('netdrv recovers from DEVICE_NEEDS_RESET: a corrupt receive ring makes it reset and set the device up again', async () => {
    const s = await boot(2);
    runUntil(s, [GARP_FROM(2), GARP_FROM(1)]);
    s.net.run(CNTFRQ / 50); // the network stacks start and announce themselves too
    // ARP frames machine 1 sent (the capture holds every frame the switch got)
    const arpsFrom1 = () => parsePcap(s.capture.bytes()).records.filter((r) => r.data[11] === 1 && r.data[12] === 8 && r.data[13] === 6).length;
    const before = arpsFrom1();
    const nic = s.machines[0].net;
    const rx = nic.transport.queues[0];
    // the available index jumps 100 entries ahead (a driver bug), then a frame arrives from the wire
    expect(s.machines[0].dart.port(1).write(rx.availAddr + 2, Uint8Array.of(100, 0))).toBe(true);
    nic.receive(Uint8Array.from([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xb5, ...new Array(46).fill(0)]));
    expect(nic.transport.error).toMatch(/available index 100 runs \d+ entries ahead/);
    runUntil(s, ['netdrv: device needs reset: resetting', '']);
    s.net.run(CNTFRQ / 20);
    expect(nic.transport.error).toBeNull();
    expect(nic.transport.live).toBe(true);
    // it announced itself again after the reset
    expect(arpsFrom1()).toBe(before + 1);
    expect(s.machines[0].halted).toBeNull();
  }, 180_000);

  it('is deterministic: the same run gives the same capture, byte for byte, and the same clocks', async () => {
    const a = await boot(2), b = await boot(2);
    for (const s of [a, b]) s.net.run(CNTFRQ / 20);
    expect(a.capture.frames).toBe(4);
    expect(Buffer.from(a.capture.bytes()).equals(Buffer.from(b.capture.bytes()))).toBe(true);
    expect(a.machines.map((m) => [m.clock.ticks, m.instructions])).toEqual(b.machines.map((m) => [m.clock.ticks, m.instructions]));
    expect(a.out).toEqual(b.out);
  }, 120_000);

  it('with --net-loss 1 nothing crosses the wire, and each netdrv still comes up', async () => {
    const s = await boot(2, { loss: 1, seed: 3 });
    s.net.run(CNTFRQ / 20);
    expect(s.out[0]).toContain('netdrv: virtio-net 02:00:00:00:00:01, link up');
    expect(s.capture.frames).toBe(0);
    expect(s.net.switch.stats.lost).toBe(4);
    expect(s.machines.map((m) => m.net.state().rxFrames)).toEqual([0, 0]);
  }, 120_000);

  it('a lone machine has its NIC with the link down: netdrv sets it up and stays quiet', async () => {
    const m = await Machine.create({ kernel, bootImage, bootargs: 'mlk.check=1' });
    let out = '';
    m.on('uart', (b) => { out += Buffer.from(b).toString('latin1'); });
    m.run(CNTFRQ / 20);
    expect(m.halted).toBeNull();
    expect(out).toContain('init: started netdrv');
    expect(out).not.toContain('netdrv:');
    expect(m.net.state()).toMatchObject({ link: false, txFrames: 0 });
    expect(m.net.state().transport.status & VIRTIO_STATUS_DRIVER_OK).toBeTruthy();
  }, 60_000);
});

describe('mlk boot --machines 2', () => {
  it('shows machine 1 only, takes --input-K, writes the pcap, and rejects bad network options', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlk-net-'));
    const pcapFile = join(dir, 'wire.pcap');
    const r = spawnSync(process.execPath, [join(root, 'bin/mlk.js'), 'boot', '--machines', '2', '--pcap', pcapFile,
      '--input-2', 'echo two\\r', '--until', GARP_FROM(2), '--max-time', '5'], { cwd: root, encoding: 'latin1', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('02:00:00:00:00:01, link up');
    expect(r.stdout).not.toContain('02:00:00:00:00:02, link up'); // machine 2's UART is not shown
    expect(existsSync(pcapFile)).toBe(true);
    const pcap = parsePcap(readFileSync(pcapFile));
    expect([...new Set(pcap.records.map((x) => x.data[11]))].sort()).toEqual([1, 2]);
    const bad = spawnSync(process.execPath, [join(root, 'bin/mlk.js'), 'boot', '--machines', '2', '--input-3', 'x', '--until', 'x'], { cwd: root, encoding: 'latin1' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--input-3: there are only 2 machine(s)');
    const loss = spawnSync(process.execPath, [join(root, 'bin/mlk.js'), 'boot', '--net-loss', '2', '--until', 'x'], { cwd: root, encoding: 'latin1' });
    expect(loss.status).toBe(2);
    expect(loss.stderr).toContain('--net-loss needs a probability');
  }, 180_000);
});
