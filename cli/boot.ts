// `mlk boot`: the machine on a terminal. Interactive (stdin/stdout on UART0, paced to real time)
// or scripted: --input feeds the UART, --until / --until-idle decide success. This contract is
// stable; tests, benchmarks and scripts rely on it (README "Command line").

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Machine } from '../hw/machine';
import { CNTFRQ } from '../hw/memmap';
import type { TraceRecord } from '../hw/trace';
import { FileBlockStore } from './file-block-store';
import { toChromeTrace } from '../hw/trace-export';
import { TRACE_KINDS } from '../host/abi';

const BUILD = fileURLToPath(new URL('../build/', import.meta.url));

export interface BootArgs {
  input: string;
  until?: string;
  untilIdle: boolean;
  maxInstructions: number;
  maxTime: number;
  trace?: string;
  ramMiB: number;
  disk?: string;
  /** Run the kernel's invariant checker after every kernel entry (boot argument mlk.check=1). */
  check: boolean;
}

/** Decodes `\n`, `\r`, `\t`, `\e`, `\\` and `\xNN` escapes, so scripts can type control keys. */
export function unescapeInput(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, c: string) => {
    if (c[0] === 'x' && c.length === 3) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', e: '\x1b', '0': '\0', '\\': '\\' } as Record<string, string>)[c] ?? c;
  });
}

