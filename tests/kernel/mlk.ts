// Test harness for the kernel core: compiles user programs (tests/kernel/programs/*.ts, with the
// services' compile flags from services/asconfig.json; cached by content, tests/setup/asc-cache.mjs),
// packs them into a cpio boot image (init = the first file), boots the real machine and reads the
// kernel's introspection interface.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Machine } from '../../hw/machine';
import { writeCpio } from '../../host/cpio.mjs';
import { readKiText, type KiExports } from '../../host/introspection';
import { EL0_ARGS, compileCached, root } from '../setup/asc-cache.mjs';

export { root };

let kernelModule: WebAssembly.Module | null = null;

/** Builds build/kernel.wasm (if stale) and compiles it once per test file. */
export function kernel(): WebAssembly.Module {
  if (!kernelModule) {
    execFileSync(process.execPath, ['scripts/build.mjs', 'kernel'], { cwd: root, stdio: 'inherit' });
    kernelModule = new WebAssembly.Module(readFileSync(join(root, 'build', 'kernel.wasm')));
  }
  return kernelModule;
}

/** Compiles tests/kernel/programs/<name>.ts (or <dir>/<name>.ts) for EL0, through the test cache. */
export async function program(name: string, dir = join(root, 'tests', 'kernel', 'programs')): Promise<Uint8Array> {
  return compileCached(relative(root, join(dir, `${name}.ts`)), EL0_ARGS);
}

export async function programs(names: string[], dir?: string): Promise<Record<string, Uint8Array>> {
  const bins = await Promise.all(names.map((n) => program(n, dir)));
  return Object.fromEntries(names.map((n, i) => [n, bins[i]]));
}

export interface Booted {
  m: Machine;
  out: () => string;
  /** UART output without timestamps and CRs. */
  log: () => string;
  json: (what: number, arg?: number) => any;
  check: () => number;
  halts: { code: number; reason: string; report: string }[];
}

export const strip = (s: string) => s.replace(/\r/g, '').replace(/^\[ *\d+\.\d{6}\] /gm, '');

/** Boots the machine with the given files as the boot image (first = init). */
export async function boot(files: { name: string; data: Uint8Array }[], opts: { bootargs?: string; ramSize?: number } = {}): Promise<Booted> {
  const bootImage = writeCpio(files);
  const m = await Machine.create({ kernel: kernel(), bootImage, bootargs: opts.bootargs ?? 'mlk.check=1', ramSize: opts.ramSize });
  let out = '';
  const halts: Booted['halts'] = [];
  m.on('uart', (b) => { out += Buffer.from(b).toString('latin1'); });
  m.on('halt', (h) => halts.push(h));
  const ex = m.kernelExports as Record<string, (...a: number[]) => number>;
  const json = (what: number, arg = 0) => {
    const raw = readKiText(ex as unknown as KiExports, m.ram.u8, what, arg);
    if (!raw.ok) throw new Error(raw.error);
    return JSON.parse(raw.text);
  };
  return { m, out: () => out, log: () => strip(out), json, check: () => ex.ki_check(), halts };
}

/** Runs until `pred(log)` holds or the budget (in virtual ticks) is spent; returns the log. */
export function runUntil(b: Booted, pred: (log: string) => boolean, budget = 200_000_000, slice = 2_000_000): string {
  let spent = 0;
  while (spent < budget) {
    const r = b.m.run(slice);
    spent += r.ticks;
    if (b.halts.length) throw new Error(`machine halted: ${b.halts[0].reason}\n${b.halts[0].report}\n${b.log()}`);
    if (pred(b.log())) return b.log();
    if (r.reason === 'idle') break;
  }
  return b.log();
}

/** Files for a boot image from program names: init first. */
export async function image(names: string[], dir?: string): Promise<{ name: string; data: Uint8Array }[]> {
  const bins = await programs(names, dir);
  return names.map((n) => ({ name: `${n}.wasm`, data: bins[n] }));
}
