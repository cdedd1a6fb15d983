// Standalone harness for the EL0 core: runs programs' exports on bare address spaces, without the
// kernel. It plays the loader and a tiny kernel: owns RAM, the MMU and page tables, maps the image
// (executable) and the globals area up front, initialises globals, tables and active data/element
// segments, and demand-maps linear-memory and stack pages on data aborts (which exercises fault
// restart). Imported functions are host functions serviced on their SVC (imm16 0x100 + k).
//
// Several instances share one World (RAM, MMU, core) like processes on one machine: each has its
// own page tables and ASID, and a switch is saveContext-style register-file swap + TTBR0 change.

import { Ram } from '../../hw/ram';
import { Bus } from '../../hw/bus';
import { Mmu, PageTableBuilder } from '../../hw/mmu';
import { EC } from '../../hw/esr';
import { El0Core, REG, SVC_EXIT, SVC_IMPORT_BASE, SVC_SYSCALL } from '../../hw/el0/core';
import { decodeProgram } from '../../hw/el0/decode';
import { PC_ENTER, T, type ConstExpr, type FuncType, type Import, type Program } from '../../hw/el0/module';
import { TRAP, trapMessage } from '../../hw/el0/traps';

export const IMG_VA = 0x1_0000_0000;
export const GP_VA = 0x1_8000_0000;
export const STACK_VA = 0x2_0000_0000;
export const DEFAULT_STACK_SIZE = 1 << 20;
const PAGE = 4096;

export class TrapError extends Error {
  constructor(readonly code: number) { super(trapMessage(code)); this.name = 'TrapError'; }
}
export class ExhaustionError extends Error {
  constructor(why: string) { super(`call stack exhausted (${why})`); this.name = 'ExhaustionError'; }
}
export class LinkError extends Error {
  constructor(msg: string) { super(msg); this.name = 'LinkError'; }
}

/** A host value an import can be bound to. Values are raw bits (i32 zero-extended). */
export type HostExtern =
  | { kind: 'func'; type: FuncType; call: (args: bigint[]) => bigint[] }
  | { kind: 'global'; type: number; mutable: boolean; value: bigint }
  | { kind: 'table'; elemType: number; min: number; max: number | null }
  | { kind: 'memory'; min: number; max: number | null };

export type Resolver = (imp: Import) => HostExtern | undefined;

/** Handler for mlk.svc syscalls (X7 = nr, X0..X5 = args); returns X0. */
export type SyscallHandler = (nr: number, args: bigint[], inst: Instance) => bigint;

export interface WorldOptions {
  ramSize?: number; fuelPerRun?: number; maxInstructions?: number;
  /** core.jitThreshold: Infinity = interpreter only, 0 = translate every function on first use */
  jitThreshold?: number;
}

export class World {
  readonly ram: Ram;
  readonly bus = new Bus();
  readonly mmu: Mmu;
  readonly core: El0Core;
  private next: number;
  private nextAsid = 1;
  current: Instance | null = null;
  fuelPerRun: number;
  maxInstructions: number;
  /** exceptions taken (for tests) */
  stats = { faults: 0, svcs: 0, runs: 0, instructions: 0 };
  /** called when run() stopped at an armed code breakpoint (core.setBreakpoints); the call then goes on */
  onBreakpoint: ((core: El0Core) => void) | null = null;

  constructor(opts: WorldOptions = {}) {
    this.ram = new Ram(opts.ramSize ?? 128 * 1024 * 1024);
    this.mmu = new Mmu(this.ram);
    this.core = new El0Core(this.ram, this.bus, this.mmu);
    if (opts.jitThreshold !== undefined) this.core.jitThreshold = opts.jitThreshold;
    this.next = this.ram.base + 0x10000;
    this.fuelPerRun = opts.fuelPerRun ?? 10_000_000;
    this.maxInstructions = opts.maxInstructions ?? 2_000_000_000;
  }

  /** A zeroed physical page. */
  allocPage(): number {
    const pa = this.next;
    if (pa + PAGE > this.ram.base + this.ram.size) throw new Error('harness: out of RAM');
    this.next += PAGE;
    this.ram.u8.fill(0, pa - this.ram.base, pa - this.ram.base + PAGE);
    return pa;
  }

