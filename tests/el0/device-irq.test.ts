// An interrupt raised by an EL0 store to a device is taken at the next instruction boundary, on the
// whole machine: a minimal kernel ERETs to an EL0 program that sets a software-asserted AIC line with
// a store, then spins; the IRQ vector must see ELR = the instruction right after the store.
import { describe, expect, test } from 'vitest';
import { Machine } from '../../hw/machine';
import { PageTableBuilder } from '../../hw/mmu';
import { REG } from '../../hw/el0/core';
import { decodeProgram } from '../../hw/el0/decode';
import { INSN_START, PC_ENTER } from '../../hw/el0/module';
import { SYSREG } from '../../hw/sysregs';
import { AIC_BASE, DRAM_BASE } from '../../hw/memmap';
import { AIC_MASK_CLR, AIC_SW_SET } from '../../hw/aic';
import { VECTOR } from '../../hw/esr';

const wabtP = import('wabt').then((m) => m.default());
const PAGE = 4096;
const IMG_VA = 0x1_0000_0000, GP_VA = 0x1_8000_0000, STACK_VA = 0x2_0000_0000, DEV_VA = 0x8000;

describe.each([{ name: 'interpreter', jit: Infinity }, { name: 'jit', jit: 0 }])('a device store raising an IRQ ($name)', ({ jit }) => {
  test('the IRQ is taken at the next instruction, with ELR = the instruction after the store', async () => {
    const wabt = await wabtP;
    const wat = (t: string) => { const m = wabt.parseWat('t.wat', t); try { return new Uint8Array(m.toBinary({}).buffer); } finally { m.destroy(); } };
    const kernel = wat(`(module
      (import "env" "memory" (memory 1))
      (import "mach" "mrs" (func $mrs (param i32) (result i64)))
      (import "mach" "msr" (func $msr (param i32 i64)))
      (import "mach" "eret" (func $eret))
      (import "mach" "halt" (func $halt (param i32)))
      (global $vec (mut i32) (i32.const -1)) (global $elr (mut i64) (i64.const 0))
      (export "vec" (global $vec)) (export "elr" (global $elr))
      (func (export "kmain") (param i64)
        (call $msr (i32.const ${SYSREG.VBAR_EL1}) (i64.const 0x800))
        (call $msr (i32.const ${SYSREG.SPSR_EL1}) (i64.const 0)) ;; EL0t, DAIF clear
        (call $msr (i32.const ${SYSREG.ELR_EL1}) (i64.const ${PC_ENTER})) ;; enter function 0
        (call $eret))
      (func (export "vector") (param $off i32)
        (global.set $vec (local.get $off))
        (global.set $elr (call $mrs (i32.const ${SYSREG.ELR_EL1})))
        (call $halt (i32.const 7))))`);
    // spin 100 iterations, set AIC line 5 (SW_SET), then spin forever
    const prog = wat(`(module (memory 1)
      (func (export "f") (local i32)
        (loop $l (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br_if $l (i32.lt_u (local.get 0) (i32.const 100))))
        (i32.store (i32.const ${DEV_VA}) (i32.const ${1 << 5}))
        (loop $m (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br $m))))`);
    const m = await Machine.create({ kernel });
    m.el0.jitThreshold = jit;

    // page tables and the program's pages, in RAM the machine does not use
    let next = DRAM_BASE + 8 * 1024 * 1024;
    const alloc = () => { const pa = next; next += PAGE; m.ram.u8.fill(0, pa - DRAM_BASE, pa - DRAM_BASE + PAGE); return pa; };
    const pt = new PageTableBuilder(m.ram, alloc, 0);
    const img = alloc();
    m.ram.u8.set(prog, img - DRAM_BASE);
    pt.map(IMG_VA, img, PAGE, { ap: 3, uxn: false, pxn: true, ng: true });
    for (const va of [GP_VA, 0, STACK_VA, STACK_VA + PAGE]) pt.map(va, alloc(), PAGE, { ap: 1, uxn: true, pxn: true, ng: true });
    pt.map(DEV_VA, AIC_BASE + (AIC_SW_SET & ~0xfff), PAGE, { ap: 1, uxn: true, pxn: true, ng: true });
    m.mmu.setRegs({ sctlr: 1n, tcr: 16n | (1n << 23n) | (5n << 32n) /* IPS 48-bit: RAM lies above 4 GiB */, ttbr0: BigInt(pt.root) | (1n << 48n), ttbr1: 0n, mair: 0xffn });
    m.bus.write32(AIC_BASE + AIC_MASK_CLR, 1 << 5); // unmask line 5
    const r = m.el0.regs;
    r[REG.IMG] = BigInt(IMG_VA); r[REG.IMGLEN] = BigInt(prog.length);
    r[REG.GP] = BigInt(GP_VA); r[REG.SP] = BigInt(STACK_VA); r[REG.SPLIM] = BigInt(STACK_VA + 2 * PAGE);
    r[REG.MEMPAGES] = 1n; r[REG.MEMMAX] = 1n;

    const res = m.run(10_000_000);
    expect(m.halted?.reason).toBe('kernel halted (code 7)');
    expect(res.reason).toBe('halted');
    const ex = m.kernelExports as unknown as { vec: WebAssembly.Global; elr: WebAssembly.Global };
    expect(ex.vec.value).toBe(VECTOR.LOWER_IRQ);
    // ELR: function 0, the instruction after the i32.store
    const code = decodeProgram(prog).funcs[0];
    let store = -1;
    for (let pc = 0; pc < code.code.length; pc++) if ((code.insn[pc] & INSN_START) && code.code[pc] === 0x36) store = pc;
    expect(store).toBeGreaterThan(0);
    expect(ex.elr.value).toBe(BigInt(store + 2));
    // nothing of the endless loop after the store ran (100 iterations before it: under 1,000 instructions)
    expect(m.instructions).toBeLessThan(1000);
  });
});
