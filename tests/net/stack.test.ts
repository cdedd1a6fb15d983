// The network stack (services/net) on two machines, through the shell, with the invariant checker
// on: ping (ICMP on the wire, RTT in virtual ms), ARP, a UDP round trip, HTTP over TCP (a file one
// machine's shell wrote, fetched by the other), errors for an absent host and a closed port, a
// hostile client (netrogue) and malformed frames from the wire — after which the stack still serves.
import { beforeAll, describe, expect, it } from 'vitest';
import { CNTFRQ } from '../../hw/memmap';
import { parsePcap } from '../../hw/pcap';
import { bootMachines, command, runUntil, type Pair } from './pair';
import { IP, MAC, decodeIp, ethernet, ipv4, tcp, udp } from './frames';

let s: Pair;
beforeAll(async () => {
  s = await bootMachines(2);
  runUntil(s, 1, 'mlk> ', 5);
  runUntil(s, 2, 'mlk> ', 5);
}, 120_000);

const ipFrames = () => parsePcap(s.capture.bytes()).records.map((r) => decodeIp(r.data)).filter((x) => x !== null);

describe('the network stack on two machines', () => {
  it('ping -c 3: three echo replies with their round-trip time, the summary, ICMP on the wire', () => {
    expect(s.out[0]).toContain('net: eth0 10.0.0.1/24, 02:00:00:00:00:01');
    const o = command(s, 1, 'ping -c 3 10.0.0.2');
    expect(o).toContain('PING 10.0.0.2 (10.0.0.2) 56(84) bytes of data.');
    const rtts = [...o.matchAll(/64 bytes from 10\.0\.0\.2: icmp_seq=(\d) ttl=64 time=(\d+\.\d{3}) ms/g)];
    expect(rtts.map((m) => m[1])).toEqual(['1', '2', '3']);
    for (const m of rtts) expect(Number(m[2])).toBeGreaterThan(0);
    expect(o).toContain('3 packets transmitted, 3 received, 0% packet loss');
    expect(o).toMatch(/rtt min\/avg\/max = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms/);
    // on the wire: echo requests 10.0.0.1 → 10.0.0.2 and replies back, every checksum right
    const icmp = ipFrames().filter((f) => f.proto === 1);
    const requests = icmp.filter((f) => f.p[0] === 8 && f.src.join('.') === '10.0.0.1');
    const replies = icmp.filter((f) => f.p[0] === 0 && f.src.join('.') === '10.0.0.2');
    expect(requests.length).toBe(3);
    expect(replies.length).toBe(3);
    for (const f of icmp) expect(f.ipOk && f.l4Ok).toBe(true);
    expect(replies.map((f) => (f.p[6] << 8) | f.p[7])).toEqual([1, 2, 3]);
    expect(command(s, 1, 'arp')).toMatch(/10\.0\.0\.2\s+ether\s+02:00:00:00:00:02\s+C/);
  });

  it('a UDP round trip: nc -u to port 7, echoed by the other stack', () => {
    expect(command(s, 1, 'nc -u 10.0.0.2 7 hello over udp')).toBe('hello over udp\n');
    const dgrams = ipFrames().filter((f) => f.proto === 17);
    expect(dgrams.length).toBe(2);
    for (const f of dgrams) expect(f.ipOk && f.l4Ok).toBe(true);
    expect((dgrams[1].p[0] << 8) | dgrams[1].p[1]).toBe(7); // the answer comes from port 7
  });

  it('get fetches over TCP a file the other machine\'s shell wrote; a missing one is a 404', () => {
    command(s, 2, 'echo written on machine two > /tmp/note');
    expect(command(s, 1, 'get http://10.0.0.2/tmp/note')).toBe('written on machine two\n');
    runUntil(s, 2, 'httpd: 10.0.0.1 GET /tmp/note 200');
    expect(command(s, 1, 'get http://10.0.0.2/nope')).toContain('get: HTTP/1.0 404 Not Found');
    // the handshake and the close on the wire: SYN, SYN+ACK, ..., FIN both ways; every checksum right
    const segs = ipFrames().filter((f) => f.proto === 6);
    for (const f of segs) expect(f.ipOk && f.l4Ok).toBe(true);
    const flags = segs.map((f) => f.p[13]);
    expect(flags.filter((x) => x === 0x02).length).toBe(2); // SYN
    expect(flags.filter((x) => x === 0x12).length).toBe(2); // SYN+ACK
    expect(flags.filter((x) => (x & 0x01) !== 0).length).toBe(4); // FIN, each side, each connection
    // machine 2: the listener, and the closed connections waiting out TIME_WAIT
    expect(command(s, 2, 'netstat')).toMatch(/tcp\s+0\s+0 0\.0\.0\.0:80\s+0\.0\.0\.0:\*\s+LISTEN/);
    expect(command(s, 1, 'ifconfig')).toMatch(/inet 10\.0\.0\.1 {2}netmask 255\.255\.255\.0[\s\S]*ether 02:00:00:00:00:01[\s\S]*RX packets \d+/);
  });

  it('an absent host is unreachable once ARP gives up; a closed port refuses', () => {
    const o = command(s, 1, 'ping -c 1 10.0.0.9');
    expect(o).toContain('Destination Host Unreachable');
    expect(o).toContain('1 packets transmitted, 0 received, +1 errors, 100% packet loss');
    // three ARP requests for it, then nothing
    const who = parsePcap(s.capture.bytes()).records.filter((r) => r.data[12] === 8 && r.data[13] === 6 && r.data[41] === 9);
    expect(who.length).toBe(3);
    expect(command(s, 1, 'get http://10.0.0.9/x')).toBe('get: 10.0.0.9: Destination Host Unreachable\n');
    expect(command(s, 1, 'get http://10.0.0.2:81/x')).toBe('get: 10.0.0.2:81: Connection refused\n');
    expect(command(s, 1, 'arp')).toMatch(/10\.0\.0\.9\s+\(failed\)/);
  });

  it('a hostile client gets an error for every bad call, and the stack keeps serving', () => {
    command(s, 1, 'spawn netrogue');
    const o = runUntil(s, 1, /netrogue: \d+ checks, \d+ surprises/);
    expect(o).toMatch(/netrogue: 43 checks, 0 surprises/);
    expect(command(s, 1, 'get http://10.0.0.2/tmp/note')).toBe('written on machine two\n');
  });

  it('nc -l PORT and nc HOST PORT: typed lines cross a TCP connection both ways; Ctrl-D ends it', () => {
    const from1 = s.out[0].length, from2 = s.out[1].length;
    s.machines[1].uartInput('nc -l 5182\r');
    s.net.run(CNTFRQ / 10);
    s.machines[0].uartInput('nc 10.0.0.2 5182\r');
    s.net.run(CNTFRQ / 2);
    s.machines[0].uartInput('hello from one\r');
    s.net.run(CNTFRQ / 2);
    // machine 2 takes its turn: its line goes out, then what arrived is printed
    s.machines[1].uartInput('hi from two\r');
    runUntil(s, 2, 'hello from one', 5, from2);
    s.machines[0].uartInput('bye\r');
    runUntil(s, 1, 'hi from two', 5, from1);
    s.machines[0].uartInput('\x04'); // Ctrl-D: machine 1 closes and is back at its prompt
    runUntil(s, 1, /\nmlk> $/, 5, from1);
    s.machines[1].uartInput('ok\r'); // machine 2 prints the rest and sees the close
    const o2 = runUntil(s, 2, /\nmlk> $/, 5, from2);
    expect(o2).toMatch(/^bye\r?$/m);
    // the conversation was TCP to port 5182 on the wire, and nothing is left listening
    const port = (f: { p: Uint8Array }) => [(f.p[0] << 8) | f.p[1], (f.p[2] << 8) | f.p[3]];
    expect(ipFrames().some((f) => f!.proto === 6 && port(f!).includes(5182))).toBe(true);
    expect(command(s, 2, 'netstat')).not.toMatch(/5182\s.*LISTEN/);
    expect(command(s, 1, 'nc 10.0.0.2 5182')).toContain('nc: 10.0.0.2:5182: Connection refused');
  });

  it('malformed frames and a SYN flood from the wire are dropped and counted; nothing restarts', () => {
    const nic = s.machines[1].net;
    const before = /malformed (\d+)/.exec(command(s, 2, 'ifconfig'))![1];
    // one frame per virtual millisecond, as a wire would bring them (a burst beyond the driver's
    // receive ring would be dropped by the driver, not by the stack)
    const wire = (f: Uint8Array) => { nic.receive(f); s.net.run(CNTFRQ / 1000); };
    const to2 = (payload: number[]) => wire(ethernet(MAC(2), MAC(1), 0x0800, payload));
    to2([0x45, 0, 0]); // truncated IP header
    to2(ipv4(IP(1), IP(2), 17, udp(IP(1), IP(2), 5, 7, [1, 2, 3]), { badChecksum: true })); // IP checksum
    to2(ipv4(IP(1), IP(2), 17, udp(IP(1), IP(2), 5, 7, [1, 2, 3]), { totalLength: 900 })); // longer than the frame
    to2(ipv4(IP(1), IP(2), 17, udp(IP(1), IP(2), 5, 7, [1, 2, 3], { length: 300 }))); // UDP length beyond the packet
    to2(ipv4(IP(1), IP(2), 6, tcp(IP(1), IP(2), 4000, 80, 1, 0, 0x02, [], { badChecksum: true }))); // TCP checksum
    to2(ipv4(IP(1), IP(2), 6, [1, 2, 3])); // a TCP header cut short
    to2(ipv4(IP(1), IP(2), 17, udp(IP(1), IP(2), 5, 7, [1]), { flags: 0x2000 })); // a fragment
    wire(ethernet(MAC(2), MAC(1), 0x0806, [0, 1, 8, 0, 6, 4, 0, 9])); // ARP with a bogus operation
    // a SYN flood from an address that never answers: 20 SYNs for port 80, backlog 4
    for (let i = 0; i < 20; i++) to2(ipv4([10, 0, 0, 50], IP(2), 6, tcp([10, 0, 0, 50], IP(2), 1000 + i, 80, 7 * i, 0, 0x02)));
    s.net.run(CNTFRQ / 10);
    const after = command(s, 2, 'ifconfig');
    expect(Number(/malformed (\d+)/.exec(after)![1]) - Number(before)).toBeGreaterThanOrEqual(8 + 16);
    // the half-open connections go when ARP for 10.0.0.50 gives up; then machine 1 is served again
    s.net.run(CNTFRQ);
    expect(command(s, 1, 'get http://10.0.0.2/tmp/note')).toBe('written on machine two\n');
    expect(command(s, 2, 'netstat')).not.toContain('10.0.0.50');
    for (const o of s.out) expect(o).not.toMatch(/init: (net|netdrv|httpd) \(tid \d+\) (faulted|killed|exited)/);
    for (const m of s.machines) expect(m.halted).toBeNull();
  });
});
