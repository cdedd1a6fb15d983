// `mlk fuzz --calls N --seed S [--check] [--skip-registers] [--verbose]`: the seeded syscall fuzz campaign (docs/SYSCALLS.md §12).
//
// Boots the real machine with tests/hostile/programs: campaign (init), fuzzer ×4 per round, canary.
// The host starts the campaign through the host mailbox with the seed, ends a round every
// ROUND_CALLS syscalls (or when the fuzzers make no progress), and stops after N syscalls (the
// kernel's own syscall counter). Everything is virtual time: a seed gives the same run every time.
//
// It counts:
//   host exceptions      a JavaScript exception out of Machine.run
//   kernel panics        a machine stop that is not the invariant checker's
//   invariant violations the checker's halt (--check: after every kernel entry) or, without
//                        --check, a failed ki_check() after a run slice
//   isolation breaches   the canary (a process no fuzzer holds a cap to) saw its memory change,
//                        stopped, or its capabilities changed; or any process maps a page of
//                        kernel memory (kernel image/heap, reserved memory, page tables, kernel
//                        objects, a free pool page or unmanaged RAM) through a frame or device cap
// and prints one final line with the four counts; the exit code is 1 when any is nonzero.

import { Machine } from '../hw/machine';
import { CNTFRQ } from '../hw/memmap';
import { image, kernel, root } from '../tests/kernel/mlk';
import { writeCpio } from '../host/cpio.mjs';
import { readKiText, type KiExports } from '../host/introspection';
import { KHALT_INVARIANT } from '../host/abi';
import { join } from 'node:path';

export interface FuzzOptions {
  calls: number;
  seed: number;
  check: boolean;
  /** Fuzzers do not write each other's register files (isolates kernel bugs from EL0-core ones). */
  skipRegisters?: boolean;
  log?: (line: string) => void;
}
export interface FuzzResult {
  calls: number;
  hostExceptions: number;
  kernelPanics: number;
  invariantViolations: number;
  isolationBreaches: number;
  rounds: number;
  stalls: number;
  seconds: number;
  details: string[];
}

const SLICE = CNTFRQ / 100; // 10 virtual ms
const ROUND_CALLS = 25_000;
const STALL_SLICES = 20;
const ISOLATION_EVERY = 8; // rounds between the (slower) full isolation scans
/** Frame-map characters (ki_json 4) of memory a user mapping must never reach. */
const KERNEL_ONLY = new Set(['k', 'r', 't', 'o', '-', '.']);

export const FUZZ_PROGRAMS = ['campaign', 'fuzzer', 'canary'];
export const fuzzProgramDir = join(root, 'tests', 'hostile', 'programs');

