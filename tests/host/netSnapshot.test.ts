// The virtio-net NIC is part of a machine's snapshot (hw/snapshot.ts): a machine restored from a
// state of its booted self — as the page's first visit restores the build's boot snapshot — has a
// live NIC its driver can use, so when the Network view plugs it into a switch later its link comes
// up and it pings machine 2. Before the NIC was kept, the restored device was at reset (no
// DRIVER_OK, no queues) while netdrv believed it configured: nothing ever reached the wire.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Machine } from '../../hw/machine';
import { CNTFRQ } from '../../hw/memmap';
import { Network } from '../../hw/net';
import { captureState, restoreState } from '../../hw/snapshot';

const root = new URL('../../', import.meta.url).pathname;

it('a machine restored from a snapshot joins a network later and pings machine 2', async () => {
  const kernel = new Uint8Array(readFileSync(join(root, 'build', 'kernel.wasm'))); // bytes: a machine from them can be snapshotted
  const bootImage = readFileSync(join(root, 'build', 'bootimage.cpio'));
  const create = (k: number) => Machine.create({ kernel, bootImage, machineIndex: k, bootargs: 'mlk.check=1' });
  const booted = await create(1);
  booted.run(CNTFRQ / 2); // to the prompt, alone, link down
  const state = captureState(booted);
  expect(state.devices.net).toBeDefined();

  const m1 = await create(1);
  restoreState(m1, state);
  expect(m1.net.state().transport).toEqual(booted.net.state().transport);
  let out = '';
  m1.on('uart', (b) => { out += Buffer.from(b).toString('latin1'); });
  const m2 = await create(2);
  while (m2.clock.ticks < m1.clock.ticks) m2.run(Math.min(2_000_000, m1.clock.ticks - m2.clock.ticks));
  const net = new Network([m1, m2]);
  net.run(CNTFRQ / 10);
  expect(out).toContain('netdrv: link up');
  m1.uartInput('ping -c 1 10.0.0.2\r');
  const end = net.time + 3 * CNTFRQ;
  while (net.time < end && !out.includes('packet loss')) net.run(CNTFRQ / 100);
  expect(out).toContain('1 packets transmitted, 1 received, 0% packet loss');
  expect(m1.halted).toBeNull();
  expect(m2.halted).toBeNull();
}, 120_000);

it('a bad NIC snapshot is refused and the machine left as it was', async () => {
  const kernel = new Uint8Array(readFileSync(join(root, 'build', 'kernel.wasm'))); // bytes: a machine from them can be snapshotted
  const m = await Machine.create({ kernel, machineIndex: 1 });
  const state = captureState(m);
  const bad = { ...state, devices: { ...state.devices, net: { link: 'yes' } } };
  expect(() => restoreState(m, bad)).toThrow(/VirtioNet.restore: bad snapshot/);
  const worse = { ...state, devices: { ...state.devices, net: { ...(state.devices.net as object), transport: { status: -1 } } } };
  expect(() => restoreState(m, worse)).toThrow(/virtio-net.restore: bad snapshot/);
});
