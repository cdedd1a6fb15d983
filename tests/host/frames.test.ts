// host/frames.ts, the decoder of the page's frame list: known-good bytes built as the RFCs draw
// them, malformed ones (it must say what is wrong and never throw), and the real frames of a ping
// and an HTTP fetch between two booted machines. Also the Network's held quantum (hw/net.ts): a
// machine its host stops early (stopRequested) finishes the quantum before the switch delivers,
// so stopping a networked run changes nothing of what happens.

import { describe, expect, it } from 'vitest';
import { decodeFrame, hexDump, macName, tcpFlags } from '../../host/frames';
import { ethernet, ipv4, tcp, udp, MAC, IP } from '../net/frames';
import { bootMachines, command } from '../net/pair';
import { parsePcap } from '../../hw/pcap';
import { CNTFRQ } from '../../hw/memmap';

const arpRequest = () =>
  ethernet([255, 255, 255, 255, 255, 255], MAC(1), 0x0806, [0, 1, 8, 0, 6, 4, 0, 1, ...MAC(1), ...IP(1), 0, 0, 0, 0, 0, 0, ...IP(2)]);

function icmpEcho(type: number, id: number, seq: number): number[] {
  const p = [type, 0, 0, 0, id >> 8, id & 255, seq >> 8, seq & 255, 1, 2, 3, 4];
  let sum = 0;
  for (let i = 0; i < p.length; i += 2) sum += (p[i] << 8) | p[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  p[2] = c >> 8;
  p[3] = c & 255;
  return p;
}

describe('decodeFrame', () => {
  it('decodes ARP, ICMP, UDP and TCP as tcpdump prints them', () => {
    expect(decodeFrame(arpRequest()).summary).toBe('ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28');
    const ping = decodeFrame(ethernet(MAC(2), MAC(1), 0x0800, ipv4(IP(1), IP(2), 1, icmpEcho(8, 7, 1))));
    expect(ping.protocol).toBe('ICMP');
    expect(ping.summary).toBe('IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 7, seq 1, length 12');
    expect(macName(ping.src)).toBe('machine 1');
    const u = decodeFrame(ethernet(MAC(1), MAC(2), 0x0800, ipv4(IP(2), IP(1), 17, udp(IP(2), IP(1), 5000, 53, [1, 2, 3]))));
    expect(u.summary).toBe('IP 10.0.0.2.5000 > 10.0.0.1.53: UDP, length 3');
    const syn = decodeFrame(ethernet(MAC(2), MAC(1), 0x0800, ipv4(IP(1), IP(2), 6, tcp(IP(1), IP(2), 49152, 80, 1000, 0, 0x02))));
    expect(syn.summary).toBe('IP 10.0.0.1.49152 > 10.0.0.2.80: Flags [S], seq 1000, win 4096, length 0');
    const data = decodeFrame(ethernet(MAC(1), MAC(2), 0x0800, ipv4(IP(2), IP(1), 6, tcp(IP(2), IP(1), 80, 49152, 5, 1001, 0x18, [104, 105]))));
    expect(data.summary).toBe('IP 10.0.0.2.80 > 10.0.0.1.49152: Flags [P.], seq 5:7, ack 1001, win 4096, length 2');
    expect(data.layers.map((l) => l.name)).toEqual(['Ethernet', 'IPv4', 'TCP']);
    expect(tcpFlags(0x12)).toBe('S.');
    expect(tcpFlags(0x11)).toBe('F.');
  });

  it('says what is wrong with a malformed frame and never throws', () => {
    expect(decodeFrame(new Uint8Array(5)).summary).toBe('runt frame (5 bytes)');
    expect(decodeFrame(arpRequest().subarray(0, 20)).summary).toMatch(/ARP, truncated/);
    expect(decodeFrame(ethernet(MAC(2), MAC(1), 0x0800, ipv4(IP(1), IP(2), 1, icmpEcho(8, 1, 1), { badChecksum: true }))).summary).toMatch(/\[bad ip cksum\]$/);
    expect(decodeFrame(ethernet(MAC(2), MAC(1), 0x0800, ipv4(IP(1), IP(2), 6, tcp(IP(1), IP(2), 1, 2, 3, 4, 2, [], { badChecksum: true })))).summary).toMatch(/\[bad tcp cksum\]$/);
    expect(decodeFrame(ethernet(MAC(2), MAC(1), 0x0800, ipv4(IP(1), IP(2), 1, icmpEcho(8, 1, 1), { totalLength: 900 }))).summary).toMatch(/bogus lengths/);
    for (let n = 0; n < 80; n++) expect(() => decodeFrame(arpRequest().subarray(0, n))).not.toThrow();
    expect(hexDump(Uint8Array.of(0x41, 0, 0x7f))).toEqual(['0000  41 00 7f' + ' '.repeat(39) + '  A..']);
  });
});

describe('the frames of two booted machines', () => {
  it('ping and an HTTP fetch decode as ARP, ICMP echo and a TCP connection', async () => {
    const s = await bootMachines(2);
    expect(command(s, 1, 'ping -c 1 10.0.0.2')).toContain('1 packets transmitted, 1 received, 0% packet loss');
    expect(command(s, 1, 'get http://10.0.0.2/etc/motd')).not.toBe('');
    const lines = parsePcap(s.capture.bytes()).records.map((r) => decodeFrame(r.data).summary);
    expect(lines).toContain('ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28');
    expect(lines.some((l) => /^ARP, Reply 10\.0\.0\.2 is-at 02:00:00:00:00:02/.test(l))).toBe(true);
    expect(lines.some((l) => /^IP 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request, id \d+, seq 1, length \d+$/.test(l))).toBe(true);
    expect(lines.some((l) => /^IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply, id \d+, seq 1, length \d+$/.test(l))).toBe(true);
    expect(lines.some((l) => /^IP 10\.0\.0\.1\.\d+ > 10\.0\.0\.2\.80: Flags \[S\], seq \d+, win \d+, length 0$/.test(l))).toBe(true);
    expect(lines.some((l) => /^IP 10\.0\.0\.2\.80 > 10\.0\.0\.1\.\d+: Flags \[S\.\], seq \d+, ack \d+/.test(l))).toBe(true);
    expect(lines.some((l) => /> 10\.0\.0\.2\.80: Flags \[F?P?\.\]/.test(l))).toBe(true);
    expect(lines.filter((l) => /bad|bogus|truncated/.test(l))).toEqual([]);
  }, 120_000);

  it('a machine stopped mid-quantum finishes it before the switch delivers: the run is unchanged', async () => {
    const run = async (stopEvery: number) => {
      const s = await bootMachines(2);
      s.net.run(CNTFRQ / 5);
      s.machines[0].uartInput('ping -c 2 10.0.0.2\r');
      let stops = 0;
      if (stopEvery > 0) s.machines[0].on('trace', (r) => { if (r.seq % stopEvery === 0) s.machines[0].stopRequested = true; });
      const end = s.net.time + CNTFRQ * 3;
      while (s.net.time < end) if (!s.net.run(CNTFRQ / 100)) stops++;
      return { out: s.out[0], pcap: s.capture.bytes(), stops };
    };
    const plain = await run(0);
    const stopped = await run(7);
    expect(stopped.stops).toBeGreaterThan(0);
    expect(plain.out).toContain('2 packets transmitted, 2 received, 0% packet loss');
    expect(stopped.out).toBe(plain.out);
    expect(Buffer.from(stopped.pcap).equals(Buffer.from(plain.pcap))).toBe(true);
  }, 180_000);
});
