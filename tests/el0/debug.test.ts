// The opcode table's consumers that are not covered by the spec scripts: the generated interpreter
// cases are up to date, the disassembler agrees with wabt's wasm-objdump, and code breakpoints stop
// exactly before their instruction, in both tiers, without changing what the program computes or
// how many instructions it retires.

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { World, type Resolver } from '../../tools/el0/harness';
import { disassemble, funcName, wasmInfo } from '../../hw/el0/disasm';
import { imageKey, type CodeBreakpoint } from '../../hw/el0/debug';
import { OPCODES } from '../../hw/el0/opcodes';
import { regenerate } from '../../scripts/el0-gen';

const root = join(__dirname, '..', '..');
const objdump = join(root, 'node_modules', '.bin', 'wasm-objdump');

async function wat(text: string): Promise<Uint8Array> {
  const wabt = await (await import('wabt')).default();
  const m = wabt.parseWat('t.wat', text);
  const { buffer } = m.toBinary({ write_debug_names: true });
  m.destroy();
  return new Uint8Array(buffer);
}

/** wasm-objdump -d: per function index, its (offset, mnemonic) lines. */
function objdumpLines(bytes: Uint8Array): Map<number, { offset: number; mnemonic: string; text: string }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mlk-disasm-'));
  const file = join(dir, 'm.wasm');
  writeFileSync(file, bytes);
  const out = execFileSync(objdump, ['-d', file], { encoding: 'utf8' });
  const funcs = new Map<number, { offset: number; mnemonic: string; text: string }[]>();
  let cur: { offset: number; mnemonic: string; text: string }[] | null = null;
  for (const line of out.split('\n')) {
    const head = /^[0-9a-f]+ func\[(\d+)\]/.exec(line);
    if (head) { cur = []; funcs.set(Number(head[1]), cur); continue; }
    const ins = /^ ([0-9a-f]+):[^|]*\| *(.*)$/.exec(line);
    // continuation lines of a long encoding (br_table) have no text after the bar
    if (!ins || !cur || ins[2].trim() === '' || ins[2].startsWith('local[')) continue;
    cur.push({ offset: parseInt(ins[1], 16), mnemonic: ins[2].split(' ')[0], text: ins[2].trim() });
  }
  return funcs;
}

const PROGRAM = `(module
  (func $square (param i32) (result i32)
    (block (result i32) local.get 0 local.get 0 i32.mul))
  (func $run (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $square (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
    local.get $acc))`;

const none: Resolver = () => undefined;

describe('opcode table', () => {
  it('the interpreter cases in core.ts are the ones the table generates', () => {
    const src = readFileSync(join(root, 'hw', 'el0', 'core.ts'), 'utf8');
    expect(regenerate(src) === src).toBe(true);
  });

  it('gives every numeric instruction a signature and semantics, every memory instruction a size', () => {
    for (const d of OPCODES.values()) {
      if (d.mem) expect([1, 2, 4, 8]).toContain(d.mem.size);
      else if (d.sig) expect(d.lo, d.name).toBeTruthy();
      if (d.sig && /[lD]$/.test(d.sig) && !d.mem) expect(d.hi, d.name).toBeTruthy();
    }
    expect(new Set([...OPCODES.values()].map((d) => d.code)).size).toBe(OPCODES.size);
  });
});

