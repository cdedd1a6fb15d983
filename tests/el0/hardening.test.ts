// Nothing a register file holds crashes the EL0 core: a holder of a TCB capability may write any value
// into slots 0-16 (WriteRegisters), and the core either runs or raises a defined exception — trap 12
// (invalid register state) for what it cannot run from — never a JavaScript exception. One test per
// root cause seen by the fuzzer, plus a seeded table of random and edge values over every slot.
import { describe, expect, test } from 'vitest';
import { EC, esr } from '../../hw/esr';
import { REG, PC_EXITED } from '../../hw/el0/core';
import { World, STACK_VA, IMG_VA, GP_VA, type Instance, type Resolver } from '../../tools/el0/harness';
import { TRAP } from '../../hw/el0/traps';
import { INSN_START, OP, PC_ENTER } from '../../hw/el0/module';
import { MAX_IMAGE_BYTES, MAX_STACK_BYTES } from '../../hw/el0/limits';
import type { MmioDevice } from '../../hw/bus';

import { wat } from './wat';
const noImports: Resolver = () => undefined;
const ecOf = (v: number) => v >>> 26;
const TIERS = [{ name: 'interpreter', jitThreshold: Infinity }, { name: 'jit', jitThreshold: 0 }];

// A program with calls (direct, indirect, recursive), a loop, memory and globals, so that a preempted
// register file has several frames on the stack.
const PROGRAM = `(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (table 2 funcref) (elem (i32.const 0) $leaf $fib)
  (type $t (func (param i32) (result i32)))
  (func $leaf (param i32) (result i32)
    (i32.store (i32.and (local.get 0) (i32.const 0xfffc)) (local.get 0))
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (i32.add (local.get 0) (i32.const 1)))
  (func $fib (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (call_indirect (type $t) (local.get 0) (i32.const 0)))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "main") (param i32) (result i32) (local i32 i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (call_indirect (type $t) (local.get 1) (i32.const 1))))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
    (local.get 2)))`;

/** A world with PROGRAM preempted `steps` instructions into main(n), its stack mapped. */
async function preempted(jitThreshold: number, steps: number, n = 12): Promise<{ w: World; inst: Instance }> {
  const w = new World({ ramSize: 32 << 20, jitThreshold });
  const inst = w.instantiate(await wat(PROGRAM), noImports);
  for (let p = 0; p < 64 * 1024; p += 4096) inst.mapPage(STACK_VA + p);
  for (let p = 0; p < 65536; p += 4096) inst.mapPage(p);
  inst.prepareCall(inst.exportedFunc('main'), [BigInt(n)]);
  if (steps > 0) w.core.run(steps);
  expect(w.core.exception).toBeNull();
  return { w, inst };
}

/** The defined outcomes of run(): nothing (fuel spent) or an exception with a known EC and code. */
function expectDefinedOutcome(w: World): void {
  const ex = w.core.exception;
  if (ex === null) return;
  const ec = ecOf(ex.esr);
  expect([EC.SVC64, EC.DABT_LOW, EC.IABT_LOW, EC.UNKNOWN]).toContain(ec);
  if (ec === EC.UNKNOWN) {
    const code = ex.esr & 0x1ffffff;
    expect(code).toBeGreaterThanOrEqual(1);
    expect(code).toBeLessThanOrEqual(TRAP.INVALID_REGISTERS); // 13 (internal error) never: every bad value is checked
  }
}

function trapCode(w: World): number {
  const ex = w.core.exception;
  expect(ex).not.toBeNull();
  expect(ecOf(ex!.esr)).toBe(EC.UNKNOWN);
  return ex!.esr & 0x1ffffff;
}

/** xorshift32: a seeded, reproducible stream */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
}

