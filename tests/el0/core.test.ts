// The EL0 core's exception model: precise restartable data aborts, the stack guard page, preemption
// at any instruction, SVC argument passing, trap reporting, determinism and context switching.
import { describe, expect, test } from 'vitest';
import { EC, ESR_IL, ESR_WNR, FSC, esr } from '../../hw/esr';
import { El0Core, REG, SVC_EXIT, SVC_SYSCALL, SVC_IMPORT_BASE, PC_EXITED } from '../../hw/el0/core';
import { World, STACK_VA, IMG_VA, type Instance, type Resolver } from '../../tools/el0/harness';
import { ProgramError, decodeProgram } from '../../hw/el0/decode';
import { TRAP } from '../../hw/el0/traps';
import { T } from '../../hw/el0/module';

import { wat } from './wat';

const noImports: Resolver = () => undefined;
/** map the first `bytes` of the stack region (the harness otherwise demand-maps it) */
function mapStack(inst: Instance, bytes = 64 * 1024): void {
  for (let p = 0; p < bytes; p += 4096) inst.mapPage(STACK_VA + p);
}
const ec = (v: number) => v >>> 26;

/** run the prepared call until an exception; returns instructions retired */
function runToException(w: World, fuel = 1e7): number {
  let total = 0;
  for (;;) {
    total += w.core.run(fuel);
    if (w.core.exception) return total;
  }
}