  newAsid(): number {
    const a = this.nextAsid++;
    if (this.nextAsid > 255) { this.nextAsid = 1; this.mmu.tlbi(0, 0n); }
    return a;
  }

  /** Make `inst` the running address space (TTBR0/ASID) and load its register file. */
  switchTo(inst: Instance): void {
    if (this.current === inst) return;
    if (this.current) this.current.regs.set(this.core.regs);
    this.mmu.setRegs({
      sctlr: 1n, // M
      tcr: 16n | (1n << 23n) | (5n << 32n), // T0SZ = 16 (48-bit VA), TG0 = 4 KB, EPD1, IPS 48-bit PA
      ttbr0: BigInt(inst.root) | (BigInt(inst.asid) << 48n),
      ttbr1: 0n,
      mair: 0xffn,
    });
    this.core.regs.set(inst.regs);
    this.current = inst;
  }

  instantiate(bytes: Uint8Array, resolve: Resolver, opts: InstanceOptions = {}): Instance {
    return new Instance(this, bytes, resolve, opts);
  }
}

export interface InstanceOptions { stackSize?: number; syscall?: SyscallHandler }

export class Instance {
  readonly prog: Program;
  readonly root: number;
  readonly asid: number;
  readonly regs = new BigUint64Array(32);
  readonly stackSize: number;
  private readonly pt: PageTableBuilder;
  private readonly pages = new Map<number, number>(); // page VA -> PA
  private readonly hostFuncs: ((args: bigint[]) => bigint[])[] = [];
  private readonly syscall: SyscallHandler | undefined;
  /** instructions retired by the last invoke */
  lastInstructions = 0;