describe.each(TIERS)('random and edge values in every register slot 0-16 ($name)', ({ jitThreshold }) => {
  test('6,000 seeded cases: never a JavaScript exception, always a run or a defined exception', async () => {
    const { w, inst } = await preempted(jitThreshold, 700);
    const core = w.core;
    const base = core.regs.slice();
    const next = rng(0x5eed + (jitThreshold === 0 ? 1 : 0));
    const r64 = (): bigint => (BigInt(next()) << 32n) | BigInt(next());
    const edges = [0n, 1n, 7n, 8n, 0xffffffffn, 0x100000000n, 0x7fffffffn, 0x80000000n, 1n << 40n, 1n << 52n, 1n << 53n,
      (1n << 63n), (1n << 64n) - 1n, (1n << 64n) - 8n, BigInt(STACK_VA), BigInt(STACK_VA + 8), BigInt(STACK_VA + 4096),
      BigInt(STACK_VA) + (1n << 40n), BigInt(IMG_VA), BigInt(GP_VA), 65536n, 65537n, BigInt(MAX_IMAGE_BYTES + 1), PC_EXITED];
    const funcs = inst.prog.funcs.length;
    const pcs = (): bigint => {
      const fi = BigInt(next() % (funcs + 2));
      switch (next() % 4) {
        case 0: return (fi << 32n) | BigInt(PC_ENTER);
        case 1: return (fi << 32n) | BigInt(next() % 64);
        case 2: return r64();
        default: return PC_EXITED;
      }
    };
    let ran = 0, traps12 = 0;
    for (let c = 0; c < 6000; c++) {
      core.regs.set(base);
      core.exception = null;
      if (c % 10 === 0) { core.regs[REG.STACKBASE] = 0n; core.regs[REG.PENDING] = 0n; core.regs[REG.DEPTH] = 0n; } // a thread that never ran
      const k = 1 + (next() % 4);
      for (let j = 0; j < k; j++) {
        const slot = next() % 17;
        const kind = next() % 4;
        let v = kind === 0 ? edges[next() % edges.length] : kind === 1 ? r64() : base[slot] + BigInt((next() % 33) - 16) * 8n;
        if (slot === REG.PC && kind !== 2) v = pcs();
        core.regs[slot] = BigInt.asUintN(64, v);
      }
      // and sometimes a word of the stack region (frame headers, locals; other threads could write it)
      if (next() % 4 === 0) {
        const word = new Uint8Array(8);
        new DataView(word.buffer).setBigUint64(0, next() % 2 ? r64() : BigInt(next() % 64), true);
        inst.writeUser(STACK_VA + (next() % 2048) * 8, word);
      }
      for (let s = 0; s < 3; s++) {
        expect(() => core.run(1 + (next() % 3000))).not.toThrow();
        expectDefinedOutcome(w);
        const ex = core.exception as { esr: number } | null;
        if (ex === null) { ran++; continue; }
        if (ecOf(ex.esr) === EC.UNKNOWN && (ex.esr & 0x1ffffff) === TRAP.INVALID_REGISTERS) traps12++;
        core.eret();
        break;
      }
    }
    expect(core.hostErrors).toBe(0);
    // both outcomes occur (the table is not all one kind)
    expect(ran).toBeGreaterThan(20);
    expect(traps12).toBeGreaterThan(1000);
  }, 120_000);
});

