// The modelled machine: an Apple M1 (t8103) reduced to one core, wired as the device tree says.
// It owns RAM, the MMIO bus and its devices, the core (exception model + MMU + EL0 engine) and the
// deterministic clock, loads the kernel (a WebAssembly module whose memory *is* RAM, DESIGN D1)
// and runs the loop: EL0 instructions, exception entries into the kernel, WFI skipping time.

import { Aic } from './aic';
import { BlockDevice, MemoryBlockStore, type BlockStore } from './blockdev';
import { Dart } from './dart';
import { Bus, BusError } from './bus';
import { Clock } from './clock';
import { Cpu, UndefinedSysreg } from './cpu';
import { buildMachineDeviceTree } from './devicetree';
import { El0Core } from './el0/core';
import { EC, FSC, PSTATE, VECTOR, esr, esrEc } from './esr';
import { buildFdt } from './fdt';
import { BLOCK_DART_SID, DEFAULT_RAM_SIZE, DRAM_BASE, KERNEL_ENTRY_TICKS, KERNEL_MMIO_TICKS, NET_BASE, NET_DART_SID, NET_IRQ, NET_SIZE } from './memmap';
import { Mmu } from './mmu';
import { Ram } from './ram';
import { SYSREG } from './sysregs';
import { GenericTimer } from './timer';
import { HostMailbox } from './mailbox';
import { GpioPl061 } from './gpio-pl061';
import { TraceRing, type TraceRecord } from './trace';
import { Uart } from './uart';
import { murmur128 } from './hash';
import { exportMutableGlobals } from './wasm-globals';
import { VirtioNet } from './virtio-net';

export interface MachineOptions {
  /**
   * The kernel image: a WebAssembly binary with the `mach` imports, or one prepared once by
   * prepareKernel (a host that boots many machines compiles it once), or a compiled module (no snapshots).
   */
  kernel: Uint8Array | PreparedKernel | WebAssembly.Module;
  ramSize?: number;
  /** The boot image (cpio newc archive of service binaries), handed over as the initrd. */
  bootImage?: Uint8Array;
  /** Backing store of the block device (a fresh 4 MiB RAM-backed disk by default). */
  disk?: BlockStore;
  bootargs?: string;
  /** Which machine on the wire this is (1..255; default 1): its NIC's MAC is 02:00:00:00:00:k. */
  machineIndex?: number;
}

export type StopReason = 'budget' | 'idle' | 'halted';
export interface RunResult {
  /** EL0 instructions retired in this call. */
  retired: number;
  /** Counter ticks that passed in this call. */
  ticks: number;
  reason: StopReason;
}
export interface HaltInfo { code: number; reason: string; report: string }
export interface MachineStatus {
  ticks: number;
  instructions: number;
  kernelEntries: number;
  el: 0 | 1;
  idle: boolean;
  halted: boolean;
  /** Counter value at the last sign of life (EL0 instruction, UART traffic); see idleFor(). */
  lastActivity: number;
}

type Events = {
  uart: (bytes: Uint8Array) => void;
  halt: (info: HaltInfo) => void;
  trace: (rec: TraceRecord) => void;
  /** After each kernel entry has run to completion (vector offset; -1 = kmain): a point a run can stop at. */
  entry: (vector: number) => void;
  /** An outside input reached a device (record/replay, host/timetravel-record.ts). */
  input: (input: HostInput) => void;
  /**
   * run()/step() returned while the core was at EL0 (ticks = now). Where a run stops is an input
   * too: the EL0 engine writes its stack back at every stop, and the unused upper halves of i32
   * stack slots it writes depend on where it stopped (never on what the program computes), so a
   * bit-exact replay stops where the recorded run stopped.
   */
  stop: (ticks: number) => void;
};

/** What the outside world hands the machine: bytes typed into UART0, a message posted to the mailbox. */
export type HostInput = { kind: 'uart'; bytes: Uint8Array } | { kind: 'mailbox'; words: Uint32Array } | { kind: 'gpio'; button: number; down: boolean };