  constructor(readonly world: World, readonly bytes: Uint8Array, resolve: Resolver, opts: InstanceOptions) {
    this.prog = decodeProgram(bytes);
    this.stackSize = opts.stackSize ?? DEFAULT_STACK_SIZE;
    this.syscall = opts.syscall;
    const prog = this.prog;
    const w = world;
    this.asid = w.newAsid();
    this.pt = new PageTableBuilder(w.ram, () => w.allocPage(), 0);
    this.root = this.pt.root;

    // resolve imports
    const globalVals: bigint[] = [];
    let memPages = prog.memory?.limits.min ?? 0;
    let memMax = prog.memory?.limits.max ?? 65536;
    const tableSizes = prog.tables.map((t) => t.limits.min);
    let gi = 0, ti = 0;
    for (const imp of prog.imports) {
      if (imp.kind === 0 && imp.module === 'mlk' && (imp.name === 'svc' || imp.name === 'reg')) {
        this.hostFuncs.push(() => { throw new Error('mlk.svc/mlk.reg are not host functions'); });
        continue;
      }
      const ext = resolve(imp);
      if (!ext) throw new LinkError(`unknown import ${imp.module}.${imp.name}`);
      const kinds = ['func', 'table', 'memory', 'global'];
      if (ext.kind !== kinds[imp.kind]) throw new LinkError(`incompatible import type for ${imp.module}.${imp.name}`);
      if (ext.kind === 'func') {
        const want = prog.types[imp.type];
        if (!sameType(want, ext.type)) throw new LinkError(`incompatible import type for ${imp.module}.${imp.name}`);
        this.hostFuncs.push(ext.call);
      } else if (ext.kind === 'global') {
        if (ext.type !== imp.type || ext.mutable !== !!imp.mutable) throw new LinkError(`incompatible import type for ${imp.module}.${imp.name}`);
        if (ext.mutable) throw new LinkError('unsupported: importing a mutable global (shared state between instances)');
        globalVals[gi++] = ext.value;
      } else if (ext.kind === 'memory') {
        if (!limitsMatch(imp.limits!, ext)) throw new LinkError(`incompatible import type for ${imp.module}.${imp.name}`);
        memPages = ext.min;
        memMax = ext.max ?? 65536;
      } else {
        if (ext.elemType !== imp.type || !limitsMatch(imp.limits!, ext)) throw new LinkError(`incompatible import type for ${imp.module}.${imp.name}`);
        tableSizes[ti++] = ext.min;
      }
    }
    if (tableSizes.some((s, i) => s !== prog.tables[i].limits.min)) {
      throw new LinkError('unsupported: imported table larger than declared');
    }

    // map the image (EL0 read + execute) and the globals area (EL0 read/write, execute-never)
    const imgPages = Math.max(1, Math.ceil(bytes.length / PAGE));
    for (let i = 0; i < imgPages; i++) {
      const pa = w.allocPage();
      this.pt.map(IMG_VA + i * PAGE, pa, PAGE, { ap: 3, uxn: false, pxn: true, ng: true });
      this.pages.set(IMG_VA + i * PAGE, pa);
    }
    this.writeUser(IMG_VA, bytes);
    const gPages = Math.max(1, Math.ceil((prog.layout.slots * 8) / PAGE));
    for (let i = 0; i < gPages; i++) this.mapPage(GP_VA + i * PAGE);

    // registers
    const r = this.regs;
    r[REG.GP] = BigInt(GP_VA);
    r[REG.IMG] = BigInt(IMG_VA);
    r[REG.IMGLEN] = BigInt(bytes.length);
    r[REG.MEMPAGES] = BigInt(memPages);
    r[REG.MEMMAX] = BigInt(memMax);
    r[REG.SPLIM] = BigInt(STACK_VA + this.stackSize);
    r[REG.SP] = BigInt(STACK_VA);
    r[REG.STACKBASE] = BigInt(STACK_VA);

    // globals
    const gbytes = new Uint8Array(prog.layout.slots * 8);
    const gdv = new DataView(gbytes.buffer);
    const evalConst = (e: ConstExpr): bigint => {
      switch (e.op) {
        case 'const': return e.value;
        case 'global': return globalVals[Number(e.value)];
        case 'null': return 0n;
        case 'func': return e.value + 1n;
      }
    };
    prog.globals.forEach((g, i) => {
      const v = g.init ? evalConst(g.init) : globalVals[i];
      globalVals[i] = v;
      gdv.setBigUint64(i * 8, v, true);
    });
    // element segments (2.0 semantics: bounds-checked in order; a failure traps the instantiation)
    let trapAfterInit: number | null = null;
    prog.elems.forEach((seg, si) => {
      if (trapAfterInit !== null) return;
      if (seg.mode === 'active') {
        const off = Number(evalConst(seg.offset!) & 0xffffffffn);
        if (off + seg.items.length > tableSizes[seg.table]) { trapAfterInit = TRAP.OUT_OF_BOUNDS_TABLE; return; }
        seg.items.forEach((it, j) => gdv.setBigUint64((prog.layout.tableBase[seg.table] + off + j) * 8, evalConst(it), true));
      }
      if (seg.mode !== 'passive') gdv.setBigUint64((prog.layout.elemDropped + si) * 8, 1n, true);
    });
    // data segments
    if (trapAfterInit === null) {
      for (let si = 0; si < prog.datas.length; si++) {
        const seg = prog.datas[si];
        if (seg.mode !== 'active') continue;
        const off = Number(evalConst(seg.offset!) & 0xffffffffn);
        if (off + seg.bytes.length > memPages * 65536) { trapAfterInit = TRAP.OUT_OF_BOUNDS; break; }
        this.writeUser(off, seg.bytes, true);
        gdv.setBigUint64((prog.layout.dataDropped + si) * 8, 1n, true);
      }
    }
    this.writeUser(GP_VA, gbytes);
    if (trapAfterInit !== null) throw new TrapError(trapAfterInit);
    if (prog.start !== null) this.callIndex(prog.start, []);
  }

  /** Map a zeroed page at user VA `va` (read/write, execute-never). Returns its PA. */
  mapPage(va: number): number {
    const pa = this.world.allocPage();
    this.pt.map(va, pa, PAGE, { ap: 1, uxn: true, pxn: true, ng: true });
    this.pages.set(va, pa);
    return pa;
  }

  /** Map physical page `pa` (RAM, or a device's registers on the world's bus) at user VA `va`,
   *  read/write, with MAIR attribute index `attrIndx` (the harness's MAIR: 0 Normal write-back,
   *  1 Device-nGnRnE). */
  mapPhys(va: number, pa: number, attrIndx = 0): void {
    this.pt.map(va, pa, PAGE, { ap: 1, uxn: true, pxn: true, ng: true, attrIndx });
    this.pages.set(va, pa);
  }

