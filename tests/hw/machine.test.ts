// The machine's exception model and run loop, driven by tiny hand-written kernels (WAT) so that
// each rule of the kernel ⇄ machine boundary (docs/ARCHITECTURE.md) is checked on its own.
import { describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { Machine } from '../../hw/machine';
import { SYSREG } from '../../hw/sysregs';
import { UART0_BASE } from '../../hw/memmap';

const wabt = await wabtInit();

/** A kernel module around `body` (which defines $kmain and $vector). */
function kernel(body: string): Uint8Array {
  const text = `(module
    (import "env" "memory" (memory 1))
    (import "mach" "mmio_read32" (func $mmio_read32 (param i64) (result i32)))
    (import "mach" "mmio_write32" (func $mmio_write32 (param i64 i32)))
    (import "mach" "mrs" (func $mrs (param i32) (result i64)))
    (import "mach" "msr" (func $msr (param i32 i64)))
    (import "mach" "eret" (func $eret))
    (import "mach" "wfi" (func $wfi))
    (import "mach" "halt" (func $halt (param i32)))
    (global $count (mut i32) (i32.const 0))
    (global $esr (mut i64) (i64.const 0))
    (global $far (mut i64) (i64.const 0))
    (export "count" (global $count))
    (export "esr" (global $esr))
    (export "far" (global $far))
    ${body})`;
  const mod = wabt.parseWat('k.wat', text);
  return new Uint8Array(mod.toBinary({}).buffer);
}

const VBAR = SYSREG.VBAR_EL1;
const CNTP_TVAL = SYSREG.CNTP_TVAL_EL0;
const CNTP_CTL = SYSREG.CNTP_CTL_EL0;
const ESR = SYSREG.ESR_EL1;
const FAR = SYSREG.FAR_EL1;
const num = (g: WebAssembly.ExportValue) => (g as WebAssembly.Global).value;

describe('machine: kernel entries', () => {
  it('stops with a report when an entry ends without eret() or wfi()', async () => {
    const m = await Machine.create({ kernel: kernel(`(func (export "kmain") (param i64)) (func (export "vector") (param i32))`) });
    expect(m.run(10).reason).toBe('halted');
    expect(m.halted?.reason).toMatch(/without eret\(\) or wfi\(\)/);
    expect(m.halted?.report).toMatch(/ESR_EL1 0x/);
  });

  it('reports a WebAssembly trap in the kernel as a panic, not a JavaScript exception', async () => {
    const m = await Machine.create({ kernel: kernel(`(func (export "kmain") (param i64) unreachable) (func (export "vector") (param i32))`) });
    expect(m.run(1000).reason).toBe('halted');
    expect(m.halted?.reason).toMatch(/WebAssembly trap in the kernel: unreachable/);
  });

  it('takes the timer FIQ at exactly the programmed time, through VBAR, and skips idle time', async () => {
    const m = await Machine.create({
      kernel: kernel(`
        (func (export "kmain") (param i64)
          (call $msr (i32.const ${VBAR}) (i64.const 0x800))
          (call $msr (i32.const ${CNTP_TVAL}) (i64.const 1000000))
          (call $msr (i32.const ${CNTP_CTL}) (i64.const 1))
          (call $msr (i32.const ${SYSREG.DAIF}) (i64.const 0))
          (call $wfi))
        (func (export "vector") (param $off i32)
          (if (i32.eq (local.get $off) (i32.const 0x300))
            (then
              (global.set $count (i32.add (global.get $count) (i32.const 1)))
              (call $msr (i32.const ${CNTP_TVAL}) (i64.const 1000000))))
          (call $msr (i32.const ${SYSREG.DAIF}) (i64.const 0))
          (call $wfi))`),
    });
    const t0 = m.clock.ticks;
    const r = m.run(3_500_000);
    expect(num(m.kernelExports.count)).toBe(3);
    expect(r.retired).toBe(0); // nothing ran at EL0: the idle path skipped time
    expect(m.status().idle).toBe(true);
    expect(m.clock.ticks).toBe(t0 + 3_500_000);
  });

  it('turns an MMIO access to a hole into a synchronous external abort at EL1', async () => {
    const m = await Machine.create({
      kernel: kernel(`
        (func (export "kmain") (param i64)
          (call $msr (i32.const ${VBAR}) (i64.const 0x800))
          (drop (call $mmio_read32 (i64.const 0x200000000)))
          (call $wfi))
        (func (export "vector") (param $off i32)
          (global.set $count (local.get $off))
          (global.set $esr (call $mrs (i32.const ${ESR})))
          (global.set $far (call $mrs (i32.const ${FAR})))
          (call $halt (i32.const 7)))`),
    });
    m.step();
    expect(num(m.kernelExports.count)).toBe(0x200);
    const esr = num(m.kernelExports.esr) as bigint;
    expect(Number(esr >> 26n)).toBe(0x25); // data abort, same EL
    expect(Number(esr & 0x3fn)).toBe(0x10); // synchronous external abort
    expect(num(m.kernelExports.far)).toBe(0x200000000n);
    expect(m.halted?.code).toBe(7);
  });

  it('turns an unknown system register into an undefined-instruction exception', async () => {
    const m = await Machine.create({
      kernel: kernel(`
        (func (export "kmain") (param i64)
          (call $msr (i32.const ${VBAR}) (i64.const 0x800))
          (drop (call $mrs (i32.const 0x7fff)))
          (call $wfi))
        (func (export "vector") (param $off i32)
          (global.set $esr (call $mrs (i32.const ${ESR})))
          (call $halt (i32.const 1)))`),
    });
    m.step();
    expect(Number((num(m.kernelExports.esr) as bigint) >> 26n)).toBe(0);
    expect(m.halted?.code).toBe(1);
  });

  it('halts when an exception arrives before vectors are installed', async () => {
    const m = await Machine.create({
      kernel: kernel(`
        (func (export "kmain") (param i64)
          (call $msr (i32.const ${CNTP_TVAL}) (i64.const 10))
          (call $msr (i32.const ${CNTP_CTL}) (i64.const 1))
          (call $msr (i32.const ${SYSREG.DAIF}) (i64.const 0))
          (call $wfi))
        (func (export "vector") (param i32) (call $wfi))`),
    });
    m.run(1000);
    expect(m.halted?.reason).toMatch(/no vector table/);
  });

  it('lets the kernel reach UART0 by MMIO and transmits to the host', async () => {
    const m = await Machine.create({
      kernel: kernel(`
        (func (export "kmain") (param i64)
          (call $mmio_write32 (i64.const ${UART0_BASE + 0x20}) (i32.const 0x4f))
          (call $mmio_write32 (i64.const ${UART0_BASE + 0x20}) (i32.const 0x4b))
          (call $wfi))
        (func (export "vector") (param i32) (call $wfi))`),
    });
    const out: number[] = [];
    m.on('uart', (b) => out.push(...b));
    m.run(10);
    expect(String.fromCharCode(...out)).toBe('OK');
  });
});