describe('data aborts are precise and restartable', () => {
  test('store to an unmapped page: exact ESR/FAR/ELR, map, ERET, the store completes', async () => {
    const bin = await wat(`(module (memory 1)
      (func (export "f") (param i32) (result i32)
        (i32.store (local.get 0) (i32.const 0x11223344))
        (i32.add (i32.load (local.get 0)) (i32.const 1))))`);
    const w = new World({ ramSize: 16 << 20 });
    const inst = w.instantiate(bin, noImports);
    mapStack(inst);
    inst.prepareCall(inst.exportedFunc('f'), [0x5344n]);
    const n1 = w.core.run(1000);
    const ex = w.core.exception!;
    expect(ex).not.toBeNull();
    // nothing is mapped near VA 0 yet: a translation fault at level 1
    expect(ex.esr).toBe(esr(EC.DABT_LOW, ESR_WNR | (FSC.TRANSLATION + 1)));
    expect(ex.esr & ESR_IL).toBe(ESR_IL);
    expect(ex.far).toBe(0x5344);
    expect(ex.elr).toBe(w.core.regs[REG.PC]);
    expect(n1).toBe(2); // local.get, i32.const retired; the store did not
    // nothing of the store happened: the page is still unmapped; map it and restart
    inst.mapPage(0x5000);
    w.core.eret();
    runToException(w);
    const ex2 = w.core.exception!;
    expect(ec(ex2.esr)).toBe(EC.SVC64);
    expect(ex2.esr & 0xffff).toBe(SVC_EXIT);
    expect(w.core.regs[0]).toBe(0x11223345n);
    expect(w.core.regs[REG.PC]).toBe(PC_EXITED);
  });

  test('a store spanning two pages checks both before writing anything', async () => {
    const bin = await wat(`(module (memory 1)
      (func (export "f") (param i32) (result i64)
        (i64.store (local.get 0) (i64.const 0x0807060504030201))
        (i64.load (local.get 0))))`);
    const w = new World({ ramSize: 16 << 20 });
    const inst = w.instantiate(bin, noImports);
    inst.mapPage(0x1000);
    mapStack(inst);
    inst.prepareCall(inst.exportedFunc('f'), [0x1ffcn]);
    w.core.run(1000);
    const ex = w.core.exception!;
    expect(ex.esr).toBe(esr(EC.DABT_LOW, ESR_WNR | (FSC.TRANSLATION + 3)));
    expect(ex.far).toBe(0x2000);
    expect(Array.from(inst.readUser(0x1ffc, 4))).toEqual([0, 0, 0, 0]);
    inst.mapPage(0x2000);
    w.core.eret();
    runToException(w);
    expect(w.core.regs[0]).toBe(0x0807060504030201n);
    expect(Array.from(inst.readUser(0x1ffc, 8))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('a read-only page gives a permission fault on store (WnR) but loads work', async () => {
    const bin = await wat(`(module (memory 1)
      (func (export "ld") (result i32) (i32.load (i32.const 0x3000)))
      (func (export "st") (i32.store (i32.const 0x3000) (i32.const 1))))`);
    const w = new World({ ramSize: 16 << 20 });
    const inst = w.instantiate(bin, noImports);
    // map 0x3000 read-only for EL0 by hand
    const pa = w.allocPage();
    w.ram.write32(pa, 0xabcd);
    (inst as unknown as { pt: { map: (va: number, pa: number, s: number, a: object) => void } }).pt.map(0x3000, pa, 4096, { ap: 3, uxn: true, ng: true });
    expect(inst.invoke('ld', [])).toEqual([0xabcdn]);
    inst.prepareCall(inst.exportedFunc('st'), []);
    w.core.run(100);
    const ex = w.core.exception!;
    expect(ec(ex.esr)).toBe(EC.DABT_LOW);
    expect(ex.esr & ESR_WNR).toBe(ESR_WNR);
    expect(ex.esr & 0x3c).toBe(FSC.PERMISSION);
    expect(ex.far).toBe(0x3000);
  });

  test('memory.grow maps nothing; the harness maps on the fault and the access restarts', async () => {
    const bin = await wat(`(module (memory 1 4)
      (func (export "f") (result i32)
        (drop (memory.grow (i32.const 2)))
        (i32.store (i32.const 0x2fff0) (i32.const 7))
        (i32.add (i32.load (i32.const 0x2fff0)) (memory.size))))`);
    const w = new World({ ramSize: 16 << 20 });
    const inst = w.instantiate(bin, noImports);
    const faults = w.stats.faults;
    expect(inst.invoke('f', [])).toEqual([10n]);
    expect(w.stats.faults).toBeGreaterThan(faults);
  });

  test.each([['interpreter', Infinity], ['jit', 0]])('deep recursion ends in a data abort at the guard page above SPLIM (%s)', async (_t, jitThreshold) => {
    const bin = await wat(`(module
      (func $r (export "r") (param i32) (result i32) (i32.add (call $r (local.get 0)) (i32.const 1))))`);
    const w = new World({ ramSize: 16 << 20, jitThreshold });
    const inst = w.instantiate(bin, noImports, { stackSize: 64 * 1024 });
    for (let p = 0; p < 64 * 1024; p += 4096) inst.mapPage(STACK_VA + p);
    inst.prepareCall(inst.exportedFunc('r'), [1n]);
    runToException(w);
    const ex = w.core.exception!;
    expect(ex.esr).toBe(esr(EC.DABT_LOW, ESR_WNR | (FSC.TRANSLATION + 3)));
    const splim = STACK_VA + 64 * 1024;
    expect(ex.far).toBeGreaterThanOrEqual(splim);
    expect(ex.far).toBeLessThan(splim + 4096);
    expect(Number(w.core.regs[REG.SP])).toBeLessThanOrEqual(splim);
    expect(() => inst.invoke('r', [1n])).toThrow(/guard page/);
  });
});

describe('preemption and determinism', () => {
  const prog = `(module (memory 1)
    (func $fib (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1))) (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func (export "main") (param i32) (result i64) (local i32) (local i64)
      (loop $l
        (i32.store (i32.mul (local.get 1) (i32.const 4)) (call $fib (i32.rem_u (local.get 1) (i32.const 15))))
        (local.set 2 (i64.add (i64.mul (local.get 2) (i64.const 31)) (i64.load32_u (i32.mul (local.get 1) (i32.const 4)))))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
      (local.get 2)))`;

  test.each([['interpreter', Infinity], ['jit', 0]])('run(fuel) stops after exactly fuel instructions and resuming gives the same result (%s)', async (_tier, jitThreshold) => {
    const bin = await wat(prog);
    const w = new World({ ramSize: 32 << 20, jitThreshold });
    const inst = w.instantiate(bin, noImports);
    for (let p = 0; p < 65536; p += 4096) inst.mapPage(p);
    for (let p = 0; p < 1 << 20; p += 4096) inst.mapPage(STACK_VA + p);
    inst.prepareCall(inst.exportedFunc('main'), [300n]);
    const whole = runToException(w, 1e9);
    const result = w.core.regs[0];
    expect(ec(w.core.exception!.esr)).toBe(EC.SVC64);
    for (const slice of [1, 7, 1000]) {
      inst.prepareCall(inst.exportedFunc('main'), [300n]);
      let total = 0;
      let runs = 0;
      for (;;) {
        const pcBefore = w.core.regs[REG.PC];
        const n = w.core.run(slice);
        total += n;
        runs++;
        if (w.core.exception) break;
        expect(n).toBe(slice);
        if (slice === 1 && runs < 50) expect(w.core.regs[REG.PC]).not.toBe(pcBefore);
        // an interrupt between instructions: the kernel saves and restores the register file
        w.core.saveContext(w.ram.base + 0x8000);
        w.core.regs.fill(0xdeadn);
        w.core.restoreContext(w.ram.base + 0x8000);
      }
      expect(total).toBe(whole);
      expect(w.core.regs[0]).toBe(result);
    }
  });

  test('the same program retires the same number of instructions every time, in every tier', async () => {
    const bin = await wat(prog);
    const counts: number[] = [];
    for (const jitThreshold of [Infinity, Infinity, 0, 0, 100]) {
      const w = new World({ ramSize: 32 << 20, jitThreshold });
      const inst = w.instantiate(bin, noImports);
      inst.invoke('main', [200n]);
      counts.push(inst.lastInstructions);
    }
    expect(counts[0]).toBeGreaterThan(1000);
    expect(new Set(counts).size).toBe(1);
  });
});

describe('SVC and imports', () => {
  test('mlk.svc passes nr in X7 and args in X0..X5; the result comes back in X0 after ERET', async () => {
    const bin = await wat(`(module
      (import "mlk" "svc" (func $svc (param i32 i64 i64 i64 i64 i64 i64) (result i64)))
      (import "mlk" "reg" (func $reg (param i32) (result i64)))
      (func (export "f") (result i64)
        (i64.add (call $svc (i32.const 42) (i64.const 1) (i64.const 2) (i64.const 3) (i64.const 4) (i64.const 5) (i64.const -6)) (call $reg (i32.const 5)))))`);
    const w = new World({ ramSize: 16 << 20 });
    const inst = w.instantiate(bin, noImports);
    mapStack(inst);
    inst.prepareCall(inst.exportedFunc('f'), []);
    runToException(w);
    const ex = w.core.exception!;
    expect(ex.esr).toBe(esr(EC.SVC64, SVC_SYSCALL));
    const r = w.core.regs;
    expect(r[7]).toBe(42n);
    expect(Array.from(r.subarray(0, 6))).toEqual([1n, 2n, 3n, 4n, 5n, 0xfffffffffffffffan]);
    // ELR is the instruction after the call
    expect(ex.elr & 0xffffffffn).toBeGreaterThan(0n);
    expect(ex.elr).toBe(r[REG.PC]);
    // the kernel switches away and back before returning
    w.core.saveContext(w.ram.base + 0x9000);
    w.core.regs.fill(0n);
    w.core.restoreContext(w.ram.base + 0x9000);
    w.core.regs[0] = 100n;
    w.core.eret();
    runToException(w);
    expect(w.core.exception!.esr).toBe(esr(EC.SVC64, SVC_EXIT));
    expect(w.core.regs[0]).toBe(94n); // 100 + X5 (= -6), wrapping
  });

  test('other imports raise SVC 0x100+k with raw-bit arguments', async () => {
    const bin = await wat(`(module
      (import "env" "a" (func $a (param i32)))
      (import "env" "b" (func $b (param f32 f64 i32) (result f64)))
      (func (export "f") (result f64)
        (call $a (i32.const -1))
        (call $b (f32.const -1.5) (f64.const 2.5) (i32.const 7))))`);
    const w = new World({ ramSize: 16 << 20 });
    const seen: bigint[][] = [];
    const inst = w.instantiate(bin, (imp) => imp.name === 'a'
      ? { kind: 'func', type: { params: [T.I32], results: [] }, call: (a) => { seen.push(a); return []; } }
      : { kind: 'func', type: { params: [T.F32, T.F64, T.I32], results: [T.F64] }, call: (a) => { seen.push(a); return [0x4010000000000000n]; } });
    mapStack(inst);
    inst.prepareCall(inst.exportedFunc('f'), []);
    runToException(w);
    expect(w.core.exception!.esr).toBe(esr(EC.SVC64, SVC_IMPORT_BASE + 0));
    expect(w.core.regs[0]).toBe(0xffffffffn);
    expect(inst.invoke('f', [])).toEqual([0x4010000000000000n]);
    expect(seen[1]).toEqual([0xbfc00000n, 0x4004000000000000n, 7n]);
  });
});

describe('traps', () => {
  const cases: [string, string, number][] = [
    ['(unreachable)', '', TRAP.UNREACHABLE],
    ['(drop (i32.div_s (i32.const 1) (i32.const 0)))', '', TRAP.DIV_ZERO],
    ['(drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))', '', TRAP.INT_OVERFLOW],
    ['(drop (i32.trunc_f32_s (f32.const nan)))', '', TRAP.INVALID_CONVERSION],
    ['(call_indirect (i32.const 5))', '(table 2 funcref)', TRAP.UNDEFINED_ELEMENT],
    ['(call_indirect (i32.const 1))', '(table 2 funcref)', TRAP.UNINITIALIZED_ELEMENT],
    ['(drop (call_indirect (result i32) (i32.const 0)))', '(table 2 funcref) (elem (i32.const 0) $g)', TRAP.INDIRECT_TYPE_MISMATCH],
    ['(drop (i32.load (i32.const 65535)))', '(memory 1)', TRAP.OUT_OF_BOUNDS],
    ['(memory.fill (i32.const 65000) (i32.const 0) (i32.const 1000))', '(memory 1)', TRAP.OUT_OF_BOUNDS],
    ['(call $f)', '', TRAP.STACK_EXHAUSTED],
  ];
  for (const [body, decls, code] of cases) for (const jitThreshold of [Infinity, 0]) {
    test(`trap ${code} (${jitThreshold === 0 ? 'jit' : 'interpreter'}): ${body}`, async () => {
      const bin = await wat(`(module ${decls} (func $g) (func $f (export "f") ${body}))`);
      const w = new World({ ramSize: 64 << 20, jitThreshold });
      const inst = w.instantiate(bin, noImports, { stackSize: 8 << 20 });
      for (let p = 0; p < (code === TRAP.STACK_EXHAUSTED ? 8 << 20 : 4096); p += 4096) inst.mapPage(STACK_VA + p);
      inst.prepareCall(inst.exportedFunc('f'), []);
      runToException(w);
      const ex = w.core.exception!;
      expect(ex.esr).toBe(esr(EC.UNKNOWN, code));
      expect(ex.elr).toBe(w.core.regs[REG.PC]);
      expect(Number(ex.elr >> 32n)).toBe(1); // in $f
      expect(() => inst.invoke('f', [])).toThrow();
    });
  }

  test('trap 9: an image that does not decode, with the ProgramError kept', async () => {
    const w = new World({ ramSize: 16 << 20 });
    const inst = w.instantiate(await wat('(module (func (export "f")))'), noImports);
    inst.prepareCall(0, []);
    // corrupt the image in place (the code cache is keyed by PA, so invalidate it as ic_iallu would)
    inst.writeUser(IMG_VA + 3, Uint8Array.of(0x00));
    w.core.invalidateCode();
    w.core.run(10);
    expect(w.core.exception!.esr).toBe(esr(EC.UNKNOWN, TRAP.INVALID_PROGRAM));
    expect(w.core.programError).toBeInstanceOf(ProgramError);
    expect(w.core.programError!.reason).toMatch(/magic/);
  });

  test('an unmapped image is an instruction abort (EC 0x20) with the IFSC and FAR', async () => {
    const w = new World({ ramSize: 16 << 20 });
    const inst = w.instantiate(await wat('(module (func (export "f")))'), noImports);
    inst.prepareCall(0, []);
    w.core.regs[REG.IMG] = BigInt(IMG_VA + 0x100000);
    w.core.run(10);
    const ex = w.core.exception!;
    expect(ex.esr).toBe(esr(EC.IABT_LOW, FSC.TRANSLATION + 3));
    expect(ex.far).toBe(IMG_VA + 0x100000);
  });

  test('ProgramError names section, offset and reason', () => {
    const bad = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 1, 0x7b, 0);
    try { decodeProgram(bad); expect.unreachable(); } catch (e) {
      expect(e).toBeInstanceOf(ProgramError);
      const pe = e as ProgramError;
      expect(pe.section).toBe('type');
      expect(pe.offset).toBe(13);
      expect(pe.reason).toMatch(/SIMD/);
    }
  });
});

describe('context switch between two programs by save/restore', () => {
  test.each([['interpreter', Infinity], ['jit', 0]])('interleaved slices of two threads give the results of solo runs (%s)', async (_tier, jitThreshold) => {
    const a = await wat(`(module (memory 1) (func (export "f") (param i32) (result i32) (local i32)
        (loop $l (i32.store (i32.const 64) (i32.add (i32.load (i32.const 64)) (local.get 0)))
          (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br_if $l (i32.lt_u (local.get 1) (i32.const 500))))
        (i32.load (i32.const 64))))`);
    const b = await wat(`(module (func $fac (export "f") (param i64) (result i64)
        (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
          (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1))))))))`);
    const w = new World({ ramSize: 32 << 20, jitThreshold });
    const ia = w.instantiate(a, noImports);
    const ib = w.instantiate(b, noImports);
    const soloA = ia.invoke('f', [3n]);
    const soloB = ib.invoke('f', [20n]);
    // fresh threads, TCBs in RAM
    const tcb = new Map<Instance, number>([[ia, w.ram.base + 0xa000], [ib, w.ram.base + 0xb000]]);
    for (const [inst, arg] of [[ia, 3n], [ib, 20n]] as const) {
      inst.writeUser(64, new Uint8Array(4), true);
      inst.prepareCall(inst.exportedFunc('f'), [arg]);
      w.core.saveContext(tcb.get(inst)!);
    }
    const done = new Map<Instance, bigint>();
    const core: El0Core = w.core;
    let turn = 0;
    while (done.size < 2) {
      const inst = turn++ % 2 === 0 ? ia : ib;
      if (done.has(inst)) continue;
      w.current = null;
      w.switchTo(inst); // TTBR0/ASID of the thread
      core.restoreContext(tcb.get(inst)!);
      core.run(97);
      const ex = core.exception;
      if (ex && ec(ex.esr) === EC.SVC64 && (ex.esr & 0xffff) === SVC_EXIT) done.set(inst, core.regs[0]);
      else if (ex && ec(ex.esr) === EC.DABT_LOW) { inst.mapPage(ex.far - (ex.far % 4096)); core.eret(); }
      else expect(ex).toBeNull();
      core.saveContext(tcb.get(inst)!);
    }
    expect([done.get(ia)]).toEqual(soloA);
    expect([done.get(ib)]).toEqual(soloB);
  });
});