  /** Unmap the page at user VA `va` and invalidate its TLB entry (TLBI VAE1), as a kernel does. */
  unmapPage(va: number): void {
    this.pt.unmap(va, PAGE);
    this.pages.delete(va);
    this.world.mmu.tlbi(2, (BigInt(this.asid) << 48n) | BigInt(va / PAGE));
  }

  /** Write bytes at a user VA through the harness's own page map (mapping missing pages when asked). */
  writeUser(va: number, data: Uint8Array, mapMissing = false): void {
    let i = 0;
    while (i < data.length) {
      const a = va + i;
      const page = a - (a % PAGE);
      let pa = this.pages.get(page);
      if (pa === undefined) {
        if (!mapMissing) throw new Error(`harness: VA 0x${a.toString(16)} not mapped`);
        pa = this.mapPage(page);
      }
      const n = Math.min(data.length - i, PAGE - (a - page));
      this.world.ram.u8.set(data.subarray(i, i + n), pa - this.world.ram.base + (a - page));
      i += n;
    }
  }

  readUser(va: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    let i = 0;
    while (i < len) {
      const a = va + i;
      const page = a - (a % PAGE);
      const pa = this.pages.get(page);
      const n = Math.min(len - i, PAGE - (a - page));
      if (pa !== undefined) out.set(this.world.ram.u8.subarray(pa - this.world.ram.base + (a - page), pa - this.world.ram.base + (a - page) + n), i);
      i += n;
    }
    return out;
  }

  /** Raw bits of global i (from the globals area in user memory). */
  globalValue(i: number): bigint {
    return new DataView(this.readUser(GP_VA + i * 8, 8).buffer).getBigUint64(0, true);
  }

  exportedFunc(name: string): number {
    const e = this.prog.exports.get(name);
    if (!e || e.kind !== 0) throw new LinkError(`unknown export function ${name}`);
    return e.index;
  }

  invoke(name: string, args: bigint[]): bigint[] {
    return this.callIndex(this.exportedFunc(name), args);
  }

  /** Set the register file up to enter function `fi` with `args` and make this instance current
   * (without running it). */
  prepareCall(fi: number, args: bigint[]): void {
    const w = this.world;
    w.current = null; // force a full switch
    const r = this.regs;
    r[REG.PC] = (BigInt(fi) << 32n) | BigInt(PC_ENTER);
    r[REG.SP] = r[REG.STACKBASE] = BigInt(STACK_VA);
    r[REG.FP] = 0n;
    r[REG.PENDING] = 0n;
    r[REG.DEPTH] = 0n;
    for (let i = 0; i < 6; i++) r[i] = i < args.length ? args[i] : 0n;
    if (args.length > 6) {
      const b = new Uint8Array(args.length * 8);
      const dv = new DataView(b.buffer);
      args.forEach((a, i) => dv.setBigUint64(i * 8, a, true));
      this.writeUser(STACK_VA, b, true);
    }
    w.switchTo(this);
  }