describe.each(TIERS)('root causes, one test each ($name)', ({ jitThreshold }) => {
  test('a frame header naming no function (WriteRegisters FP) is trap 12 at the return, not a TypeError', async () => {
    const { w } = await preempted(jitThreshold, 700);
    const core = w.core;
    // point FP at a fake frame in the stack whose header (return PC) names function 999
    const fp = Number(core.regs[REG.FP]);
    const fakeFp = STACK_VA + 0x8000;
    // set a coherent frame for function $leaf (1 param, 1 local), with a bad return function
    const leaf = 0;
    const hdr = new DataView(new ArrayBuffer(32));
    hdr.setUint32(0, 3, true);
    hdr.setUint32(8, 2, true); hdr.setUint32(12, 999, true);
    hdr.setBigUint64(16, BigInt(fp), true);
    w.current!.writeUser(fakeFp, new Uint8Array(hdr.buffer));
    core.regs[REG.FP] = BigInt(fakeFp);
    core.regs[REG.SP] = BigInt(fakeFp + 3 * 8);
    // PC: the RETURN at the end of $leaf after its body (push the result first: any instruction start works)
    const code = w.current!.prog.funcs[leaf].code;
    let ret = -1;
    for (let pc = 0; pc < code.length; pc++) if ((w.current!.prog.funcs[leaf].insn[pc] & INSN_START) && code[pc] === OP.RETURN) ret = pc;
    expect(ret).toBeGreaterThan(0);
    core.regs[REG.PC] = (BigInt(leaf) << 32n) | BigInt(ret);
    core.regs[REG.SP] = BigInt(fakeFp + 4 * 8); // one result on the operand stack
    expect(() => core.run(100)).not.toThrow();
    expect(trapCode(w)).toBe(TRAP.INVALID_REGISTERS);
    expect(core.hostErrors).toBe(0);
  });

  test('a return PC in the middle of an instruction or a caller FP above the frame is trap 12', async () => {
    for (const bad of ['pc', 'fp'] as const) {
      const { w, inst } = await preempted(jitThreshold, 0);
      const core = w.core;
      // run into $fib's recursion, then corrupt the current frame's header in user memory
      core.run(400);
      expect(core.exception).toBeNull();
      const fi = Number(core.regs[REG.PC] >> 32n);
      const f = inst.prog.funcs[fi];
      const fp = Number(core.regs[REG.FP]);
      const hdrVa = fp + f.nlocals * 8;
      const h = new DataView(inst.readUser(hdrVa, 16).buffer);
      const retFn = h.getUint32(4, true);
      expect(retFn).not.toBe(0xffffffff); // preempted inside a call, not in the outermost frame
      if (bad === 'pc') {
        const callerCode = inst.prog.funcs[retFn];
        let mid = 0;
        while (callerCode.insn[mid] !== 0) mid++;
        h.setUint32(0, mid, true);
      } else h.setBigUint64(8, BigInt(fp + 8), true);
      inst.writeUser(hdrVa, new Uint8Array(h.buffer));
      for (let i = 0; i < 100 && core.exception === null; i++) core.run(50);
      expect(trapCode(w)).toBe(TRAP.INVALID_REGISTERS);
      expect(core.hostErrors).toBe(0);
    }
  });

  test('IMGLEN 2^40 and 2^31 are trap 12 before anything is allocated', async () => {
    for (const len of [1n << 40n, 1n << 31n, BigInt(MAX_IMAGE_BYTES + 1)]) {
      const { w } = await preempted(jitThreshold, 0);
      w.core.regs[REG.IMGLEN] = len;
      expect(() => w.core.run(100)).not.toThrow();
      expect(trapCode(w)).toBe(TRAP.INVALID_REGISTERS);
      expect(w.core.programError!.reason).toMatch(/IMGLEN/);
      expect(w.core.exception!.elr).toBe(w.core.regs[REG.PC]);
    }
  });

  test('a huge SPLIM, or a resumed PC on a thread that never ran (stack base 0), is trap 12', async () => {
    const a = await preempted(jitThreshold, 0);
    a.w.core.regs[REG.SPLIM] = BigInt(STACK_VA) + (1n << 40n);
    a.w.core.run(100);
    expect(trapCode(a.w)).toBe(TRAP.INVALID_REGISTERS);
    expect(a.w.core.programError!.reason).toMatch(/stack region/);

    const b = await preempted(jitThreshold, 0);
    b.w.core.regs[REG.SPLIM] = BigInt(STACK_VA + MAX_STACK_BYTES + 8);
    b.w.core.run(100);
    expect(trapCode(b.w)).toBe(TRAP.INVALID_REGISTERS);

    const c = await preempted(jitThreshold, 0);
    const core = c.w.core;
    core.regs[REG.PC] = (core.regs[REG.PC] >> 32n) << 32n; // instruction 0, not "enter function"
    core.regs[REG.STACKBASE] = 0n;
    core.regs[REG.FP] = core.regs[REG.SP];
    core.run(100);
    expect(trapCode(c.w)).toBe(TRAP.INVALID_REGISTERS);
  });

  test('a PC in the middle of an instruction (a CALL operand) is trap 12', async () => {
    const { w, inst } = await preempted(jitThreshold, 700);
    const core = w.core;
    const main = inst.exportedFunc('main');
    const f = inst.prog.funcs[main];
    let mid = -1;
    for (let pc = 0; pc < f.code.length; pc++) if (f.code[pc] === OP.CALL_INDIRECT && f.insn[pc] & INSN_START) { mid = pc + 1; break; }
    expect(mid).toBeGreaterThan(0);
    expect(f.insn[mid]).toBe(0);
    core.regs[REG.PC] = (BigInt(main) << 32n) | BigInt(mid);
    expect(() => core.run(100)).not.toThrow();
    expect(trapCode(w)).toBe(TRAP.INVALID_REGISTERS);
    expect(core.programError!.reason).toMatch(/not an instruction/);
  });

  test('a table entry in user memory naming no function is trap 7 at the call_indirect, not a TypeError', async () => {
    const { w, inst } = await preempted(jitThreshold, 0);
    // let main's loop get hot (translated in the jit tier), then corrupt table slot 1 ($fib)
    w.core.run(5000);
    expect(w.core.exception).toBeNull();
    const slot = GP_VA + (inst.prog.layout.tableBase[0] + 1) * 8;
    inst.writeUser(slot, new Uint8Array([0xe8, 0x03, 0, 0, 0, 0, 0, 0])); // function 999 + 1
    for (let i = 0; i < 100 && w.core.exception === null; i++) w.core.run(1000);
    expect(trapCode(w)).toBe(TRAP.INDIRECT_TYPE_MISMATCH);
    expect(w.core.hostErrors).toBe(0);
  });

  test('MEMPAGES or MEMMAX above 65536, a bad pending import, a depth above the limit: trap 12', async () => {
    for (const [slot, v] of [[REG.MEMPAGES, 65537n], [REG.MEMMAX, 1n << 40n], [REG.PENDING, 3n], [REG.PENDING, 1000n], [REG.DEPTH, 1n << 33n]] as const) {
      const { w } = await preempted(jitThreshold, 700);
      w.core.regs[slot] = v;
      expect(() => w.core.run(100)).not.toThrow();
      expect(trapCode(w)).toBe(TRAP.INVALID_REGISTERS);
    }
  });

  test('a JavaScript exception inside the core (here: a device model throwing) is trap 13, not a host crash', async () => {
    const w = new World({ ramSize: 16 << 20, jitThreshold });
    const broken: MmioDevice = { name: 'broken', base: 0x2_0000_0000_0, size: 4096, read32: () => 0, write32: () => { throw new TypeError('model bug'); } };
    w.bus.map(broken);
    const inst = w.instantiate(await wat(`(module (memory 1)
      (func (export "f") (param i32) (i32.store (local.get 0) (i32.const 1))))`), noImports);
    for (let p = 0; p < 16 * 4096; p += 4096) inst.mapPage(STACK_VA + p);
    inst.mapPhys(0x8000, broken.base);
    inst.prepareCall(inst.exportedFunc('f'), [0x8000n]);
    const pc = w.core.regs[REG.PC];
    expect(() => w.core.run(100)).not.toThrow();
    expect(trapCode(w)).toBe(TRAP.INTERNAL_ERROR);
    expect(w.core.exception!.elr).toBe(pc);
    expect(w.core.hostErrors).toBe(1);
    expect((w.core.lastHostError as Error).message).toBe('model bug');
    expect(w.core.programError!.reason).toMatch(/model bug/);
  });
});