export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const log = opts.log ?? (() => {});
  const files = await image(FUZZ_PROGRAMS, fuzzProgramDir);
  const bootImage = writeCpio(files);
  const m = await Machine.create({ kernel: kernel(), bootImage, bootargs: opts.check ? 'mlk.check=1 mlk.trace=0' : 'mlk.trace=0' });
  const res: FuzzResult = { calls: 0, hostExceptions: 0, kernelPanics: 0, invariantViolations: 0, isolationBreaches: 0, rounds: 0, stalls: 0, seconds: 0, details: [] };
  // the console: the last lines (for reports), finished rounds, the canary's alarm
  let out = '';
  let line = '';
  let roundsDone = 0;
  let ready = false;
  const breaches: string[] = [];
  m.on('uart', (b) => {
    const text = Buffer.from(b).toString('latin1');
    out = (out + text).slice(-8000);
    for (const ch of text) {
      if (ch !== '\n') { if (line.length < 400) line += ch; continue; }
      if (/init: round \d+ done/.test(line)) roundsDone++;
      else if (line.includes('init: fuzz campaign ready')) ready = true;
      else if (line.includes('canary: BREACH')) breaches.push(line.trim());
      line = '';
    }
  });
  const ex = m.kernelExports as Record<string, (...a: number[]) => number>;
  const json = (what: number, arg = 0): any => {
    const raw = readKiText(ex as unknown as KiExports, m.ram.u8, what, arg);
    if (!raw.ok) throw new Error(raw.error);
    return JSON.parse(raw.text);
  };
  const t0 = performance.now();

  /** Runs one slice; false when the campaign must stop (an exception or a halt, counted). */
  const step = (): boolean => {
    try {
      m.run(SLICE);
    } catch (e) {
      res.hostExceptions++;
      res.details.push(`host exception: ${(e as Error).stack ?? e}`);
      return false;
    }
    if (m.halted) {
      if (m.halted.code === KHALT_INVARIANT) {
        res.invariantViolations++;
        const v = json(7);
        res.details.push(`invariant ${v.code} (${v.invariant}) violated: ${v.what}, slot ${v.slot}, object ${v.object}, thread ${v.tid}`);
      } else {
        res.kernelPanics++;
        res.details.push(`machine halted: ${m.halted.reason}\n${m.halted.report}\n${out.slice(-4000)}`);
      }
      return false;
    }
    if (!opts.check && ex.ki_check() !== 0) {
      res.invariantViolations++;
      const v = json(7);
      res.details.push(`invariant ${v.code} (${v.invariant}) violated: ${v.what}, slot ${v.slot}, object ${v.object}, thread ${v.tid}`);
      return false;
    }
    return true;
  };

  for (let i = 0; i < 2000 && !ready; i++) if (!step()) break;
  if (!ready) {
    if (res.details.length === 0) { res.kernelPanics++; res.details.push(`campaign did not start:\n${out}`); }
    res.seconds = (performance.now() - t0) / 1000;
    return res;
  }
  const canary = json(0).find((t: any) => t.name === 'canary');
  const capsOf = (tid: number) => JSON.stringify(json(1, tid).slots.map((s: any) => [s.slot, s.type, s.object, s.rights, s.badge]));
  const canaryCaps = capsOf(canary.tid);
  const base = json(5).syscalls;
  m.mailbox.post([1, opts.seed >>> 0, opts.skipRegisters ? 1 : 0]);

  /** Isolation: the canary untouched, no user mapping of kernel memory. */
  const isolation = (): boolean => {
    const found = breaches.splice(0);
    const th = json(0);
    const c = th.find((t: any) => t.tid === canary.tid);
    if (!c || !['running', 'ready'].includes(c.state)) found.push(`canary stopped: ${c ? c.state : 'gone'}`);
    else if (capsOf(canary.tid) !== canaryCaps) found.push('canary capabilities changed');
    const mem = json(4);
    const mapBase = BigInt(mem.map_base);
    for (const t of th) {
      const vs = json(2, t.tid);
      if (!vs) continue;
      for (const p of vs.pages) {
        if (p.kind !== 'frame' && p.kind !== 'device') continue;
        const pa = BigInt(p.pa);
        if (pa < mapBase) continue; // a device page outside RAM (the checker vets device caps)
        const f = Number((pa - mapBase) >> 12n);
        const ch = f < mem.map.length ? mem.map[f] : '?';
        if (KERNEL_ONLY.has(ch) || ch === '?') found.push(`thread ${t.tid} (${t.name}) maps kernel memory: va ${p.va} → pa ${p.pa} ('${ch}')`);
      }
    }
    res.isolationBreaches += found.length;
    res.details.push(...found);
    return found.length === 0;
  };

  let roundStart = 0;
  let last = 0;
  let still = 0;
  while (res.calls < opts.calls) {
    const ok = step();
    res.calls = json(5).syscalls - base;
    if (!ok) break;
    if (roundsDone !== res.rounds) {
      res.rounds = roundsDone;
      roundStart = res.calls;
      if (res.rounds % ISOLATION_EVERY === 0 && !isolation()) break;
      log(`fuzz: round ${res.rounds} done, ${res.calls} calls`);
    }
    if (res.calls === last) {
      if (++still === STALL_SLICES) { res.stalls++; m.mailbox.post([2]); still = 0; }
    } else { still = 0; last = res.calls; }
    if (res.calls - roundStart >= ROUND_CALLS) { m.mailbox.post([2]); roundStart = res.calls; }
  }
  if (!m.halted && res.hostExceptions === 0) isolation();
  res.seconds = (performance.now() - t0) / 1000;
  return res;
}

export function summary(r: FuzzResult): string {
  return `fuzz: ${r.calls} calls, ${r.hostExceptions} host exceptions, ${r.kernelPanics} kernel panics, ${r.invariantViolations} invariant violations, ${r.isolationBreaches} isolation breaches`;
}

export async function fuzzMain(argv: string[]): Promise<number> {
  const o: FuzzOptions = { calls: 100_000, seed: 1, check: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} needs a non-negative integer`);
      return v;
    };
    try {
      switch (flag) {
        case '--calls': o.calls = num(); break;
        case '--seed': o.seed = num(); break;
        case '--check': o.check = true; break;
        case '--skip-registers': o.skipRegisters = true; break;
        case '--verbose': o.log = (l) => console.log(l); break;
        default: throw new Error(`unknown option '${flag}'`);
      }
    } catch (e) {
      console.error(`mlk fuzz: ${(e as Error).message}`);
      return 2;
    }
  }
  const r = await runFuzz(o);
  for (const d of r.details) console.log(d);
  console.log(`fuzz: seed ${o.seed}, ${r.rounds} rounds, ${r.stalls} stalls, checker ${o.check ? 'after every kernel entry' : 'after every run slice'}, ${r.seconds.toFixed(1)} s, ${Math.round(r.calls / Math.max(r.seconds, 1e-9))} calls/s`);
  console.log(summary(r));
  return r.hostExceptions + r.kernelPanics + r.invariantViolations + r.isolationBreaches === 0 ? 0 : 1;
}