  /** Run function `fi` with raw-bit arguments to completion; returns raw-bit results. */
  callIndex(fi: number, args: bigint[]): bigint[] {
    const prog = this.prog;
    const fn = prog.funcs[fi];
    if (fn.importIndex >= 0) return this.hostFuncs[fn.importIndex](args); // re-exported import
    const w = this.world;
    const core = w.core;
    const outer = w.current;
    const outerRegs = outer ? core.regs.slice() : null;
    this.prepareCall(fi, args);
    let total = 0;
    try {
      for (;;) {
        const n = core.run(w.fuelPerRun);
        total += n;
        w.stats.runs++;
        w.stats.instructions += n;
        if (total > w.maxInstructions) throw new Error('harness: instruction limit exceeded');
        const ex = core.exception;
        if (!ex) { if (core.atBreakpoint) w.onBreakpoint?.(core); continue; }
        const ec = ex.esr >>> 26;
        const iss = ex.esr & 0x1ffffff;
        if (ec === EC.SVC64) {
          w.stats.svcs++;
          const imm = iss & 0xffff;
          if (imm === SVC_EXIT) {
            const nres = fn.nresults;
            if (nres <= 6) return Array.from(core.regs.subarray(0, nres));
            const b = this.readUser(STACK_VA, nres * 8);
            const dv = new DataView(b.buffer);
            return Array.from({ length: nres }, (_, i) => dv.getBigUint64(i * 8, true));
          }
          if (imm === SVC_SYSCALL) {
            if (!this.syscall) throw new Error('harness: mlk.svc without a syscall handler');
            const x0 = this.syscall(Number(core.regs[7]), Array.from(core.regs.subarray(0, 6)), this);
            core.regs[0] = x0;
            core.eret();
            continue;
          }
          const k = imm - SVC_IMPORT_BASE;
          const callee = prog.funcs[k];
          let cargs: bigint[];
          if (callee.nparams <= 6) cargs = Array.from(core.regs.subarray(0, callee.nparams));
          else {
            const b = this.readUser(Number(core.regs[REG.SP]), callee.nparams * 8);
            const dv = new DataView(b.buffer);
            cargs = Array.from({ length: callee.nparams }, (_, i) => dv.getBigUint64(i * 8, true));
          }
          const saved = core.regs.slice();
          const res = this.hostFuncs[callee.importIndex](cargs);
          if (w.current !== this) { w.current = null; w.switchTo(this); }
          core.regs.set(saved);
          for (let i = 0; i < res.length && i < 6; i++) core.regs[i] = maskTo(res[i], callee.type.results[i]);
          core.eret();
          continue;
        }
        if (ec === EC.DABT_LOW) {
          w.stats.faults++;
          const far = ex.far;
          const splim = STACK_VA + this.stackSize;
          const page = far - (far % PAGE);
          const memEnd = Number(core.regs[REG.MEMPAGES]) * 65536;
          if (far < 2 ** 32 && far < memEnd && !this.pages.has(page)) {
            // demand-map linear memory (also pages added by memory.grow), with fault-around: the
            // whole 64 KiB wasm page
            const start = far - (far % 65536);
            for (let p = start; p < start + 65536 && p < memEnd; p += PAGE) if (!this.pages.has(p)) this.mapPage(p);
            core.eret();
            continue;
          }
          if (far >= STACK_VA && far < splim && !this.pages.has(page)) {
            this.mapPage(page);
            core.eret();
            continue;
          }
          if (far >= splim && far < splim + PAGE) throw new ExhaustionError('guard page');
          throw new Error(`harness: unexpected data abort at 0x${far.toString(16)} esr 0x${ex.esr.toString(16)}`);
        }
        if (ec === EC.UNKNOWN) {
          if (iss === TRAP.STACK_EXHAUSTED) throw new ExhaustionError('call depth');
          if (iss === TRAP.INVALID_PROGRAM) throw new Error(`harness: invalid program: ${core.programError?.message}`);
          if (iss === TRAP.INTERNAL_ERROR) throw new Error(`harness: ${core.programError?.message}`, { cause: core.lastHostError });
          throw new TrapError(iss);
        }
        throw new Error(`harness: unexpected exception esr 0x${ex.esr.toString(16)} far 0x${ex.far.toString(16)}`);
      }
    } finally {
      this.lastInstructions = total;
      this.regs.set(core.regs);
      w.current = null;
      if (outer && outerRegs) {
        w.switchTo(outer);
        core.regs.set(outerRegs);
      }
    }
  }
}

function sameType(a: FuncType, b: FuncType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length &&
    a.params.every((t, i) => t === b.params[i]) && a.results.every((t, i) => t === b.results[i]);
}

function limitsMatch(imp: { min: number; max: number | null }, ext: { min: number; max: number | null }): boolean {
  if (ext.min < imp.min) return false;
  if (imp.max !== null) {
    if (ext.max === null || ext.max > imp.max) return false;
  }
  return true;
}

function maskTo(v: bigint, t: number): bigint {
  return t === T.I64 || t === T.F64 ? BigInt.asUintN(64, v) : BigInt.asUintN(32, v);
}