/** The machine's own bookkeeping and the kernel's WebAssembly globals, for a snapshot (hw/snapshot.ts). */
export interface MachineCoreState {
  booted: boolean;
  instructions: number;
  kernelEntries: number;
  halted: HaltInfo | null;
  lastActivity: number;
  entryOffset: number;
  /** The kernel's mutable globals in index order: `i:<bigint>` (i64) or `n:<number>`. */
  kernelGlobals: string[];
}

/**
 * A kernel compiled once with its mutable globals exported (hw/wasm-globals.ts): machines created
 * from it can be snapshotted, and their build id is that of the original bytes.
 */
export interface PreparedKernel {
  module: WebAssembly.Module;
  /** Export names of the kernel's mutable globals, in index order. */
  globals: string[];
  /** The kernel binary as built (the build id hashes it). */
  bytes: Uint8Array;
}

export async function prepareKernel(bytes: Uint8Array): Promise<PreparedKernel> {
  const g = exportMutableGlobals(bytes);
  return { module: await WebAssembly.compile(g.bytes as BufferSource), globals: g.names, bytes };
}

/** Thrown through the kernel's wasm frames by the `halt` import, like a core parked in `b .`. */
class HaltSignal extends Error {}
/** A synchronous exception raised by a kernel instruction (MMIO to a hole, undefined sysreg). */
class KernelSync extends Error {
  constructor(readonly esr: number, readonly far: number, message: string) { super(message); }
}

const FDT_SPACE = 64 * 1024;
const PAGE = 4096;

export class Machine {
  readonly clock = new Clock();
  readonly ram: Ram;
  readonly bus = new Bus();
  readonly aic: Aic;
  readonly timer: GenericTimer;
  readonly uart: Uart;
  readonly trace: TraceRing;
  readonly dart: Dart;
  readonly block: BlockDevice;
  readonly mailbox: HostMailbox;
  /** The PL061 GPIO bank: four LEDs and four buttons (the driver exercise). */
  readonly gpio: GpioPl061;
  /** The network device (virtio-net on virtio-mmio); its link is up once a switch port is attached (hw/net.ts). */
  readonly net: VirtioNet;
  readonly machineIndex: number;
  readonly mmu: Mmu;
  readonly cpu: Cpu;
  readonly el0: El0Core;
  readonly fdtAddress: number;
  readonly bootImageRange: { start: number; end: number } | null;
  /**
   * Hash of the kernel and boot images this machine was built from: a snapshot carries it, and one
   * from another build is refused. Empty when the kernel came as a compiled module (no snapshots).
   */
  buildId = '';

  instructions = 0;
  kernelEntries = 0;
  halted: HaltInfo | null = null;
  /** Set by a host that waits for one event (the playground's step-to-next): run() returns after the current kernel entry. */
  stopRequested = false;
  private lastActivity = 0;
  /** kmain runs at the first run()/step(), so listeners attached after create() see the boot. */
  private booted = false;
  private kernel!: WebAssembly.Instance;
  private vectorFn!: (offset: number) => void;
  // the timer's next deadline as an absolute counter value (see timerDeadline())
  private timerAbs = Infinity;
  private timerAt = -1;
  private timerSeen = -1;
  private entryOffset = -1;
  private eretPending = false;
  private wfiPending = false;
  private listeners: { [K in keyof Events]: Events[K][] } = { uart: [], halt: [], trace: [], entry: [], input: [], stop: [] };
  private txBatch: number[] = [];
  /** The kernel's mutable globals (exported by exportMutableGlobals), null when not reachable. */
  private kernelGlobals: WebAssembly.Global[] | null = null;

  static async create(opts: MachineOptions): Promise<Machine> {
    // From bytes, the kernel's globals are exported so that a snapshot can hold them (hw/wasm-globals.ts).
    const k = opts.kernel;
    const prepared = k instanceof WebAssembly.Module ? null : k instanceof Uint8Array ? await prepareKernel(k) : k;
    const m = new Machine(opts);
    m.kernel = await WebAssembly.instantiate(prepared ? prepared.module : (k as WebAssembly.Module), m.kernelImports());
    m.vectorFn = m.kernel.exports.vector as (o: number) => void;
    if (prepared) {
      m.kernelGlobals = prepared.globals.map((n) => m.kernel.exports[n] as WebAssembly.Global);
      m.buildId = murmur128(prepared.bytes, new Uint8Array([0]), opts.bootImage ?? new Uint8Array(0));
    }
    return m;
  }

