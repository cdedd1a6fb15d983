// virtio-mmio v2 + virtio-net (hw/virtio-mmio.ts, hw/virtio-queue.ts, hw/virtio-net.ts) driven the
// way Linux's virtio_mmio.c / virtio_net.c drive them (tests/net/linux-virtio.ts), with DMA behind
// a real DART stream.
import { beforeEach, describe, expect, it } from 'vitest';
import * as V from '../../hw/virtio-mmio';
import { VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS, VIRTIO_NET_HDR_LEN, type VirtioNet } from '../../hw/virtio-net';
import { DmaBench, LinuxVirtioNet, NET_IRQ, newNic } from './linux-virtio';

const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
function frame(dst: number[], src: number[], type: number, payload: number[]): Uint8Array {
  return Uint8Array.from([...dst, ...src, type >> 8, type & 0xff, ...payload]);
}
const ARP = frame(BROADCAST, [2, 0, 0, 0, 0, 1], 0x0806, Array.from({ length: 46 }, (_, i) => i));

describe('virtio-mmio transport and virtio-net', () => {
  let bench: DmaBench;
  let nic: VirtioNet;
  let linux: LinuxVirtioNet;
  const line = () => bench.aic.state().lines.find((l) => l.irq === NET_IRQ)?.level ?? false;

  beforeEach(() => {
    bench = new DmaBench();
    nic = newNic(bench);
    linux = new LinuxVirtioNet(bench, nic);
  });

  it('identifies itself as a version 2 network device and offers MAC, STATUS, VERSION_1, ACCESS_PLATFORM', () => {
    expect(linux.r(V.VIRTIO_MMIO_MAGIC)).toBe(0x74726976);
    expect(linux.r(V.VIRTIO_MMIO_VERSION)).toBe(2);
    expect(linux.r(V.VIRTIO_MMIO_DEVICE_ID)).toBe(1);
    linux.w(V.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
    expect(linux.r(V.VIRTIO_MMIO_DEVICE_FEATURES)).toBe((1 << VIRTIO_NET_F_MAC | 1 << VIRTIO_NET_F_STATUS) >>> 0);
    linux.w(V.VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
    expect(linux.r(V.VIRTIO_MMIO_DEVICE_FEATURES)).toBe(0b11);
    expect(linux.r(V.VIRTIO_MMIO_QUEUE_NUM_MAX)).toBe(256);
    linux.w(V.VIRTIO_MMIO_QUEUE_SEL, 2);
    expect(linux.r(V.VIRTIO_MMIO_QUEUE_NUM_MAX)).toBe(0); // no control queue
    expect(linux.r(V.VIRTIO_MMIO_QUEUE_NOTIFY)).toBe(0); // write-only reads 0
  });

  it('negotiates features through the status state machine; refuses a set without VERSION_1 or with unknown bits', () => {
    expect(linux.probe(1n << 32n | 1n << 5n)).toBe(1n << 32n | 1n << 5n);
    expect(linux.status()).toBe(V.VIRTIO_STATUS_ACKNOWLEDGE | V.VIRTIO_STATUS_DRIVER | V.VIRTIO_STATUS_FEATURES_OK);
    expect(nic.transport.negotiated).toBe(1n << 32n | 1n << 5n);
    expect(() => linux.probe(1n << 5n)).toThrow('device refuses features'); // legacy driver
    expect(linux.status() & V.VIRTIO_STATUS_FAILED).toBeTruthy();
    // a driver writing bits that were not offered (e.g. CSUM) is refused too
    linux.w(V.VIRTIO_MMIO_STATUS, 0);
    linux.addStatus(1); linux.addStatus(2);
    linux.w(V.VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1); linux.w(V.VIRTIO_MMIO_DRIVER_FEATURES, 1);
    linux.w(V.VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0); linux.w(V.VIRTIO_MMIO_DRIVER_FEATURES, 1);
    linux.addStatus(V.VIRTIO_STATUS_FEATURES_OK);
    expect(linux.status() & V.VIRTIO_STATUS_FEATURES_OK).toBe(0);
  });

  it('shows the MAC and the link in config space; a link change bumps ConfigGeneration and interrupts', () => {
    linux.up();
    expect(linux.config()).toEqual({ mac: '02:00:00:00:00:01', link: 0 });
    const gen = linux.r(V.VIRTIO_MMIO_CONFIG_GENERATION);
    nic.setLink(true);
    expect(linux.r(V.VIRTIO_MMIO_CONFIG_GENERATION)).toBe(gen + 1);
    expect(line()).toBe(true);
    expect(linux.interrupt()).toBe(V.VIRTIO_MMIO_INT_CONFIG);
    expect(line()).toBe(false);
    expect(linux.config()).toEqual({ mac: '02:00:00:00:00:01', link: 1 });
  });

  it('transmits a frame (one or two descriptors), strips the header, returns the buffer and interrupts', () => {
    const sent: Uint8Array[] = [];
    nic.onTransmit = (f) => sent.push(f);
    nic.setLink(true);
    linux.up();
    linux.interrupt();
    linux.xmit(ARP);
    linux.xmit(ARP, true);
    expect(sent.map((f) => [...f])).toEqual([[...ARP], [...ARP]]);
    expect(line()).toBe(true);
    expect(linux.interrupt()).toBe(V.VIRTIO_MMIO_INT_VRING);
    expect(linux.q[1].lastUsed).toBe(2);
    expect(linux.q[1].free.length).toBe(16);
    expect(nic.state()).toMatchObject({ txFrames: 2, txBytes: 2 * ARP.length, txDropped: 0 });
  });

  it('receives frames into the posted buffers with num_buffers = 1; keeps a backlog while no buffer is posted', () => {
    nic.setLink(true);
    linux.up(2);
    linux.interrupt();
    for (let i = 0; i < 3; i++) nic.receive(frame([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2], 0x0800, [i, 1, 2, 3]));
    expect(nic.state().backlog).toBe(1); // two buffers posted
    const hdr = linux.getBytes(Number(linux.dv.getBigUint64(linux.q[0].pa - 0x8_0000_0000, true)), VIRTIO_NET_HDR_LEN);
    expect([...hdr]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    linux.interrupt(); // consumes two, posts two more (and kicks nothing yet)
    linux.kick(0);
    linux.interrupt();
    expect(linux.received.map((f) => f[14])).toEqual([0, 1, 2]);
    expect(linux.received[0].length).toBe(18);
    expect(nic.state()).toMatchObject({ rxFrames: 3, rxDropped: 0, backlog: 0 });
  });

  it('drops frames while the link is down and offloads it did not negotiate', () => {
    const sent: Uint8Array[] = [];
    nic.onTransmit = (f) => sent.push(f);
    linux.up();
    nic.receive(ARP);
    linux.xmit(ARP);
    expect(sent.length).toBe(0);
    expect(linux.received.length).toBe(0);
    nic.setLink(true);
    // NEEDS_CSUM in the header: not negotiated
    const q = linux.q[1];
    const buf = linux.alloc(1);
    linux.putBytes(buf, Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...ARP]));
    const d = q.free.shift()!;
    linux.putDesc(q, d, buf, 12 + ARP.length, 0);
    linux.publish(q, d);
    linux.kick(1);
    expect(sent.length).toBe(0);
    expect(nic.state().txDropped).toBe(1);
    expect(nic.transport.error).toBeNull();
  });

  it('does not touch queues before DRIVER_OK', () => {
    const sent: Uint8Array[] = [];
    nic.onTransmit = (f) => sent.push(f);
    nic.setLink(true);
    linux.probe(1n << 32n | 1n << 5n);
    linux.setupQueue(0, 8);
    linux.setupQueue(1, 8);
    linux.xmit(ARP);
    expect(sent.length).toBe(0);
    linux.addStatus(V.VIRTIO_STATUS_DRIVER_OK); // the device goes live and looks at its queues
    expect(sent.length).toBe(1);
  });

  it('resets on Status = 0: status, queues and interrupt status cleared, line low, the link kept', () => {
    nic.setLink(true);
    linux.up();
    nic.receive(ARP);
    expect(line()).toBe(true);
    linux.w(V.VIRTIO_MMIO_STATUS, 0);
    expect(linux.status()).toBe(0);
    expect(line()).toBe(false);
    expect(linux.r(V.VIRTIO_MMIO_INTERRUPT_STATUS)).toBe(0);
    linux.w(V.VIRTIO_MMIO_QUEUE_SEL, 0);
    expect(linux.r(V.VIRTIO_MMIO_QUEUE_READY)).toBe(0);
    expect(nic.transport.negotiated).toBe(0n);
    // and the whole sequence works again
    const again = new LinuxVirtioNet(bench, nic, 0x40_0000);
    again.up();
    nic.receive(ARP);
    again.interrupt();
    expect(again.received.length).toBe(1);
  });

  describe('malformed rings set DEVICE_NEEDS_RESET (and never throw)', () => {
    beforeEach(() => {
      nic.setLink(true);
      linux.up(0);
      linux.interrupt();
    });
    const expectNeedsReset = (match: RegExp) => {
      expect(linux.status() & V.VIRTIO_STATUS_DEVICE_NEEDS_RESET).toBeTruthy();
      expect(nic.transport.error).toMatch(match);
      expect(linux.interrupt() & V.VIRTIO_MMIO_INT_CONFIG).toBeTruthy();
      // dead until reset: more kicks are ignored
      linux.kick(1);
      expect(nic.transport.live).toBe(false);
    };

    it('a head index beyond the queue size', () => {
      linux.publish(linux.q[1], 99);
      linux.kick(1);
      expectNeedsReset(/descriptor index 99 out of range/);
    });

    it('a next index beyond the queue size', () => {
      const buf = linux.alloc(1);
      linux.putDesc(linux.q[1], 0, buf, 12, 1, 40);
      linux.publish(linux.q[1], 0);
      linux.kick(1);
      expectNeedsReset(/descriptor index 40 out of range/);
    });

    it('a chain that loops', () => {
      const buf = linux.alloc(1);
      linux.putDesc(linux.q[1], 0, buf, 12, 1, 1);
      linux.putDesc(linux.q[1], 1, buf, 12, 1, 0);
      linux.publish(linux.q[1], 0);
      linux.kick(1);
      expectNeedsReset(/loops/);
    });

    it('a buffer at an IO address the driver never mapped: a DART fault, not a host access', () => {
      linux.putDesc(linux.q[1], 0, 0x3000_0000, 60, 0);
      linux.publish(linux.q[1], 0);
      const faults = bench.dart.faults;
      linux.kick(1);
      expect(bench.dart.faults).toBe(faults + 1);
      expect(bench.dart.lastFault?.sid).toBe(1);
      expectNeedsReset(/not reachable through the DART/);
    });

    it('an available index far ahead of the ring', () => {
      linux.put16(linux.q[1].avail + 2, 1000);
      linux.kick(1);
      expectNeedsReset(/runs 1000 entries ahead/);
    });

    it('INDIRECT without negotiation; a readable descriptor after a writable one', () => {
      const buf = linux.alloc(1);
      linux.putDesc(linux.q[1], 0, buf, 16, 4);
      linux.publish(linux.q[1], 0);
      linux.kick(1);
      expectNeedsReset(/INDIRECT/);
      const l2 = new LinuxVirtioNet(bench, nic, 0x80_0000);
      l2.up(0);
      l2.putDesc(l2.q[1], 0, buf, 16, 2 | 1, 1);
      l2.putDesc(l2.q[1], 1, buf, 16, 0);
      l2.publish(l2.q[1], 0);
      l2.kick(1);
      expect(nic.transport.error).toMatch(/readable after writable/);
    });

    it('a queue size that is not a power of two', () => {
      const l2 = new LinuxVirtioNet(bench, nic, 0x80_0000);
      l2.probe(1n << 32n);
      l2.w(V.VIRTIO_MMIO_QUEUE_SEL, 0);
      l2.w(V.VIRTIO_MMIO_QUEUE_NUM, 3);
      l2.w(V.VIRTIO_MMIO_QUEUE_READY, 1);
      expect(l2.status() & V.VIRTIO_STATUS_DEVICE_NEEDS_RESET).toBeTruthy();
      expect(l2.r(V.VIRTIO_MMIO_QUEUE_READY)).toBe(0);
    });
  });

  it('survives arbitrary register writes without throwing', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    nic.setLink(true);
    for (let i = 0; i < 20000; i++) {
      const off = (rnd() % 0x110) & ~3;
      if (rnd() & 1) nic.transport.write32(off, rnd());
      else nic.transport.read32(off);
      if (i % 100 === 0) nic.receive(ARP);
    }
  });
});