describe.each(TIERS)('an EL0 store to a device ends the run slice at the next instruction boundary ($name)', ({ jitThreshold }) => {
  test('run() returns right after the store, with the rest of its fuel unspent', async () => {
    const w = new World({ ramSize: 16 << 20, jitThreshold });
    const writes: number[] = [];
    const dev: MmioDevice = { name: 'doorbell', base: 0x2_0000_0000_0, size: 4096, read32: () => 0, write32: (_o, v) => { writes.push(v); } };
    w.bus.map(dev);
    // a hot loop storing to RAM, and once (at i = 300) to the device
    const inst = w.instantiate(await wat(`(module (memory 1)
      (func (export "f") (param i32) (result i32) (local i32)
        (loop $l
          (i32.store (select (i32.const 0x8000) (i32.const 0x100) (i32.eq (local.get 1) (i32.const 300))) (local.get 1))
          (local.set 1 (i32.add (local.get 1) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
        (local.get 1)))`), noImports);
    for (let p = 0; p < 16 * 4096; p += 4096) inst.mapPage(STACK_VA + p);
    inst.mapPage(0);
    inst.mapPhys(0x8000, dev.base);
    // the instruction count up to and including the device store, measured with single steps
    const ref = new World({ ramSize: 16 << 20, jitThreshold: Infinity });
    ref.bus.map({ ...dev, write32: () => { refStore = refN; } });
    let refN = 0, refStore = -1;
    const rinst = ref.instantiate(inst.bytes, noImports);
    for (let p = 0; p < 16 * 4096; p += 4096) rinst.mapPage(STACK_VA + p);
    rinst.mapPage(0);
    rinst.mapPhys(0x8000, dev.base);
    rinst.prepareCall(rinst.exportedFunc('f'), [1000n]);
    while (refStore < 0) { refN++; ref.core.run(1); expect(ref.core.exception).toBeNull(); }

    inst.prepareCall(inst.exportedFunc('f'), [1000n]);
    const n = w.core.run(1_000_000);
    expect(w.core.exception).toBeNull();
    expect(writes).toEqual([300]);
    expect(n).toBe(refStore); // stopped exactly after the store instruction
    expect(w.core.regs[REG.PC]).toBe(ref.core.regs[REG.PC]);
    // and it continues to the end
    let total = n;
    while (!w.core.exception) total += w.core.run(1_000_000);
    expect(w.core.regs[0]).toBe(1000n);
    expect(total).toBeGreaterThan(n);
  });
});