  private constructor(opts: MachineOptions) {
    this.ram = new Ram(opts.ramSize ?? DEFAULT_RAM_SIZE);
    this.aic = new Aic(this.clock);
    this.timer = new GenericTimer(this.clock);
    this.uart = new Uart(this.aic);
    this.trace = new TraceRing(this.clock);
    this.dart = new Dart(this.ram, this.aic);
    this.block = new BlockDevice(this.dart.port(BLOCK_DART_SID), this.aic, opts.disk ?? new MemoryBlockStore(8192));
    this.mailbox = new HostMailbox(this.aic);
    this.gpio = new GpioPl061(this.aic);
    this.machineIndex = opts.machineIndex ?? 1;
    if (!Number.isInteger(this.machineIndex) || this.machineIndex < 1 || this.machineIndex > 255) throw new RangeError(`machineIndex ${opts.machineIndex} is not in 1..255`);
    const mac = Uint8Array.of(2, 0, 0, 0, 0, this.machineIndex);
    this.net = new VirtioNet(mac, this.dart.port(NET_DART_SID), this.aic, NET_BASE, NET_SIZE, NET_IRQ);
    for (const d of [this.aic, this.uart, this.trace, this.dart, this.block, this.mailbox, this.net.transport, this.gpio]) this.bus.map(d);
    this.mmu = new Mmu(this.ram);
    this.cpu = new Cpu(this.mmu, this.timer);
    this.el0 = new El0Core(this.ram, this.bus, this.mmu);

    this.mailbox.onPost = (words) => this.emitInput({ kind: 'mailbox', words });
    this.uart.onTransmit = (b) => {
      this.txBatch.push(b);
      this.lastActivity = this.clock.ticks;
    };

    // Boot handoff, as a loader (m1n1) would leave it: FDT at the top of RAM, initrd below it.
    const ramEnd = DRAM_BASE + this.ram.size;
    this.fdtAddress = ramEnd - FDT_SPACE;
    let initrd: { start: number; end: number } | undefined;
    if (opts.bootImage && opts.bootImage.length > 0) {
      const start = Math.floor((this.fdtAddress - opts.bootImage.length) / PAGE) * PAGE;
      this.ram.load(start, opts.bootImage);
      initrd = { start, end: start + opts.bootImage.length };
    }
    this.bootImageRange = initrd ?? null;
    const tree = buildMachineDeviceTree({ ramSize: this.ram.size, initrd, bootargs: opts.bootargs, blockSectors: this.block.store.sectors, machineIndex: this.machineIndex, mac });
    const reserve: Array<[number, number]> = [[this.fdtAddress, FDT_SPACE]];
    if (initrd) reserve.push([initrd.start, initrd.end - initrd.start]);
    const fdt = buildFdt(tree, reserve);
    if (fdt.length > FDT_SPACE) throw new Error(`device tree is ${fdt.length} bytes, more than the ${FDT_SPACE} reserved`);
    this.ram.load(this.fdtAddress, fdt);
  }

