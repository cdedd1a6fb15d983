// The learning switch (hw/switch.ts) and the pcap writer (hw/pcap.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CNTFRQ } from '../../hw/memmap';
import { LINKTYPE_ETHERNET, PcapWriter, parsePcap } from '../../hw/pcap';
import { EthernetSwitch, seededRandom } from '../../hw/switch';

const mac = (k: number) => [2, 0, 0, 0, 0, k];
const BCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
function frame(dst: number[], src: number[], tag = 0): Uint8Array {
  return Uint8Array.from([...dst, ...src, 0x88, 0xb5, tag, ...new Array(45).fill(0)]); // local experimental ethertype
}
const ports = (d: { port: number }[]) => d.map((x) => x.port);

describe('Ethernet switch', () => {
  it('floods unknown and broadcast destinations, learns sources, then forwards unicast to one port', () => {
    const sw = new EthernetSwitch(3);
    sw.ingress(0, frame(mac(2), mac(1)), 10); // 2 unknown: flood
    expect(ports(sw.forward())).toEqual([1, 2]);
    sw.ingress(1, frame(mac(1), mac(2)), 20); // 1 learned on port 0
    expect(ports(sw.forward())).toEqual([0]);
    sw.ingress(0, frame(mac(2), mac(1)), 30); // 2 learned on port 1
    expect(ports(sw.forward())).toEqual([1]);
    sw.ingress(2, frame(BCAST, mac(3)), 40);
    expect(ports(sw.forward())).toEqual([0, 1]);
    sw.ingress(0, frame(mac(1), mac(9)), 50); // destination behind the ingress port: filtered
    expect(sw.forward()).toEqual([]);
    expect(sw.table.size).toBe(4);
    expect(sw.stats).toMatchObject({ received: 5, flooded: 2, unicast: 2, filtered: 1 });
  });

  it('never learns a group source address; counts and discards runts', () => {
    const sw = new EthernetSwitch(2);
    sw.ingress(0, frame(mac(2), BCAST), 1);
    sw.ingress(1, Uint8Array.of(1, 2, 3), 2);
    sw.forward();
    expect(sw.table.size).toBe(0);
    expect(sw.stats.runts).toBe(1);
  });

  it('forwards a batch in virtual-time order, whatever order the machines ran in', () => {
    const a = new EthernetSwitch(2), b = new EthernetSwitch(2);
    a.ingress(0, frame(BCAST, mac(1), 1), 300); a.ingress(1, frame(BCAST, mac(2), 2), 100);
    b.ingress(1, frame(BCAST, mac(2), 2), 100); b.ingress(0, frame(BCAST, mac(1), 1), 300);
    const tags = (s: EthernetSwitch) => s.forward().map((d) => [d.ticks, d.frame[14]]);
    expect(tags(a)).toEqual([[100, 2], [300, 1]]);
    expect(tags(b)).toEqual([[100, 2], [300, 1]]);
  });

  it('drops frames with the given probability from a seeded generator, the same ones for the same seed', () => {
    const run = (seed: number) => {
      const sw = new EthernetSwitch(2, { loss: 0.3, seed });
      const got: number[] = [];
      for (let i = 0; i < 1000; i++) {
        sw.ingress(0, frame(BCAST, mac(1), i & 0xff), i);
        for (const d of sw.forward()) got.push(d.ticks);
      }
      return { got, lost: sw.stats.lost };
    };
    const r1 = run(7), r2 = run(7), r3 = run(8);
    expect(r1).toEqual(r2);
    expect(r1.got).not.toEqual(r3.got);
    expect(r1.lost).toBeGreaterThan(240);
    expect(r1.lost).toBeLessThan(360);
    expect(new EthernetSwitch(2, { loss: 0 }).stats.lost).toBe(0);
    expect(() => new EthernetSwitch(2, { loss: 1.5 })).toThrow(/probability/);
    const r = seededRandom(1);
    expect(r()).not.toBe(r());
  });
});

describe('pcap', () => {
  it('writes a libpcap file with linktype Ethernet and virtual-time stamps that parses back', () => {
    const cap = new PcapWriter();
    const sw = new EthernetSwitch(2, { capture: cap });
    sw.ingress(0, frame(BCAST, mac(1), 1), CNTFRQ * 2 + CNTFRQ / 4); // 2.25 s
    sw.ingress(1, frame(mac(1), mac(2), 2), CNTFRQ * 3);
    sw.forward();
    const file = cap.bytes();
    expect([...file.subarray(0, 4)]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);
    const p = parsePcap(file);
    expect(p.linktype).toBe(LINKTYPE_ETHERNET);
    expect(p.records.map((r) => [r.sec, r.usec, r.origLen, r.data[14]])).toEqual([[2, 250000, 60, 1], [3, 0, 60, 2]]);
    expect(file.length).toBe(24 + 2 * (16 + 60));
    expect(() => parsePcap(file.subarray(0, 30))).toThrow(/truncated/);
    if (existsSync('/usr/sbin/tcpdump')) {
      const dir = mkdtempSync(join(tmpdir(), 'mlk-pcap-'));
      writeFileSync(join(dir, 'a.pcap'), file);
      const out = execFileSync('/usr/sbin/tcpdump', ['-nn', '-e', '-r', join(dir, 'a.pcap')], { encoding: 'utf8' });
      expect(out).toContain('02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff');
    }
  });

  it('stops at its size limit: the file holds the frames that fit, the rest are counted as left out', () => {
    const frame = new Uint8Array(60).fill(7);
    const w = new PcapWriter(24 + 2 * (16 + 60));
    for (let i = 0; i < 5; i++) w.add(i * CNTFRQ, frame);
    expect(w.frames).toBe(2);
    expect(w.leftOut).toBe(3);
    const file = w.bytes();
    expect(file.length).toBe(24 + 2 * (16 + 60));
    expect(parsePcap(file).records.map((r) => r.sec)).toEqual([0, 1]);
  });
});
