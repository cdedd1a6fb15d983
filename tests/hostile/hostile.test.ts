// Hostile EL0 programs, one per attack class (tests/hostile/programs). Each states the exact error
// code every attack must get ("ok …" / "FAIL …: got X, want Y"), or the fault it must cause, and
// that the kernel, the invariant checker (mlk.check=1 after every entry) and other threads survive.
import { beforeAll, describe, expect, it } from 'vitest';
import { kernel, programs } from '../kernel/mlk';
import { fuzzProgramDir } from '../../cli/fuzz';
import { attack } from './attack';

const dir = fuzzProgramDir;
const HOSTILE = ['caps', 'waiter', 'memory', 'rowrite', 'recurse', 'grow', 'resources', 'ipc', 'dier', 'loader', 'regs', 'benign'];

beforeAll(async () => {
  kernel();
  await programs(HOSTILE, dir);
}, 300_000);

describe('hostile programs', () => {
  it('capability misuse: empty/out-of-range/wrong-type slots, stripped rights, badge forging, double delete, revoke under a waiter', async () => {
    const b = await attack('caps', ['waiter'], /waiter: recv returned/);
    const log = b.log();
    expect(log).toMatch(/caps: done, 0 failures/);
    expect((log.match(/^ok /gm) ?? []).length).toBeGreaterThan(140);
    // revoking the waiter's derived cap leaves it waiting; deleting the endpoint wakes it Cancelled
    expect(log.indexOf('caps: revoked under the waiter')).toBeLessThan(log.indexOf('waiter: recv returned'));
    expect(log).toContain('waiter: recv returned 13');
  });

  it('memory: kernel/huge/unaligned VAs, overlapping maps, one frame twice, bad string pointers and lengths, read-only writes, endless recursion and growth', async () => {
    const b = await attack('memory', ['rowrite', 'recurse', 'grow', 'benign'], /(?=[\s\S]*\(recurse\) faulted)(?=[\s\S]*grow: last page writable)(?=[\s\S]*\(rowrite\) faulted)/);
    const log = b.log();
    expect(log).toMatch(/memory: done, 0 failures/);
    expect(log).toMatch(/\(rowrite\) faulted: data abort at 0x4000\b/);
    expect(log).toMatch(/\(recurse\) faulted: /);
    expect(log).toContain('grow: 65536 pages -> -1');
    expect(log).toContain('grow: 0x7fffffff pages -> -1');
    const th = b.json(0);
    expect(th.find((t: any) => t.name === 'rowrite').state).toBe('faulted');
    expect(th.find((t: any) => t.name === 'recurse').state).toBe('faulted');
  });

  it('resources: bad Retype arguments, an exhausted Untyped, thousands of objects, a notification storm', async () => {
    const b = await attack('resources', [], /resources: done/);
    expect(b.log()).toMatch(/resources: done, 0 failures/);
    expect(b.json(4).objects.endpoint).toBeLessThan(10); // the 3840 objects are gone again
  });

  it('IPC protocol: replies without a caller, overflowing lengths and caps, deleted endpoints, a callee that dies mid-call', async () => {
    const b = await attack('ipc', ['dier'], /ipc: done/);
    expect(b.log()).toContain('dier: got 42, exiting without a reply');
    expect(b.log()).toContain('dier: got 43, trapping without a reply');
    expect(b.log()).toMatch(/\(dier\) faulted: WebAssembly trap: unreachable/);
    expect(b.log()).toMatch(/ipc: done, 0 failures/);
  });

  it('loader: truncated, bad magic, huge section, invalid opcode, unknown import, trap in _start, start section, empty', async () => {
    const wabt = await (await import('wabt')).default();
    const wasm = (text: string) => new Uint8Array(wabt.parseWat('t.wat', text).toBinary({}).buffer);
    const hello = (await programs(['benign'], dir)).benign;
    const unknownImport = wasm(`(module (import "mlk" "nosuch" (func $f (result i32))) (memory 2) (func (export "_start") (drop (call $f))))`);
    const startTrap = wasm(`(module (memory 2) (func (export "_start") unreachable))`);
    const startSection = wasm(`(module (memory 2) (func $s) (start $s) (func (export "_start")))`);
    // a body of nop; end → patch the nop (0x01) into 0xff, no opcode
    const nop = wasm(`(module (memory 2) (func (export "_start") nop))`);
    const badOpcode = nop.slice();
    badOpcode[badOpcode.lastIndexOf(0x01, badOpcode.length - 2)] = 0xff;
    // type section claims 2^32-1 bytes (LEB128 ff ff ff ff 0f)
    const hugeSection = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x60, 0, 0]);
    const extra = [
      { name: 'truncated.wasm', data: hello.slice(0, hello.length - 7) },
      { name: 'badmagic.wasm', data: Uint8Array.from([0, 0x61, 0x73, 0x6e, 1, 0, 0, 0]) },
      { name: 'hugesection.wasm', data: hugeSection },
      { name: 'badopcode.wasm', data: badOpcode },
      { name: 'unknownimport.wasm', data: unknownImport },
      { name: 'starttrap.wasm', data: startTrap },
      { name: 'startsection.wasm', data: startSection },
      { name: 'empty.wasm', data: new Uint8Array(0) },
    ];
    const b = await attack('loader', ['benign'], /\(benign\) exited/, extra);
    const log = b.log();
    for (const f of ['truncated', 'badmagic', 'hugesection', 'startsection', 'empty']) expect(log).toContain(`spawn ${f}.wasm: 14`);
    expect(log).toContain('loader: badmagic.wasm rejected: not a WebAssembly module (bad magic)');
    // an invalid opcode is rejected at load or traps as an invalid program image when reached
    expect(log).toMatch(/spawn badopcode.wasm: 14|\(badopcode\) faulted/);
    // loaded, then a clear fault: an import the kernel does not provide, a trap in _start
    expect(log).toContain('spawn unknownimport.wasm: 0');
    expect(log).toMatch(/\(unknownimport\) faulted/);
    expect(log).toContain('spawn starttrap.wasm: 0');
    expect(log).toMatch(/\(starttrap\) faulted/);
    expect(log).toContain('loader: still running');
    expect(log).toMatch(/\(benign\) exited \(code 0\)/);
  });

  it('register files: edge and random values in every slot via WriteRegisters; each victim faults or runs, the machine goes on', async () => {
    const b = await attack('regs', ['benign'], /regs: still running[\s\S]*benign: still fine/);
    const th = b.json(0).filter((t: any) => t.name === 'benign');
    expect(th.length).toBe(25);
    // every victim ends stopped (faulted or exited), none is left running garbage forever
    expect(th.every((t: any) => ['faulted', 'exited', 'inactive'].includes(t.state))).toBe(true);
  });
});