  on<K extends keyof Events>(event: K, fn: Events[K]): () => void {
    (this.listeners[event] as Events[K][]).push(fn);
    // Records become objects only while someone listens: tracing costs nothing otherwise.
    if (event === 'trace') this.trace.onRecord = (r) => { for (const f of this.listeners.trace) f(r); };
    return () => {
      const list = this.listeners[event] as Events[K][];
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Bytes typed by the host into UART0's receive line. */
  uartInput(data: string | Uint8Array): void {
    this.uart.hostInput(data);
    if (this.listeners.input.length > 0) {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data.slice(); // as Uart.hostInput encodes it
      this.emitInput({ kind: 'uart', bytes });
    }
  }

  /** A button of the GPIO bank pressed or released by the host (an outside input, like a key). */
  gpioButton(button: number, down: boolean): void {
    this.gpio.setButton(button, down);
    this.emitInput({ kind: 'gpio', button, down });
  }

  private emitInput(input: HostInput): void {
    for (const f of this.listeners.input) f(input);
  }

  /** The machine's bookkeeping and the kernel's globals (the rest of a snapshot is devices and RAM). */
  saveCore(): MachineCoreState {
    if (!this.kernelGlobals) throw new Error('this machine cannot be snapshotted: its kernel was given as a compiled module, so its globals are unreachable');
    return {
      booted: this.booted,
      instructions: this.instructions,
      kernelEntries: this.kernelEntries,
      halted: this.halted ? { ...this.halted } : null,
      lastActivity: this.lastActivity,
      entryOffset: this.entryOffset,
      kernelGlobals: this.kernelGlobals.map((g) => typeof g.value === 'bigint' ? `i:${g.value}` : `n:${g.value}`),
    };
  }

  /** Loads saveCore()'s output; the caller has checked it (hw/snapshot.ts) and restores the devices. */
  loadCore(c: MachineCoreState): void {
    if (!this.kernelGlobals) throw new Error('this machine cannot be restored: its kernel was given as a compiled module');
    if (c.kernelGlobals.length !== this.kernelGlobals.length) throw new Error('snapshot: the kernel has a different set of globals');
    c.kernelGlobals.forEach((v, i) => {
      const g = this.kernelGlobals![i];
      g.value = v.startsWith('i:') ? BigInt(v.slice(2)) : Number(v.slice(2));
    });
    this.booted = c.booted;
    this.instructions = c.instructions;
    this.kernelEntries = c.kernelEntries;
    this.halted = c.halted ? { ...c.halted } : null;
    this.lastActivity = c.lastActivity;
    this.entryOffset = c.entryOffset;
    // caches and per-entry flags: recomputed, never saved
    this.timerSeen = -1;
    this.timerAt = -1;
    this.timerAbs = Infinity;
    this.eretPending = false;
    this.wfiPending = false;
    this.txBatch.length = 0;
    this.stopRequested = false;
  }

  /** Number of kernel globals a snapshot holds (-1: none reachable). */
  get kernelGlobalCount(): number {
    return this.kernelGlobals ? this.kernelGlobals.length : -1;
  }

  /** The kernel's exports (introspection functions `ki_*` live here). */
  get kernelExports(): WebAssembly.Exports {
    return this.kernel.exports;
  }

  status(): MachineStatus {
    return {
      ticks: this.clock.ticks,
      instructions: this.instructions,
      kernelEntries: this.kernelEntries,
      el: this.cpu.el,
      idle: this.cpu.el === 1 && this.cpu.waiting,
      halted: this.halted !== null,
      lastActivity: this.lastActivity,
    };
  }

  /** Vector offset of the last kernel entry (VECTOR.*; -1 = the reset entry kmain). */
  get lastVector(): number {
    return this.entryOffset;
  }

  /** Counter ticks since the last EL0 instruction or UART traffic, while the core idles in WFI. */
  idleFor(): number {
    return this.cpu.waiting && this.cpu.el === 1 ? this.clock.ticks - this.lastActivity : 0;
  }

  /**
   * Run for at most `budget` counter ticks of virtual time (one EL0 instruction = one tick; each
   * kernel entry costs KERNEL_ENTRY_TICKS; WFI skips to the next device deadline). Returns early
   * when the machine halts, or with 'idle' when it waits for an interrupt no device will raise.
   */
  run(budget: number): RunResult {
    const start = this.clock.ticks;
    const startInstr = this.instructions;
    let reason: StopReason = 'budget';
    try {
      reason = this.runLoop(start + budget);
    } catch (e) {
      this.machineCheck(e);
    }
    return this.endRun(start, startInstr, reason);
  }

  /** What run() and step() do last: the UART's pending bytes out, the stop listeners told, the result. */
  private endRun(start: number, startInstr: number, reason: StopReason): RunResult {
    if (this.halted) reason = 'halted';
    this.flushUart();
    if (this.listeners.stop.length !== 0 && this.cpu.el === 0 && !this.halted) for (const f of this.listeners.stop) f(this.clock.ticks);
    return { retired: this.instructions - startInstr, ticks: this.clock.ticks - start, reason };
  }

  private runLoop(limit: number): StopReason {
    let reason: StopReason = 'budget';
    this.boot();
    this.stopRequested = false;
    while (this.clock.ticks < limit) {
      if (this.halted) { reason = 'halted'; break; }
      if (this.stopRequested) break;
      this.tickDevices();
      if (this.takePendingInterrupt()) continue;
      if (this.cpu.el === 1) {
        // Waiting in WFI: jump to the next event, but not past the budget.
        const next = this.nextDeadline();
        if (next === Infinity) { reason = 'idle'; break; }
        this.clock.ticks = Math.min(Math.max(next, this.clock.ticks), limit);
        continue;
      }
      const fuel = Math.min(limit, this.nextDeadline()) - this.clock.ticks;
      this.runEl0(Math.max(1, fuel));
    }
    return reason;
  }

  /**
   * One step: one EL0 instruction, or — when the core waits in WFI — up to the next event and the
   * kernel entry it causes.
   */
  step(): RunResult {
    const start = this.clock.ticks;
    const startInstr = this.instructions;
    let reason: StopReason = 'budget';
    try {
      if (!this.booted) this.boot();
      else if (this.halted) reason = 'halted';
      else reason = this.stepOnce();
    } catch (e) {
      this.machineCheck(e);
    }
    return this.endRun(start, startInstr, reason);
  }

  private stepOnce(): StopReason {
    let reason: StopReason = 'budget';
    {
      this.tickDevices();
      if (!this.takePendingInterrupt()) {
        if (this.cpu.el === 0) this.runEl0(1);
        else {
          const next = this.nextDeadline();
          if (next === Infinity) reason = 'idle';
          else {
            this.clock.ticks = Math.max(next, this.clock.ticks);
            this.tickDevices();
            this.takePendingInterrupt();
          }
        }
      }
    }
    return reason;
  }

  /**
   * A JavaScript exception escaped the model (a bug in it, not something a program did: the EL0 core
   * turns those into traps): stop the machine with a "machine check" report — the EL0 register file,
   * ESR/ELR/FAR and the JS stack — instead of throwing out of run()/step().
   */
  private machineCheck(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    this.stop(5, `machine check: ${err.name}: ${err.message}`, this.cpu.el === 0 ? -2 : this.entryOffset, undefined, undefined, err);
  }

  // ---- the core's run loop pieces --------------------------------------------------------------

  private runEl0(fuel: number): void {
    const n = this.el0.run(fuel);
    this.instructions += n;
    this.clock.advance(n);
    if (n > 0) this.lastActivity = this.clock.ticks;
    // an armed code breakpoint (hw/el0/debug.ts): run() returns right before its instruction
    if (this.el0.atBreakpoint) this.stopRequested = true;
    const ex = this.el0.exception;
    if (ex) {
      this.el0.exception = null;
      const ec = esrEc(ex.esr);
      const far = ec === EC.DABT_LOW || ec === EC.IABT_LOW ? ex.far : -1;
      this.exception(VECTOR.LOWER_SYNC, ex.elrLo, ex.elrHi, ex.esr, far);
    }
  }

  private nextDeadline(): number {
    return Math.min(this.timerDeadline(), this.block.nextDeadline());
  }

  /**
   * timer.nextDeadline(), computed again only when a timer register was written (or the clock
   * moved backwards): the deadline is an absolute counter value (CVAL) unless the timer already
   * fires, and fiqOutput() is exactly "deadline <= now".
   */
  private timerDeadline(): number {
    const now = this.clock.ticks;
    if (this.cpu.timerWrites !== this.timerSeen || now < this.timerAt) {
      this.timerSeen = this.cpu.timerWrites;
      this.timerAt = now;
      this.timerAbs = this.timer.nextDeadline();
    }
    return this.timerAbs > now ? this.timerAbs : now;
  }

  private tickDevices(): void {
    if (this.block.nextDeadline() <= this.clock.ticks) this.block.tick(this.clock.ticks);
  }

  /** Takes an IRQ or FIQ if one is asserted and not masked by PSTATE; FIQ first, as on Apple. */
  private takePendingInterrupt(): boolean {
    const daif = this.cpu.daif;
    if (!(daif & PSTATE.F) && this.timerDeadline() <= this.clock.ticks) {
      this.interrupt(this.cpu.el === 0 ? VECTOR.LOWER_FIQ : VECTOR.CUR_SPX_FIQ);
      return true;
    }
    if (!(daif & PSTATE.I) && this.aic.irqOutput()) {
      this.interrupt(this.cpu.el === 0 ? VECTOR.LOWER_IRQ : VECTOR.CUR_SPX_IRQ);
      return true;
    }
    return false;
  }

  /** An interrupt: the preferred return address is the EL0 PC, or for the EL1 idle loop the WFI "address" 0. */
  private interrupt(offset: number): void {
    if (this.cpu.el === 0) this.exception(offset, this.el0.pcLo, this.el0.pcHi);
    else this.exception(offset, 0, 0);
  }

  /** Exception entry to the kernel's vector `offset`; `esrValue`/`far` -1 = not set. */
  private exception(offset: number, elrLo: number, elrHi: number, esrValue = -1, far = -1): void {
    if (this.cpu.noVbar) {
      this.stop(2, 'exception with no vector table installed (VBAR_EL1 = 0)', offset, esrValue < 0 ? undefined : esrValue, far < 0 ? undefined : far);
      return;
    }
    this.cpu.enterWords(offset, elrLo, elrHi, esrValue, far);
    this.enterKernel(offset);
    if (this.listeners.entry.length !== 0) for (const f of this.listeners.entry) f(offset);
  }

  private boot(): void {
    if (this.booted) return;
    this.booted = true;
    // Reset state: EL1h, DAIF masked, MMU off; x0 = FDT address (Linux arm64 boot protocol).
    this.enterKernel(-1);
    for (const f of this.listeners.entry) f(-1);
  }

  /**
   * One kernel entry, run to completion (D2). It must end with eret() or wfi(). A synchronous
   * exception raised by a kernel instruction re-enters the kernel's EL1 sync vector once; a
   * WebAssembly trap is a kernel bug and stops the machine with a panic report.
   */
  private enterKernel(offset: number): void {
    this.kernelEntries++;
    this.clock.advance(KERNEL_ENTRY_TICKS);
    this.entryOffset = offset;
    this.eretPending = false;
    this.wfiPending = false;
    try {
      if (offset < 0) (this.kernel.exports.kmain as (fdt: bigint) => void)(BigInt(this.fdtAddress));
      else this.vectorFn(offset);
    } catch (e) {
      if (e instanceof HaltSignal) return;
      if (e instanceof KernelSync && offset !== VECTOR.CUR_SPX_SYNC) {
        this.cpu.enter(VECTOR.CUR_SPX_SYNC, kernelElr(offset), e.esr, e.far);
        this.enterKernel(VECTOR.CUR_SPX_SYNC);
        return;
      }
      const what = e instanceof KernelSync ? `${e.message} while handling a kernel exception`
        : e instanceof WebAssembly.RuntimeError ? `WebAssembly trap in the kernel: ${e.message}`
        : `host error in a kernel entry: ${(e as Error).message}`;
      const host = !(e instanceof KernelSync) && !(e instanceof WebAssembly.RuntimeError);
      this.stop(3, what, offset, undefined, undefined, host ? (e instanceof Error ? e : new Error(String(e))) : undefined);
      return;
    }
    if (this.halted) return;
    if (this.eretPending) {
      // ERET: PC ← ELR_EL1
      if (this.cpu.eret() === 0) this.el0.eretWords(this.cpu.elrLo, this.cpu.elrHi);
      else this.cpu.waiting = true; // the only EL1 context to return to is the idle loop
    } else if (this.wfiPending) {
      this.cpu.waiting = true;
    } else {
      this.stop(4, 'kernel entry returned without eret() or wfi()', offset);
    }
  }

  /** Halt with a report; `offset` -1 = kmain, -2 = running at EL0; `error` adds the EL0 registers and its JS stack. */
  private stop(code: number, reason: string, offset = this.entryOffset, esrValue?: number, far?: number, error?: Error): void {
    const hex = (v: bigint | number) => `0x${v.toString(16).padStart(16, '0')}`;
    const where = offset === -2 ? 'EL0' : offset < 0 ? 'kmain (boot)' : `vector 0x${offset.toString(16)}`;
    const lines = [
      `*** machine halted: ${reason}`,
      `    during ${where} at tick ${this.clock.ticks}`,
      `    ESR_EL1 ${hex(esrValue ?? this.cpu.reg(SYSREG.ESR_EL1))}  ELR_EL1 ${hex(this.cpu.reg(SYSREG.ELR_EL1))}`,
      `    FAR_EL1 ${hex(far ?? this.cpu.reg(SYSREG.FAR_EL1))}  SPSR_EL1 ${hex(this.cpu.reg(SYSREG.SPSR_EL1))}`,
    ];
    if (error) {
      const r = this.el0.regs;
      lines.push('    EL0 registers:');
      for (let i = 0; i < 20; i += 4) lines.push(`      ${[0, 1, 2, 3].map((k) => `x${String(i + k).padEnd(2)} ${hex(r[i + k])}`).join('  ')}`);
      lines.push('    JavaScript stack:', ...(error.stack ?? `${error.name}: ${error.message}`).split('\n').map((l) => `      ${l.trim()}`));
    }
    this.halt({ code, reason, report: lines.join('\n') });
  }

  private halt(info: HaltInfo): void {
    if (this.halted) return;
    this.halted = info;
    this.flushUart();
    for (const f of this.listeners.halt) f(info);
  }

  private flushUart(): void {
    if (this.txBatch.length === 0) return;
    const bytes = Uint8Array.from(this.txBatch);
    this.txBatch.length = 0;
    for (const f of this.listeners.uart) f(bytes);
  }

  // ---- the kernel's view of the hardware (DESIGN D1; docs/ARCHITECTURE.md) ---------------------

  private kernelImports(): WebAssembly.Imports {
    const big = (v: bigint) => { const n = Number(v); return n >= 0 ? n : Number(BigInt.asUintN(64, v)); };
    return {
      env: { memory: this.ram.memory },
      mach: {
        mmio_read32: (pa: bigint): number => this.kernelMmio(big(pa), false, 0),
        mmio_write32: (pa: bigint, v: number): void => { this.kernelMmio(big(pa), true, v >>> 0); },
        // (a u64 BigInt goes back to wasm modulo 2^64, so no BigInt.asIntN is needed)
        mrs: (id: number): bigint => {
          try { return this.cpu.mrs(id); } catch (e) { throw this.sysregFault(e); }
        },
        msr: (id: number, v: bigint): void => {
          try { this.cpu.msr(id, v); } catch (e) { throw this.sysregFault(e); }
        },
        tlbi: (op: number, arg: bigint): void => this.mmu.tlbi(op, BigInt.asUintN(64, arg)),
        ic_iallu: (): void => this.el0.invalidateCode(),
        // RAM offset (pa - DRAM_BASE) as u32: no BigInt on the two imports every entry makes
        ctx_save: (ka: number): void => this.el0.saveContext(DRAM_BASE + (ka >>> 0)),
        ctx_restore: (ka: number): void => this.el0.restoreContext(DRAM_BASE + (ka >>> 0)),
        eret: (): void => { this.eretPending = true; this.wfiPending = false; },
        wfi: (): void => { this.wfiPending = true; this.eretPending = false; },
        halt: (code: number): void => {
          this.halt({ code, reason: `kernel halted (code ${code})`, report: '' });
          throw new HaltSignal();
        },
      },
    };
  }

  private kernelMmio(pa: number, write: boolean, v: number): number {
    this.clock.advance(KERNEL_MMIO_TICKS); // a device access takes time (memmap.ts)
    try {
      if (write) { this.bus.write32(pa, v); return 0; }
      return this.bus.read32(pa) >>> 0;
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      const iss = FSC.SYNC_EXTERNAL | (write ? 1 << 6 : 0);
      throw new KernelSync(esr(EC.DABT_CUR, iss), pa, `external abort: ${write ? 'write to' : 'read from'} 0x${pa.toString(16)} (no device)`);
    }
  }

  /** The exception to throw for an error raised by an MRS/MSR (an undefined register: EC 0x00). */
  private sysregFault(e: unknown): unknown {
    return e instanceof UndefinedSysreg ? new KernelSync(esr(EC.UNKNOWN, 0), 0, e.message) : e;
  }
}

/** ELR reported for a kernel instruction: the kernel has no PC we can name, so we name the entry. */
function kernelElr(offset: number): bigint {
  return 0xffff_0000_0000_0000n | BigInt(offset < 0 ? 0xb007 : offset);
}