export function parseBootArgs(argv: string[]): BootArgs {
  const a: BootArgs = { input: '', untilIdle: false, maxInstructions: 2_000_000_000, maxTime: 600, ramMiB: 64, check: checkFromEnv() };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--input': a.input += unescapeInput(value()); break;
      case '--until': a.until = unescapeInput(value()); break;
      case '--until-idle': a.untilIdle = true; break;
      case '--max-instructions': a.maxInstructions = positive(flag, value()); break;
      case '--max-time': a.maxTime = positive(flag, value()); break;
      case '--trace': a.trace = value(); break;
      case '--ram': a.ramMiB = positive(flag, value()); break;
      case '--disk': a.disk = value(); break;
      case '--check': a.check = true; break;
      default: throw new Error(`unknown option '${flag}'`);
    }
  }
  return a;
}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got '${v}'`);
  return n;
}

/** MLK_CHECK=1 in the environment turns the invariant checker on (the test suite sets it). */
export function checkFromEnv(): boolean { return process.env.MLK_CHECK === '1'; }

/** Loads the built kernel and boot image (run `node scripts/build.mjs kernel services` first). */
export async function createMachine(ramMiB = 64, diskPath?: string, check = checkFromEnv()): Promise<Machine> {
  const kernelPath = `${BUILD}kernel.wasm`;
  if (!existsSync(kernelPath)) throw new Error(`${kernelPath} is missing: run 'node scripts/build.mjs kernel services' (npm run boot does)`);
  const bootPath = `${BUILD}bootimage.cpio`;
  return Machine.create({
    kernel: readFileSync(kernelPath),
    bootImage: existsSync(bootPath) ? readFileSync(bootPath) : undefined,
    ramSize: ramMiB * 1024 * 1024,
    disk: diskPath ? new FileBlockStore(diskPath) : undefined,
    bootargs: check ? 'mlk.check=1' : undefined,
  });
}

export async function bootMain(argv: string[]): Promise<number> {
  let args: BootArgs;
  try {
    args = parseBootArgs(argv);
  } catch (e) {
    console.error(`mlk boot: ${(e as Error).message}`);
    return 2;
  }
  let machine: Machine;
  try {
    machine = await createMachine(args.ramMiB, args.disk, args.check);
  } catch (e) {
    console.error(`mlk boot: ${(e as Error).message}`);
    return 1;
  }
  const flagged = args.until !== undefined || args.untilIdle || args.input !== '';
  if (flagged) return runScripted(machine, args);
  return process.stdin.isTTY ? runInteractive(machine) : runPiped(machine, args);
}

/** Thread 1 is init, the first program; every service depends on it. */
const INIT_TID = 1;

/**
 * Watches the trace for init stopping (its exit, or a fault with no handler: trace records
 * THREAD_EXIT, or FAULT with handled = 0). Then nothing can run any more, so the CLI stops at
 * once rather than spinning to a limit. Returns a function giving the reason ('' while init runs).
 */
export function watchInit(machine: Machine): () => string {
  const kinds = TRACE_KINDS;
  const kindOf = (name: string) => kinds.find((k) => k.name === name)?.kind ?? -1;
  const FAULT = kindOf('FAULT');
  const THREAD_EXIT = kindOf('THREAD_EXIT');
  const EXIT_FAULT_KIND = 5; // FAULT kind F_EXIT (docs/SYSCALLS.md), before THREAD_EXIT existed
  let why = '';
  machine.on('trace', (r) => {
    if (why || r.args[0] !== INIT_TID) return;
    if (r.kind === THREAD_EXIT) why = `init exited (code ${r.args[1] | 0}): the system cannot run`;
    else if (r.kind === FAULT && r.args[5] === 0) {
      why = r.args[1] === EXIT_FAULT_KIND ? `init exited (code ${r.args[4] | 0}): the system cannot run` : `init stopped on a fault (kind ${r.args[1]}): the system cannot run`;
    }
  });
  return () => why;
}

/** Ctrl-]: leaves `mlk boot` at once, as telnet's escape character does. */
export const QUIT_KEY = 0x1d;

function limitReached(machine: Machine, args: BootArgs): string {
  if (machine.instructions >= args.maxInstructions) return `instruction limit reached (${args.maxInstructions})`;
  if (machine.clock.ticks >= args.maxTime * CNTFRQ) return `virtual time limit reached (${args.maxTime} s)`;
  return '';
}

/**
 * Piped input (`echo ls / | mlk boot`): typed as it arrives, as fast as the host allows; stops
 * once stdin has ended and the machine is idle (0), at Ctrl-] in the input (0, at once), or at a
 * limit or a halt (1). Waits for more input without spinning while the machine is idle.
 */
export function runPiped(machine: Machine, args: BootArgs): Promise<number> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    const idleTicks = CNTFRQ / 10;
    let ended = false;
    let done = false;
    let scheduled = false;
    const initStopped = watchInit(machine);
    machine.on('uart', (bytes) => process.stdout.write(bytes));
    const finish = (code: number, why = '') => {
      if (done) return;
      done = true;
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      stdin.unref?.();
      if (why) console.error(`\nmlk boot: ${why}`);
      resolve(code);
    };
    const onData = (d: Buffer) => {
      const q = d.indexOf(QUIT_KEY);
      if (q >= 0) { finish(0); return; }
      machine.uartInput(new Uint8Array(d));
      kick();
    };
    const onEnd = () => { ended = true; kick(); };
    const kick = () => {
      if (!scheduled && !done) { scheduled = true; setImmediate(loop); }
    };
    const loop = () => {
      scheduled = false;
      if (done) return;
      const r = machine.run(CNTFRQ / 100);
      if (machine.halted) { finish(1, `the machine halted: ${machine.halted.reason}\n${machine.halted.report}`); return; }
      const stopped = initStopped();
      if (stopped) { finish(1, stopped); return; }
      const limit = limitReached(machine, args);
      if (limit) { finish(1, `the machine did not become idle: ${limit}`); return; }
      const waiting = machine.uart.rxQueued() === 0 && (r.reason === 'idle' || machine.idleFor() >= idleTicks);
      if (waiting && ended) { finish(0); return; }
      if (!waiting) kick(); // else: idle until more input arrives
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    kick();
  });
}

/** Scripted run: deterministic, as fast as the host allows. */
export function runScripted(machine: Machine, args: BootArgs, seenBefore = ''): number {
  const records: TraceRecord[] = [];
  if (args.trace) machine.on('trace', (r) => records.push({ ...r, args: [...r.args] }));
  // `mlk run` has already run the machine (boot, program start): what it printed counts for --until
  let seen = seenBefore;
  let found = args.until !== undefined && seen.includes(args.until);
  machine.on('uart', (bytes) => {
    process.stdout.write(bytes);
    if (args.until !== undefined && !found) {
      seen += Buffer.from(bytes).toString('latin1');
      if (seen.includes(args.until)) found = true;
      else if (seen.length > 2 * args.until.length + 4096) seen = seen.slice(-args.until.length);
    }
  });
  const initStopped = watchInit(machine);
  machine.uartInput(args.input);
  const idleTicks = CNTFRQ / 10; // 100 virtual milliseconds
  const slice = CNTFRQ / 100;
  let code = 1;
  let why = '';
  for (;;) {
    const r = machine.run(slice);
    if (found) { code = 0; break; }
    if (machine.halted) { why = `the machine halted: ${machine.halted.reason}\n${machine.halted.report}`; break; }
    why = initStopped();
    if (why) break;
    const inputDone = machine.uart.rxQueued() === 0;
    if (args.untilIdle && inputDone && machine.idleFor() >= idleTicks) { code = 0; break; }
    if (r.reason === 'idle') {
      if (args.untilIdle && inputDone) { code = 0; break; }
      why = 'the machine is idle with no timer armed and nothing left to do'; break;
    }
    why = limitReached(machine, args);
    if (why) break;
  }
  if (args.trace) {
    writeFileSync(args.trace, JSON.stringify(toChromeTrace(records, TRACE_KINDS)));
  }
  if (code !== 0) {
    const target = args.until !== undefined ? `'${args.until}' was not transmitted` : 'the machine did not become idle';
    console.error(`\nmlk boot: ${initStopped() ? why : `${target}: ${why}`}`);
  }
  return code;
}

/** Interactive run: virtual time paced to wall-clock time; Ctrl-] leaves. */
export function runInteractive(machine: Machine): Promise<number> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    const initStopped = watchInit(machine);
    machine.on('uart', (bytes) => process.stdout.write(bytes));
    stdin.setRawMode?.(true);
    stdin.resume();
    process.stderr.write('[mlk] booting; Ctrl-] quits\r\n');
    let done = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const finish = (code: number) => {
      if (done) return;
      done = true; // stops the run loop, so nothing keeps the process alive
      if (timer) clearTimeout(timer);
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stdin.unref?.();
      resolve(code);
    };
    const onData = (d: Buffer) => {
      if (d.includes(QUIT_KEY)) { process.stderr.write('\r\n[mlk] quit\r\n'); finish(0); return; }
      machine.uartInput(new Uint8Array(d));
    };
    stdin.on('data', onData);
    const slice = CNTFRQ / 100; // 10 ms of virtual time per slice
    const t0 = Date.now();
    const v0 = machine.clock.ticks;
    const loop = () => {
      timer = null;
      if (done) return;
      machine.run(slice);
      if (machine.halted) {
        process.stderr.write(`\r\n[mlk] ${machine.halted.report || machine.halted.reason}\r\n`);
        finish(1);
        return;
      }
      if (initStopped()) {
        process.stderr.write(`\r\n[mlk] ${initStopped()}\r\n`);
        finish(1);
        return;
      }
      const ahead = (machine.clock.ticks - v0) / (CNTFRQ / 1000) - (Date.now() - t0);
      timer = setTimeout(loop, Math.max(0, Math.min(ahead, 50)));
    };
    loop();
  });
}
