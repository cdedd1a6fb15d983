// Host baseline without a C compiler (bench/host.ts falls back to it): the same two figures as
// hostcalls.c, timed in this Node process. `process.ppid` calls getppid(2) on every read
// (libuv uv_os_getppid), so its cost is the system call plus Node's getter. The pipe round trip
// sends one byte to a child process that echoes it back; each leg goes through both event loops,
// so this figure is an upper bound on the kernel's pipe round trip. Prints the JSON line hostcalls.c does.
import { spawn } from 'node:child_process';

if (process.argv[2] === 'echo') {
  process.stdin.on('data', (b) => process.stdout.write(b));
} else {
  const n = Number(process.argv[2] ?? 200000);
  let sys = Infinity, sysCpu = Infinity;
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage(), t0 = process.hrtime.bigint();
    let s = 0;
    for (let i = 0; i < n; i++) s += process.ppid;
    if (s === 0.5) console.error(s); // keeps the loop
    sys = Math.min(sys, Number(process.hrtime.bigint() - t0) / n);
    const c = process.cpuUsage(c0);
    sysCpu = Math.min(sysCpu, (c.user + c.system) * 1e3 / n);
  }
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, 'echo'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const byte = Buffer.from([0]);
  const trips = Math.max(1000, Math.floor(n / 40));
  let rt = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < trips; i++) {
      await new Promise((resolve) => { child.stdout.once('data', resolve); child.stdin.write(byte); });
    }
    rt = Math.min(rt, Number(process.hrtime.bigint() - t0) / trips);
  }
  child.kill();
  console.log(JSON.stringify({ syscallNs: Math.round(sys * 10) / 10, syscallCpuNs: Math.round(sysCpu * 10) / 10, pipeRoundTripNs: Math.round(rt * 10) / 10 }));
}
