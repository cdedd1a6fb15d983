// End-to-end boot of kernel-as/ on the modelled machine: banner, memory map, devices, the timer
// tick (deterministic across boots), UART echo, and a kernel fault ending in a panic + halt.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Machine } from '../../hw/machine';
import type { TraceRecord } from '../../hw/trace';
import { TRACE_KINDS as kinds } from '../../host/abi';

const root = fileURLToPath(new URL('../../', import.meta.url));
const KIND = Object.fromEntries(kinds.map((k) => [k.name, k.kind])) as Record<string, number>;
const PERIOD = 240_000; // 24 MHz / 100 Hz

let kernel: WebAssembly.Module;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', 'kernel'], { cwd: root, stdio: 'inherit' });
  kernel = new WebAssembly.Module(readFileSync(new URL('build/kernel.wasm', `file://${root}`)));
}, 120_000);

interface Booted {
  m: Machine;
  out: () => string;
  halts: { code: number; reason: string }[];
}

async function boot(opts: { bootargs?: string; bootImage?: Uint8Array } = {}): Promise<Booted> {
  const m = await Machine.create({ kernel, ...opts });
  let out = '';
  const halts: { code: number; reason: string }[] = [];
  m.on('uart', (b) => { out += Buffer.from(b).toString('latin1'); });
  m.on('halt', (h) => halts.push(h));
  return { m, out: () => out, halts };
}

const strip = (s: string) => s.replace(/\r/g, '').replace(/^\[ *\d+\.\d{6}\] /gm, '');
const ticks = (m: Machine) => (m.kernelExports.ki_ticks as () => bigint)();
const recs = (m: Machine): TraceRecord[] => m.trace.records();

describe('kernel boot', () => {
  it('prints the banner, the memory map and the devices found in the FDT', async () => {
    const { m, out } = await boot({ bootImage: new Uint8Array(10_000).fill(7) });
    m.run(PERIOD / 2);
    const log = strip(out());
    expect(log.split('\n')[0]).toBe('Hello from MyLittleKernel!');
    expect(log).toMatch(/RAM +\[mem 0x0000000800000000-0x0000000803ffffff\] 64 MiB/);
    expect(log).toMatch(/reserved +\[mem 0x0000000800000000-0x[0-9a-f]+\] kernel image \+ frame map/);
    expect(log).toMatch(/reserved +\[mem 0x0000000803ff0000-0x0000000803ffffff\] device tree \(FDT\)/);
    const initrd = m.bootImageRange!;
    expect(log).toContain(`[mem 0x${initrd.start.toString(16).padStart(16, '0')}-0x${(initrd.end - 1).toString(16).padStart(16, '0')}] initrd (boot image)`);
    expect(log).toMatch(/free +\[mem 0x[0-9a-f]+-0x[0-9a-f]+\] \d+ KiB/);
    expect(log).toMatch(/frames: 16384 x 4 KiB, \d+ free, \d+ in use/);
    expect(log).toMatch(/serial@235200000 +apple,s5l-uart +\[mmio 0x235200000-0x235200fff\] irq 605 \(console\)/);
    expect(log).toMatch(/interrupt-controller@23b100000 +apple,aic +\[mmio 0x23b100000-0x23b107fff\]/);
    expect(log).toMatch(/timer +arm,armv8-timer +fiq 2/);
    expect(log).toMatch(/trace@23f000000 +mlk,trace-ring/);
    expect(log).toMatch(/block@23f010000 +mlk,block .* irq 700/);
    expect(log).toContain('AIC: AICv1 at 0x23b100000, 896 IRQs, all masked, routed to CPU0');
    expect(log).toContain('mlk: boot complete, idling with interrupts enabled');
    // The frame allocator's free count matches the printed free memory.
    const free = Number(/Memory: (\d+)K\//.exec(log)![1]);
    // The kernel core took the longest free run (kernel pool + init's Untyped); the rest stays free.
    expect((m.kernelExports.ki_frames_free as () => number)() + (m.kernelExports.ki_frames_core as () => number)()).toBe(free / 4);
    // Every boot stage in order (0..9), then idle (wfi) with no tick yet.
    const stages = recs(m).filter((r) => r.kind === KIND.BOOT_STAGE).map((r) => r.args[0]);
    expect(stages).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(ticks(m)).toBe(0n);
    expect(m.status().idle).toBe(true);
    expect(m.halted).toBeNull();
  });

  it('ticks at 100 Hz, deterministically', async () => {
    const a = await boot();
    const b = await boot();
    for (const x of [a, b]) { x.m.run(24_000_000); x.m.uartInput('ab'); x.m.run(PERIOD * 3 + 17); }
    expect(ticks(a.m)).toBe(ticks(b.m));
    expect(ticks(a.m)).toBeGreaterThanOrEqual(100n);
    expect(a.out()).toBe(b.out());
    expect(recs(a.m)).toEqual(recs(b.m));
    expect(strip(a.out())).toContain('timer: 100 Hz tick running');
    expect(strip(a.out()).match(/tick running/g)).toHaveLength(1);
    const tickRecs = recs(a.m).filter((r) => r.kind === KIND.TICK);
    expect(tickRecs.length).toBe(Number(ticks(a.m)));
    // Ticks are one period apart.
    for (let i = 1; i < tickRecs.length; i++) expect(tickRecs[i].ticks - tickRecs[i - 1].ticks).toBe(PERIOD);
  });

  it('echoes UART input through the IRQ path', async () => {
    const { m, out } = await boot();
    m.run(PERIOD);
    const before = out().length;
    m.uartInput('ls /\r');
    m.run(PERIOD);
    expect(out().slice(before)).toContain('ls /\r\n');
    const irqs = recs(m).filter((r) => r.kind === KIND.IRQ);
    expect(irqs.length).toBeGreaterThan(0);
    expect(irqs.every((r) => r.args[0] === 605)).toBe(true);
    const rx = recs(m).filter((r) => r.kind === KIND.UART_RX).reduce((n, r) => n + r.args[0], 0);
    expect(rx).toBe(5);
  });

  it('a kernel fault panics with ESR/ELR/FAR and halts the machine', async () => {
    const { m, out, halts } = await boot({ bootargs: 'mlk.test=panic' });
    let result;
    expect(() => { result = m.run(24_000_000); }).not.toThrow();
    expect(result!.reason).toBe('halted');
    const log = strip(out());
    expect(log).toContain('Kernel panic - not syncing: kernel fault (synchronous exception at EL1)');
    expect(log).toContain('EC 0x25: data abort from current EL');
    expect(log).toContain('DFSC 0x10: synchronous external abort, read');
    expect(log).toMatch(/ESR_EL1: 0x0000000096000010 +ELR_EL1: 0x[0-9a-f]{16}/);
    expect(log).toMatch(/FAR_EL1: 0x0000000000000000/);
    expect(halts).toHaveLength(1);
    expect(halts[0].code).toBe(1);
    const panic = recs(m).filter((r) => r.kind === KIND.PANIC);
    expect(panic).toHaveLength(1);
    expect(panic[0].args[0]).toBe(0x200);
    expect(panic[0].args[1]).toBe(0x96000010);
  });
});