describe.each(TIERS)('the decoded-program cache checks every page of the image ($name)', ({ jitThreshold }) => {
  // a passive data segment puts bytes beyond the first image page; f reads 4 of them with memory.init
  const big = (marker: string) => `(module (memory 1)
    (data $d "${'x'.repeat(6000)}${marker}")
    (func (export "f") (result i32)
      (memory.init $d (i32.const 0) (i32.const 6000) (i32.const 4))
      (i32.load (i32.const 0))))`;

  async function setup(): Promise<{ w: World; inst: Instance }> {
    const w = new World({ ramSize: 16 << 20, jitThreshold });
    const inst = w.instantiate(await wat(big('ABCD')), noImports);
    expect(inst.bytes.length).toBeGreaterThan(4096 + 100);
    for (let p = 0; p < 16 * 4096; p += 4096) inst.mapPage(STACK_VA + p);
    inst.mapPage(0);
    expect(inst.invoke('f', [])).toEqual([0x44434241n]);
    return { w, inst };
  }

  test('unmapping a later page of the image is an instruction abort at that page', async () => {
    const { w, inst } = await setup();
    inst.unmapPage(IMG_VA + 4096);
    inst.prepareCall(inst.exportedFunc('f'), []);
    w.core.run(1000);
    const ex = w.core.exception!;
    expect(ex).not.toBeNull();
    expect(ecOf(ex.esr)).toBe(EC.IABT_LOW);
    expect(ex.far).toBe(IMG_VA + 4096);
  });

  test('remapping a later page to other bytes runs the new program, not stale decoded code', async () => {
    const { w, inst } = await setup();
    const page2 = inst.readUser(IMG_VA + 4096, 4096);
    const other = await wat(big('WXYZ'));
    page2.set(other.subarray(4096, Math.min(other.length, 8192)));
    inst.unmapPage(IMG_VA + 4096);
    const pa = w.allocPage();
    w.ram.u8.set(page2, pa - w.ram.base);
    // map it executable like the rest of the image
    (inst as unknown as { pt: { map: (va: number, pa: number, size: number, a: object) => void } }).pt.map(IMG_VA + 4096, pa, 4096, { ap: 3, uxn: false, pxn: true, ng: true });
    w.mmu.tlbi(2, (BigInt(inst.asid) << 48n) | BigInt((IMG_VA + 4096) / 4096));
    expect(inst.invoke('f', [])).toEqual([0x5a595857n]);
  });
});

test('trap codes 12 and 13 are named', async () => {
  const { trapMessage } = await import('../../hw/el0/traps');
  expect(trapMessage(12)).toBe('invalid register state');
  expect(trapMessage(13)).toBe('internal error in the EL0 core');
  expect(esr(EC.UNKNOWN, 12) & 0x1ffffff).toBe(12);
});
