// `mlk boot`: the machine on a terminal. Interactive (stdin/stdout on UART0, paced to real time)
// or scripted: --input feeds the UART, --until / --until-idle decide success. This contract is
// stable; tests, benchmarks and scripts rely on it (README "Command line").

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Machine, type RunResult } from '../hw/machine';
import { Network } from '../hw/net';
import { PcapWriter } from '../hw/pcap';
import { CNTFRQ } from '../hw/memmap';
import type { TraceRecord } from '../hw/trace';
import { FileBlockStore } from './file-block-store';
import { MemoryBlockStore } from '../hw/blockdev';
import { finishTimeTravel, openStateForBoot, replayMain, startTimeTravel } from './timetravel';
import { toChromeTrace } from '../host/chromeTrace';
import { F_EXIT, TRACE_FAULT, TRACE_THREAD_EXIT } from '../host/abi';
import { KI_VIEW, readKiView, type KiExports } from '../host/introspection';

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
  /** Time travel (docs/TIMETRAVEL.md): state files, the state hash, record/replay. */
  saveState?: string;
  loadState?: string;
  printStateHash: boolean;
  record?: string;
  replay?: string;
  /** Machines on one switch (docs/NETWORK.md); input, stdout and --until are machine 1's. */
  machines: number;
  /** --input-K TEXT: what is typed into machine K (K ≥ 2; machine 1's is `input`). */
  inputs: Map<number, string>;
  pcap?: string;
  netLoss: number;
  seed: number;
}

/** Decodes `\n`, `\r`, `\t`, `\e`, `\\` and `\xNN` escapes, so scripts can type control keys. */
export function unescapeInput(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, c: string) => {
    if (c[0] === 'x' && c.length === 3) return String.fromCharCode(parseInt(c.slice(1), 16));
    return ({ n: '\n', r: '\r', t: '\t', e: '\x1b', '0': '\0', '\\': '\\' } as Record<string, string>)[c] ?? c;
  });
}

export function parseBootArgs(argv: string[]): BootArgs {
  const a: BootArgs = {
    input: '', untilIdle: false, maxInstructions: 2_000_000_000, maxTime: 600, ramMiB: 64, check: checkFromEnv(), printStateHash: false,
    machines: 1, inputs: new Map(), netLoss: 0, seed: 1,
  };
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
      case '--save-state': a.saveState = value(); break;
      case '--load-state': a.loadState = value(); break;
      case '--print-state-hash': a.printStateHash = true; break;
      case '--record': a.record = value(); break;
      case '--replay': a.replay = value(); break;
      case '--machines': {
        const n = positive(flag, value());
        if (!Number.isInteger(n) || n > 254) throw new Error(`--machines needs a whole number from 1 to 254, got ${n}`);
        a.machines = n;
        break;
      }
      case '--pcap': a.pcap = value(); break;
      case '--net-loss': {
        const v = value(), p = Number(v);
        if (!(p >= 0 && p <= 1)) throw new Error(`--net-loss needs a probability from 0 to 1, got '${v}'`);
        a.netLoss = p;
        break;
      }
      case '--seed': {
        const v = value(), n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new Error(`--seed needs a whole number from 0 to 4294967295, got '${v}'`);
        a.seed = n;
        break;
      }
      default: {
        const k = /^--input-(\d+)$/.exec(flag);
        if (!k) throw new Error(`unknown option '${flag}'`);
        const n = Number(k[1]);
        if (n < 1) throw new Error(`${flag}: machines are numbered from 1`);
        if (n === 1) a.input += unescapeInput(value());
        else a.inputs.set(n, (a.inputs.get(n) ?? '') + unescapeInput(value()));
      }
    }
  }
  for (const k of a.inputs.keys()) if (k > a.machines) throw new Error(`--input-${k}: there are only ${a.machines} machine(s)`);
  if (a.replay !== undefined && (a.loadState !== undefined || a.record !== undefined || a.input !== '' || a.until !== undefined || a.untilIdle))
    throw new Error('--replay runs a recording as it is: it takes no --load-state, --record, --input, --until or --until-idle');
  if ((a.machines > 1 || a.pcap !== undefined) && (a.loadState !== undefined || a.saveState !== undefined || a.record !== undefined || a.replay !== undefined))
    throw new Error('time travel (--save-state, --load-state, --record, --replay) runs one machine: it takes no --machines or --pcap');
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
export async function createMachine(ramMiB = 64, diskPath?: string, check = checkFromEnv(), memoryDiskSectors?: number, machineIndex = 1): Promise<Machine> {
  const kernelPath = `${BUILD}kernel.wasm`;
  if (!existsSync(kernelPath)) throw new Error(`${kernelPath} is missing: run 'node scripts/build.mjs kernel services' (npm run boot does)`);
  const bootPath = `${BUILD}bootimage.cpio`;
  return Machine.create({
    kernel: readFileSync(kernelPath),
    bootImage: existsSync(bootPath) ? readFileSync(bootPath) : undefined,
    ramSize: ramMiB * 1024 * 1024,
    disk: diskPath ? new FileBlockStore(diskPath) : memoryDiskSectors !== undefined ? new MemoryBlockStore(memoryDiskSectors) : undefined,
    bootargs: check ? 'mlk.check=1' : undefined,
    machineIndex,
  });
}