describe('disassembler', () => {
  it('agrees with wasm-objdump on offsets, mnemonics and names (a module with a name section)', async () => {
    const bytes = await wat(PROGRAM);
    const info = wasmInfo(bytes);
    expect(funcName(info, 0)).toBe('square');
    expect(funcName(info, 1)).toBe('run');
    const ref = objdumpLines(bytes);
    for (const [fi, lines] of ref) {
      const ours = disassemble(bytes, fi, info);
      expect(ours.map((l) => [l.offset, l.mnemonic])).toEqual(lines.map((l) => [l.offset, l.mnemonic]));
    }
    const sq = disassemble(bytes, 0, info);
    expect(sq.map((l) => `${l.mnemonic} ${l.operands}`.trim())).toEqual(['block i32', 'local.get 0', 'local.get 0', 'i32.mul', 'end', 'end']);
    expect(disassemble(bytes, 1, info).find((l) => l.mnemonic === 'call')!.operands).toBe('0 <square>');
  });

  const services = join(root, 'build', 'services');
  it.skipIf(!existsSync(services))('agrees with wasm-objdump on every service binary', { timeout: 180_000 }, () => {
    for (const f of readdirSync(services).filter((n) => n.endsWith('.wasm'))) {
      const bytes = new Uint8Array(readFileSync(join(services, f)));
      const info = wasmInfo(bytes);
      for (const [fi, lines] of objdumpLines(bytes)) {
        expect(disassemble(bytes, fi, info).map((l) => [l.offset, l.mnemonic]), `${f} func ${fi}`).toEqual(lines.map((l) => [l.offset, l.mnemonic]));
      }
    }
  });
});

describe('code breakpoints', () => {
  /** Run `run(10)` with breakpoints; every stop's (function, offset, instructions retired so far). */
  async function runWith(jitThreshold: number, bps: (key: string, bytes: Uint8Array) => CodeBreakpoint[]) {
    const bytes = await wat(PROGRAM);
    const world = new World({ jitThreshold, fuelPerRun: 1000 });
    const inst = world.instantiate(bytes, none);
    world.core.setBreakpoints(bps(imageKey(bytes), bytes));
    const stops: [number, number, number][] = [];
    const start = world.core.retired;
    world.onBreakpoint = (core) => {
      const at = core.location()!;
      stops.push([at.func, at.offset, core.retired - start]);
    };
    const result = Number(inst.invoke('run', [10n])[0]);
    return { result, stops, retired: inst.lastInstructions, bytes };
  }

  const plain = () => runWith(Infinity, () => []);

  for (const [tier, threshold] of [['interpreter', Infinity], ['translated', 0]] as const) {
    it(`a function breakpoint stops at its entry on every call (${tier})`, async () => {
      const base = await plain();
      const r = await runWith(threshold, (image) => [{ image, func: 0, offset: -1 }]);
      const entry = disassemble(r.bytes, 0)[1].offset; // block emits no code: the first local.get
      expect(r.result).toBe(base.result);
      expect(r.result).toBe([...Array(10).keys()].reduce((a, i) => a + i * i, 0));
      expect(r.retired).toBe(base.retired);
      expect(r.stops.length).toBe(10);
      for (const [f, off] of r.stops) expect([f, off]).toEqual([0, entry]);
    });

    it(`an instruction breakpoint stops before that instruction (${tier})`, async () => {
      const bytes = await wat(PROGRAM);
      const mul = disassemble(bytes, 0).find((l) => l.mnemonic === 'i32.mul')!.offset;
      const r = await runWith(threshold, (image) => [{ image, func: 0, offset: mul }]);
      expect(r.stops.map((s) => s[1])).toEqual(Array(10).fill(mul));
      expect(r.retired).toBe((await plain()).retired);
    });
  }

  it('stops after the same number of instructions in both tiers, run after run', async () => {
    const bps = (image: string, bytes: Uint8Array): CodeBreakpoint[] =>
      [{ image, func: 0, offset: disassemble(bytes, 0).find((l) => l.mnemonic === 'i32.mul')!.offset }, { image, func: 1, offset: -1 }];
    const a = await runWith(Infinity, bps), b = await runWith(0, bps), c = await runWith(0, bps);
    // run's first instruction is also its loop header: an entry breakpoint is an address
    // breakpoint, met on entry and on each of the 10 back-edges; plus 10 multiplications
    expect(a.stops.length).toBe(21);
    expect(b.stops).toEqual(a.stops);
    expect(c.stops).toEqual(a.stops);
  });

  it('names programs by image: a breakpoint for another image is never armed', async () => {
    const r = await runWith(0, () => [{ image: '1:0', func: 0, offset: -1 }]);
    expect(r.stops).toEqual([]);
  });
});
