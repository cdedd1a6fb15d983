// mlk.reg in translated code: every register index reads the same value as in the interpreter
// (the registers computed from the live state -- PC, SP, FP, MEMPAGES, DEPTH -- bail to it), with
// the same instruction count, also when run() is cut into 3-instruction slices.
import { expect, test } from 'vitest';
import { World } from '../../tools/el0/harness';

const wabtP = import('wabt').then((m) => m.default());

test('mlk.reg gives the same values and instruction counts in both tiers', async () => {
  const wabt = await wabtP;
  const m = wabt.parseWat('t.wat', `(module
    (import "mlk" "reg" (func $reg (param i32) (result i64)))
    (memory 1)
    (func $mix (param $acc i64) (param $i i32) (result i64)
      (i64.add (i64.mul (local.get $acc) (i64.const 1000003)) (call $reg (local.get $i))))
    (func (export "f") (param $a i64) (param $b i64) (result i64)
      (local $i i32) (local $acc i64)
      (loop $l
        (local.set $acc (call $mix (local.get $acc) (i32.and (local.get $i) (i32.const 63))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 640))))
      (local.get $acc)))`, {});
  const bin = m.toBinary({}).buffer;
  m.destroy();
  const results: { v: bigint; n: number }[] = [];
  for (const [jitThreshold, fuelPerRun] of [[Infinity, 1e6], [0, 1e6], [0, 3], [5, 7]] as const) {
    const w = new World({ ramSize: 16 << 20, jitThreshold, fuelPerRun });
    const inst = w.instantiate(bin, () => undefined);
    const v = inst.invoke('f', [0x1234_5678_9abc_def0n, 77n])[0];
    results.push({ v, n: inst.lastInstructions });
  }
  for (const r of results.slice(1)) expect(r).toEqual(results[0]);
});