/** How the runners advance time: one machine alone, or every machine of a network in lockstep. */
export type Advance = (ticks: number) => RunResult;

/** Machines 1..N on one switch; machine 1 is the one the terminal shows. Only machine 1 uses --disk. */
async function createNetwork(args: BootArgs, capture?: PcapWriter): Promise<{ network: Network; advance: Advance }> {
  const machines: Machine[] = [];
  for (let k = 1; k <= args.machines; k++) machines.push(await createMachine(args.ramMiB, k === 1 ? args.disk : undefined, args.check, undefined, k));
  const network = new Network(machines, { loss: args.netLoss, seed: args.seed, capture });
  for (const [k, text] of args.inputs) machines[k - 1].uartInput(text);
  const first = machines[0];
  const advance: Advance = (ticks) => {
    const t0 = first.clock.ticks, i0 = first.instructions;
    network.run(ticks);
    return { retired: first.instructions - i0, ticks: first.clock.ticks - t0, reason: first.halted ? 'halted' : 'budget' };
  };
  return { network, advance };
}

export async function bootMain(argv: string[]): Promise<number> {
  let args: BootArgs;
  try {
    args = parseBootArgs(argv);
  } catch (e) {
    console.error(`mlk boot: ${(e as Error).message}`);
    return 2;
  }
  if (args.replay !== undefined) return replayMain(args);
  let machine: Machine;
  let advance: Advance;
  let tt: Awaited<ReturnType<typeof startTimeTravel>> = null;
  const networked = args.machines > 1 || args.pcap !== undefined;
  const capture = args.pcap !== undefined ? new PcapWriter() : undefined;
  try {
    if (networked) {
      const net = await createNetwork(args, capture);
      machine = net.network.machines[0];
      advance = net.advance;
    } else {
      const loaded = args.loadState !== undefined ? await openStateForBoot(args.loadState) : null;
      const m = await createMachine(loaded ? loaded.ramMiB : args.ramMiB, args.disk, args.check, loaded?.diskSectors);
      machine = m;
      advance = (ticks) => m.run(ticks);
      tt = await startTimeTravel(m, args, loaded);
    }
  } catch (e) {
    console.error(`mlk boot: ${(e as Error).message}`);
    return 1;
  }
  const flagged = args.until !== undefined || args.untilIdle || args.input !== '' || args.inputs.size > 0;
  const code = flagged ? runScripted(machine, args, advance)
    : await (process.stdin.isTTY ? runInteractive(machine, advance) : runPiped(machine, args, advance));
  if (capture && args.pcap) writeFileSync(args.pcap, capture.bytes());
  return networked ? code : finishTimeTravel(machine, args, tt, code);
}

/** Thread 1 is init, the first program; every service depends on it. */
const INIT_TID = 1;

/**
 * Watches the trace for init stopping (its exit, or a fault with no handler: trace records
 * THREAD_EXIT, or FAULT with handled = 0). Then nothing can run any more, so the CLI stops at
 * once rather than spinning to a limit. Returns a function giving the reason ('' while init runs).
 */
export function watchInit(machine: Machine): () => string {
  let why = '';
  machine.on('trace', (r) => {
    if (why || r.args[0] !== INIT_TID) return;
    if (r.kind === TRACE_THREAD_EXIT) why = `init exited (code ${r.args[1] | 0}): the system cannot run`;
    else if (r.kind === TRACE_FAULT && r.args[5] === 0) {
      why = r.args[1] === F_EXIT ? `init exited (code ${r.args[4] | 0}): the system cannot run` : `init stopped on a fault (kind ${r.args[1]}): the system cannot run`;
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
export function runPiped(machine: Machine, args: BootArgs, advance: Advance): Promise<number> {
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
      const r = advance(CNTFRQ / 100);
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

/** tid → name from the kernel's thread table (ki_json view 0), for the trace's thread tracks. */
function threadNames(machine: Machine): Map<number, string> {
  const threads = readKiView(machine.kernelExports as unknown as KiExports, machine.ram.u8, KI_VIEW.THREADS);
  return new Map(threads.ok ? threads.value.map((t) => [t.tid, t.name]) : []);
}

/** Scripted run: deterministic, as fast as the host allows. */
export function runScripted(machine: Machine, args: BootArgs, advance: Advance, seenBefore = ''): number {
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
    const r = advance(slice);
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
    writeFileSync(args.trace, JSON.stringify(toChromeTrace(records, threadNames(machine))));
  }
  if (code !== 0) {
    const target = args.until !== undefined ? `'${args.until}' was not transmitted` : 'the machine did not become idle';
    console.error(`\nmlk boot: ${initStopped() ? why : `${target}: ${why}`}`);
  }
  return code;
}

/** Interactive run: virtual time paced to wall-clock time; Ctrl-] leaves. */
export function runInteractive(machine: Machine, advance: Advance): Promise<number> {
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
      advance(slice);
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
