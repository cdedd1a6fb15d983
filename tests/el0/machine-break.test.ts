// Code breakpoints on the whole machine: a function breakpoint on a service of the real boot image
// stops the machine right before the function's first instruction, in user mode, after the same
// number of instructions and ticks every time and in either tier; running on steps over it.
import { describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../../hw/machine';
import { imageKey } from '../../hw/el0/debug';
import { disassemble, wasmInfo } from '../../hw/el0/disasm';
import { readCpio } from '../../host/cpio.mjs';
import { kernel, root } from '../kernel/mlk';

execFileSync(process.execPath, ['scripts/build.mjs', 'services'], { cwd: root, stdio: 'inherit' }); // the boot image, if stale
const bootImage = new Uint8Array(readFileSync(join(root, 'build', 'bootimage.cpio')));
const shell = readCpio(bootImage).find((f) => f.name === 'shell.wasm')!.data;
const info = wasmInfo(shell);
const func = Math.min(...info.bodies.keys()); // the runtime's allocator: every command line calls it
const entry = disassemble(shell, func, info).find((l) => !/^(block|loop|nop)$/.test(l.mnemonic))!.offset;

async function runToBreak(jitThreshold: number) {
  const m = await Machine.create({ kernel: kernel(), bootImage });
  m.el0.jitThreshold = jitThreshold;
  let out = '';
  m.on('uart', (b) => { out += new TextDecoder().decode(b); });
  for (let i = 0; i < 400 && !/mlk> /.test(out); i++) m.run(1_000_000);
  expect(out).toMatch(/mlk> /);
  m.el0.setBreakpoints([{ image: imageKey(shell), func, offset: -1 }]);
  m.uartInput('ps\r');
  for (let i = 0; i < 200 && !m.el0.atBreakpoint; i++) m.run(1_000_000);
  return { m, at: m.el0.location(), instructions: m.instructions, ticks: m.clock.ticks };
}

describe('code breakpoints on the machine', () => {
  test('a function breakpoint on the shell stops before its first instruction, deterministically in both tiers', async () => {
    const a = await runToBreak(2000);
    expect(a.m.el0.atBreakpoint).toBe(true);
    expect(a.m.cpu.el).toBe(0);
    expect(a.at).not.toBeNull();
    expect([a.at!.func, a.at!.pc, a.at!.offset]).toEqual([func, 0, entry]);
    const b = await runToBreak(2000);
    const c = await runToBreak(Infinity);
    expect([b.instructions, b.ticks]).toEqual([a.instructions, a.ticks]);
    expect([c.instructions, c.ticks]).toEqual([a.instructions, a.ticks]);

    // running on executes the instruction (step over) and stops at the next call, later
    const m = a.m;
    const before = m.instructions;
    for (let i = 0; i < 200; i++) { m.run(1_000_000); if (m.el0.atBreakpoint) break; }
    expect(m.el0.atBreakpoint).toBe(true);
    expect(m.instructions).toBeGreaterThan(before);
    expect(m.el0.location()!.offset).toBe(entry);

    // disarmed, the machine runs on and the shell answers
    m.el0.setBreakpoints([]);
    let out = '';
    m.on('uart', (x) => { out += new TextDecoder().decode(x); });
    for (let i = 0; i < 400 && !/mlk> /.test(out); i++) m.run(1_000_000);
    expect(out).toMatch(/PID|pid|init/);
  }, 120_000);
});
