// The machine never throws out of run()/step(): a JavaScript exception inside the EL0 core while it
// runs user code is trap 13 delivered to the thread (with the kernel's FAULT trace record), and one
// anywhere else in the model stops the machine with a "machine check" report.
import { describe, expect, test } from 'vitest';
import { boot, image, runUntil } from '../kernel/mlk';
import { TRACE_FAULT } from '../../host/abi';

describe('machine check', () => {
  test('an exception inside the EL0 core becomes trap 13 for the running thread; the machine goes on', async () => {
    const b = await boot(await image(['hello']));
    const faults: number[][] = [];
    b.m.on('trace', (r) => { if (r.kind === TRACE_FAULT) faults.push(r.args); });
    const core = b.m.el0 as unknown as { exec: (fuel: number) => number };
    const exec = core.exec;
    let thrown = 0;
    core.exec = function (this: unknown, fuel: number) {
      if (thrown === 0) { thrown++; throw new TypeError('injected model bug'); }
      return exec.call(this, fuel);
    };
    const log = runUntil(b, (l) => /faulted/.test(l), 50_000_000);
    expect(thrown).toBe(1);
    expect(b.halts).toEqual([]);
    expect(log).toMatch(/faulted: WebAssembly trap: internal error in the EL0 core/);
    expect(b.m.el0.hostErrors).toBe(1);
    const f = faults.find((a) => a[4] === 13);
    expect(f).toBeDefined();
    // the machine still runs (and is not halted) afterwards
    expect(b.m.run(1_000_000).reason).not.toBe('halted');
  });

  test('an exception elsewhere in the model halts with a machine-check report, run() does not throw', async () => {
    const b = await boot(await image(['hello']));
    b.m.run(100_000);
    // a device model bug: the interrupt controller throws when sampled
    (b.m.aic as unknown as { irqOutput: () => boolean }).irqOutput = () => { throw new RangeError('injected device bug'); };
    let r: ReturnType<typeof b.m.run> | undefined;
    expect(() => { r = b.m.run(1_000_000); }).not.toThrow();
    expect(r!.reason).toBe('halted');
    expect(b.halts).toHaveLength(1);
    const h = b.halts[0];
    expect(h.code).toBe(5);
    expect(h.reason).toBe('machine check: RangeError: injected device bug');
    expect(h.report).toMatch(/ESR_EL1 0x[0-9a-f]{16} {2}ELR_EL1 0x/);
    expect(h.report).toMatch(/FAR_EL1 0x/);
    expect(h.report).toMatch(/EL0 registers:\n\s+x0 {2}0x/);
    expect(h.report).toMatch(/JavaScript stack:\n\s+RangeError: injected device bug/);
    // halted stays halted, step() does not throw either
    expect(b.m.step().reason).toBe('halted');
  });
});
