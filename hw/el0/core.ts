// The EL0 core: executes a user program (.wasm, decoded by hw/el0/decode.ts) with every linear-memory
// access translated by the MMU at EL0 (DESIGN D3), the value stack and frames in the thread's own
// stack region (D4), and the architectural state in a fixed 32 x u64 register file
// (docs/ARCHITECTURE.md "EL0: the WebAssembly core"; docs/EL0.md for the engine's own conventions).
//
// While run() executes, the current thread's stack region is cached in a shadow array (loaded lazily
// from user memory, frame by frame) and its globals area in another; every exit from run() writes
// the modified part back, so between run() calls user memory + the register file are the truth.

import type { Ram } from '../ram';
import { BusError, type Bus } from '../bus';
import type { Access, Mmu } from '../mmu';
import { EC, ESR_WNR, FSC, esr } from '../esr';
import { decodeProgram, ProgramError } from './decode';
import { FRAME_HEADER, INSN_RETURN_SITE, INSN_START, OP, PC_ENTER, T, type Func, type JitFn, type Program } from './module';
import { TRAP } from './traps';
import * as N from './num';
import { MAX_CALL_DEPTH, MAX_IMAGE_BYTES, MAX_MEM_PAGES, MAX_STACK_BYTES } from './limits';
import { opLength, translate, type JitCore, type JitEnv } from './jit';
import { arm, offsetAt, type CodeBreakpoint, type El0Location } from './debug';
import { REG_X0, REG_X7, REG_PC, REG_SP, REG_FP, REG_GP, REG_IMG, REG_IMGLEN, REG_MEMPAGES, REG_MEMMAX, REG_SPLIM } from '../../host/abi';
import { SVC_SYSCALL, SVC_IMPORT_BASE, SVC_EXIT } from '../../host/abi';

/** A synchronous exception raised by the core; ELR (the preferred return address) as u32 halves. */
export class El0Exception {
  // writable only for the core's one reused system-call exception (raiseSyscall)
  constructor(public esr: number, public far: number, public elrLo: number, public elrHi: number) {}
  get elr(): bigint { return (BigInt(this.elrHi) << 32n) | BigInt(this.elrLo); }
}

/** Register numbers: the ABI's slots (abi/layout.json), then the engine's private ones. */
export const REG = {
  X0: REG_X0, X7: REG_X7, PC: REG_PC, SP: REG_SP, FP: REG_FP, GP: REG_GP, IMG: REG_IMG, IMGLEN: REG_IMGLEN,
  MEMPAGES: REG_MEMPAGES, MEMMAX: REG_MEMMAX, SPLIM: REG_SPLIM,
  /** engine-private: VA of the base of the stack region (the SP of the outermost entry) */
  STACKBASE: 17,
  /** engine-private: function index + 1 of an import call whose result is pending (pushed at resume) */
  PENDING: 18,
  /** engine-private: call depth */
  DEPTH: 19,
} as const;

/** PC of a thread whose outermost function returned (resuming it raises the exit SVC again). */
export const PC_EXITED = 0xfffffffffffffffen;
export { MAX_CALL_DEPTH };
/** Calls + loop back-edges after which a function is translated (hw/el0/jit.ts). */
export const DEFAULT_JIT_THRESHOLD = 2000;
/** SVC immediates, declared in abi/syscalls.json (the kernel decodes the same names) */
export { SVC_SYSCALL, SVC_IMPORT_BASE, SVC_EXIT };

const PAGE = 4096;
const TLB_BITS = 10;
const TLB_SIZE = 1 << TLB_BITS;
const TLB_MASK = TLB_SIZE - 1;
const TWO32 = 4294967296;
/** What exec()'s helpers ask of it: go on, or end the run after the instruction retired, or (an exception) before. */
const CONTINUE = 0, STOP_RETIRED = 1, STOP = 2;
const SYSCALL_ESR = esr(EC.SVC64, SVC_SYSCALL);
const PROG_WAYS = 16;
const ACC_READ = 0 as Access, ACC_WRITE = 1 as Access, ACC_EXEC = 2 as Access;

if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('El0Core: needs a little-endian host');

/**
 * True when a Float64Array element copy keeps all 64 bits, NaN payloads included (V8 does; engines
 * that NaN-box values canonicalise NaNs, which would corrupt an i64 such as -1). Register-file and
 * shadow copies then move 8-byte slots as float64 (half the moves); otherwise as int32 pairs.
 */
const F64_EXACT = ((): boolean => {
  const f = new Float64Array(4), u = new Uint32Array(f.buffer);
  u[0] = 0xffffffff; u[1] = 0xffffffff; u[2] = 1; u[3] = 0x7ff00000; // -1 as i64; a signalling NaN
  f[2] = f[0]; f[3] = f[1];
  return u[4] === 0xffffffff && u[5] === 0xffffffff && u[6] === 1 && u[7] === 0x7ff00000;
})();

export class El0Core {
  readonly regs = new BigUint64Array(32);
  /** the register file as (lo, hi) u32 pairs: rw[2i] = low half of Xi (same storage as regs) */
  private readonly rw = new Uint32Array(this.regs.buffer);
  private readonly ri = new Int32Array(this.regs.buffer);
  exception: El0Exception | null = null;
  /** the exception of every system call (raiseSyscall): one object, reused */
  private readonly syscallException = new El0Exception(0, 0, 0, 0);
  /** the decode error behind the last trap 9 */
  programError: ProgramError | null = null;
  /** instructions retired since construction */
  retired = 0;
  /** JavaScript exceptions caught while running user code (each became trap 13), and the last one */
  hostErrors = 0;
  lastHostError: unknown = null;

  private readonly m8: Uint8Array;
  private readonly dv: DataView;
  private readonly ramBase: number;
  private readonly ramSize: number;

  // decoded programs keyed by "physical address of the image:length", with a small direct-mapped
  // cache in front of it (by pa, length) so a switch between programs builds no key
  private progCache = new Map<string, Program>();
  private readonly pcPa = new Float64Array(PROG_WAYS).fill(-1);
  private readonly pcLen = new Float64Array(PROG_WAYS).fill(-1);
  private readonly pcProg: (Program | null)[] = new Array<Program | null>(PROG_WAYS).fill(null);
  // the MMU maintenance count and ASID under which each way's image pages were last translated
  private readonly pcMaint = new Float64Array(PROG_WAYS).fill(-1);
  private readonly pcAsid = new Int32Array(PROG_WAYS).fill(-1);
  private prog: Program | null = null;
  private funcs: Func[] = [];

  // engine TLB for linear memory (VA < 2^32): tag = VPN, -1 empty; value = RAM offset of the page
  private readonly rTag = new Int32Array(TLB_SIZE).fill(-1);
  private readonly rOff = new Int32Array(TLB_SIZE);
  private readonly wTag = new Int32Array(TLB_SIZE).fill(-1);
  private readonly wOff = new Int32Array(TLB_SIZE);
  private tlbGen = -1; // mmu.gen the entries were filled under
  // indices of filled entries (read: +i, write: -1-i) since the last flush, so a flush (every
  // address-space switch) clears only those; overflowing the list flushes everything
  private readonly tlbUsed = new Int32Array(256);
  private tlbUsedN = 0;

  // slow-path scratch (8 bytes)
  private readonly sc8 = new Uint8Array(8);
  private readonly scdv = new DataView(this.sc8.buffer);
  private bulk = new Uint8Array(4096);
  private bulkPages: number[] = [];

  // ---- state while running (valid between enter() and leave()) ----
  private fn!: Func;
  private pc = 0;
  private sp = 0; // slot index in the shadow
  private fp = 0;
  private depth = 0;
  private stackBase = 0; // VA of shadow slot 0
  private spLimSlot = 0;
  private loadedLow = 0; // shadow slots >= loadedLow hold this thread's stack
  private validTop = 0; // slots below are mapped writable (checked this run) and initialised
  private minFp = 0; // lowest slot written this run
  private wbExtra = 0; // slots above sp to write back (arguments of an import call with > 6 params)
  private sbuf = new ArrayBuffer(1 << 16);
  private s8 = new Uint8Array(this.sbuf);
  private s32 = new Int32Array(this.sbuf);
  private f32 = new Float32Array(this.sbuf);
  private f64 = new Float64Array(this.sbuf);
  private gbuf = new ArrayBuffer(64);
  private g8 = new Uint8Array(this.gbuf);
  private g32 = new Int32Array(this.gbuf);
  private gp = 0;
  private gSlots = 0;
  private gDirty = false;
  private gLoaded = 0; // globals-area slots in the shadow; the rest (data-segment flags) at gOff in RAM
  private gOff = 0;
  /** per program: globals-area slots to load at entry (all, or only those before the data flags) */
  private readonly gHeads = new WeakMap<Program, number>();
  private gWritable = false;
  private memPages = 0;
  private memMax = 0;
  private g64 = new Float64Array(this.gbuf);

  // ---- translation tier (hw/el0/jit.ts): fields read and written by translated code
  /** translate a function after this many calls + back-edges; Infinity: interpreter only; 0: always */
  jitThreshold = DEFAULT_JIT_THRESHOLD;
  /** functions translated so far (statistics) */
  jitCompiled = 0;
  st = 0;
  fuel = 0;
  jsd = 0;
  rhi = 0;
  memBytes = 0;
  private jitEnv: JitEnv | null = null;
  /** bail statistics of translated code (MLK_JIT_STATS=1) */
  static readonly jitBails = new Map<string, number>();

  // ---- debugger (hw/el0/debug.ts)
  private codeBreaks: readonly CodeBreakpoint[] = [];
  /** the breakpoint run() stopped at (before its instruction), with the register file's PC and image then */
  private hit: { fn: Func; pc: number; pcLo: number; pcHi: number; img: number; len: number } | null = null;

  constructor(private readonly ram: Ram, private readonly bus: Bus, private readonly mmu: Mmu) {
    this.m8 = ram.u8;
    this.dv = ram.dv;
    this.ramBase = ram.base;
    this.ramSize = ram.size;
    // The engine TLB is flushed whenever the MMU's TLB is maintained (TLBI) or the translation
    // regime changes (mmu.gen, checked at every run()).
    const ramI32 = new Int32Array(ram.u8.buffer, ram.u8.byteOffset, Math.floor(ram.u8.byteLength / 4));
    this.ram32 = ramI32;
    this.ram64 = new Float64Array(ram.u8.buffer, ram.u8.byteOffset, Math.floor(ram.u8.byteLength / 8));
  }
  private readonly ram32: Int32Array;
  private readonly ram64: Float64Array;
  private readonly r64 = new Float64Array(this.regs.buffer);

  // ---------------------------------------------------------------- public API

  /** Run up to `fuel` instructions at EL0; returns instructions retired. */
  run(fuel: number): number {
    this.exception = null;
    if (fuel <= 0) return 0;
    try {
      return this.hit ? this.stepOver(fuel) : this.runSlice(fuel);
    } catch (e) {
      return this.hostException(e);
    }
  }

  /**
   * A JavaScript exception escaped the core while it ran user code: whatever caused it, it becomes
   * trap 13 at the register file's PC (the shadow is discarded; the register file is as run() found
   * it, but for the engine-private slots enter() set), so the kernel delivers it as a fault.
   */
  private hostException(e: unknown): number {
    this.hostErrors++;
    this.lastHostError = e;
    this.programError = new ProgramError('core', 0, `internal error: ${e instanceof Error ? e.message : String(e)}`);
    this.jsd = 0;
    this.mmioStop = false;
    this.raiseAtRegPc(EC.UNKNOWN, TRAP.INTERNAL_ERROR, 0);
    return 0;
  }

  /**
   * Arm breakpoints on functions and instructions (debug.ts): every decoded program they name is
   * patched now, and any program decoded later when it is first fetched. An empty list disarms all.
   */
  setBreakpoints(list: readonly CodeBreakpoint[]): void {
    this.codeBreaks = list.slice();
    for (const p of this.progCache.values()) arm(p, this.codeBreaks);
  }

  /** True when the last run() stopped at a breakpoint, before its instruction (nothing of it ran). */
  get atBreakpoint(): boolean { return this.hit !== null; }

  /**
   * The location the register file points at: the program of its image (looked up with diagnostic
   * page walks, no side effect on the MMU), the function and the wasm byte offset of the next
   * instruction. Null when the image is not decoded yet or the thread has exited.
   */
  location(): El0Location | null {
    const img = this.rnum(REG.IMG), len = this.rnum(REG.IMGLEN);
    let key = `${len}`;
    for (let a = img, h = 0; h < len;) {
      const pa = this.mmu.walk(a, ACC_EXEC).pa;
      if (pa < 0) return null;
      const n = Math.min(len - h, PAGE - (a & 0xfff));
      key += `:${pa}`;
      a += n; h += n;
    }
    const program = this.progCache.get(key);
    const fi = this.rw[2 * REG.PC + 1], idx = this.rw[2 * REG.PC];
    if (!program || fi >= program.funcs.length || program.funcs[fi].importIndex >= 0) return null;
    const fn = program.funcs[fi];
    const pc = idx === PC_ENTER ? 0 : idx;
    return { program, func: fi, pc, offset: offsetAt(fn, pc) };
  }

  /** After a breakpoint stop: run its instruction once unpatched, then go on (a breakpoint still stops). */
  private stepOver(fuel: number): number {
    const b = this.hit!;
    this.hit = null;
    const op = b.fn.brk?.get(b.pc);
    const same = this.rw[2 * REG.PC] === b.pcLo && this.rw[2 * REG.PC + 1] === b.pcHi &&
      this.rnum(REG.IMG) === b.img && this.rnum(REG.IMGLEN) === b.len;
    if (op === undefined || !same) return this.runSlice(fuel);
    let n: number;
    b.fn.code[b.pc] = op;
    try { n = this.runSlice(1); } finally { b.fn.code[b.pc] = OP.BREAK + op; }
    if (this.exception || fuel <= 1) return n;
    return n + this.runSlice(fuel - 1);
  }

  /** The interpreter met an armed breakpoint at (fn, pc): stop before it. */
  private breakAt(fn: Func, pc: number): void {
    this.fn = fn; this.pc = pc;
    this.hit = { fn, pc, pcLo: pc, pcHi: fn.index, img: this.rnum(REG.IMG), len: this.rnum(REG.IMGLEN) };
  }

  private runSlice(fuel: number): number {
    if (!this.enter()) { this.leaveRegsOnly(); return 0; }
    let n: number;
    const fn = this.fn, jitE = fn.jitEntry;
    if (fn.jit && jitE !== null && jitE[this.pc] === 1) {
      // the usual resume after an ERET: straight into translated code, without the interpreter's
      // set-up; it continues only if translated code bails for something other than mlk.svc
      this.fuel = fuel; this.st = 0; this.jsd = 0;
      (fn.jit as JitFn)(this.fp, this.pc);
      n = fuel - this.fuel;
      if (this.st === 2) this.svcTaken();
      else if (this.fuel > 0) n += this.exec(this.fuel);
    } else n = this.exec(fuel);
    this.leave();
    this.retired += n;
    return n;
  }

  /** ERET to EL0: the next run() resumes at PC (regs), pushing a pending import result from X0.. */
  eret(elr?: bigint): void {
    if (elr !== undefined) this.regs[REG.PC] = elr;
    this.exception = null;
  }

  /** The register file's PC as u32 halves (the preferred return address of an interrupt). */
  get pcLo(): number { return this.rw[2 * REG.PC]; }
  get pcHi(): number { return this.rw[2 * REG.PC + 1]; }

  /** eret(elr) with ELR given as its (low, high) u32 halves. */
  eretWords(elrLo: number, elrHi: number): void {
    this.rw[2 * REG.PC] = elrLo;
    this.rw[2 * REG.PC + 1] = elrHi;
    this.exception = null;
  }

  /** Store the register file to RAM at pa (256 bytes, little-endian u64s). */
  saveContext(pa: number): void {
    const o = this.ramOffset(pa, 256);
    const ri = this.ri;
    if ((o & 3) === 0) {
      this.ram32.set(ri, o >>> 2);
    } else {
      const m8 = this.m8, r8 = new Uint8Array(this.regs.buffer);
      for (let i = 0; i < 256; i++) m8[o + i] = r8[i];
    }
  }

  /** Load the register file from RAM at pa. */
  restoreContext(pa: number): void {
    const o = this.ramOffset(pa, 256);
    const ri = this.ri;
    if ((o & 7) === 0 && F64_EXACT) {
      // 32 float64 moves: V8 copies typed-array doubles bit for bit (NaN payloads included), and this
      // is several times cheaper than ri.set(ram32.subarray(...)) or 64 int32 moves
      const m64 = this.ram64, w = o >>> 3, r64 = this.r64;
      for (let i = 0; i < 32; i++) r64[i] = m64[w + i];
    } else if ((o & 3) === 0) {
      const w = o >>> 2;
      ri.set(this.ram32.subarray(w, w + 64));
    } else {
      const m8 = this.m8, r8 = new Uint8Array(this.regs.buffer);
      for (let i = 0; i < 256; i++) r8[i] = m8[o + i];
    }
  }

  invalidateCode(): void {
    this.hit = null;
    this.dropTranslations();
    this.progCache.clear();
    this.prog = null;
    this.pcPa.fill(-1); this.pcLen.fill(-1); this.pcProg.fill(null); this.pcMaint.fill(-1);
  }

  /** The decoded program of the current thread (after a run()), for loaders and the UI. */
  get program(): Program | null { return this.prog; }

  /** Decode (or fetch from the cache) the image of the current register file without running. */
  loadProgram(): Program | null {
    this.exception = null;
    return this.fetchProgram() ? this.prog : null;
  }

  private ramOffset(pa: number, len: number): number {
    if (pa < this.ramBase || pa + len > this.ramBase + this.ramSize) throw new BusError(pa, false, 'context outside RAM');
    return pa - this.ramBase;
  }

  // ---------------------------------------------------------------- exceptions

  /** Raise an exception whose preferred return address is `pc` in the current function. */
  private raise(ec: number, iss: number, far: number, pc = this.pc): void {
    this.exception = new El0Exception(esr(ec, iss), far, pc >>> 0, this.fn.index);
  }
  /**
   * The SVC of a system call, the kernel entry's hot path: the same exception object every time, so
   * that an entry allocates nothing (its one reader, the machine, copies the fields at once).
   */
  private raiseSyscall(nextPc: number): void {
    const ex = this.syscallException;
    ex.esr = SYSCALL_ESR; ex.far = 0; ex.elrLo = nextPc >>> 0; ex.elrHi = this.fn.index;
    this.exception = ex;
  }
  /** Raise an exception whose preferred return address is the register file's PC (nothing ran). */
  private raiseAtRegPc(ec: number, iss: number, far: number): void {
    this.exception = new El0Exception(esr(ec, iss), far, this.rw[2 * REG.PC], this.rw[2 * REG.PC + 1]);
  }
  private trap(code: number): void {
    this.raise(EC.UNKNOWN, code, 0);
  }
  private dataAbort(va: number, write: boolean, fsc: number): void {
    this.raise(EC.DABT_LOW, fsc | (write ? ESR_WNR : 0), va);
  }

  // ---------------------------------------------------------------- translation

  private flushTlbIfStale(): void {
    if (this.tlbGen === this.mmu.gen) return;
    this.tlbGen = this.mmu.gen;
    const n = this.tlbUsedN;
    if (n > this.tlbUsed.length) {
      this.rTag.fill(-1);
      this.wTag.fill(-1);
    } else {
      const u = this.tlbUsed, rTag = this.rTag, wTag = this.wTag;
      for (let k = 0; k < n; k++) {
        const i = u[k];
        if (i >= 0) rTag[i] = -1; else wTag[-1 - i] = -1;
      }
    }
    this.tlbUsedN = 0;
  }
  /** Record a filled engine-TLB entry (read: i, write: -1 - i) for the next flush. */
  private tlbNote(e: number): void {
    const n = this.tlbUsedN++;
    if (n < this.tlbUsed.length) this.tlbUsed[n] = e;
  }

  /**
   * Translate one byte's page for a data access. Returns the RAM offset (>= 0), -2 for a non-RAM
   * physical address (then this.mmioPa holds it), or -1 after raising the data abort.
   */
  private mmioPa = 0;
  /** set by a device store: exec() ends the slice once the instruction completes */
  private mmioStop = false;
  private xlate(va: number, write: boolean): number {
    const pa = this.mmu.translate(va, write ? ACC_WRITE : ACC_READ, 0);
    if (pa < 0) { this.dataAbort(va, write, this.mmu.fault.fsc); return -1; }
    const off = pa - this.ramBase;
    if (off >= 0 && off < this.ramSize) {
      if (va < TWO32) {
        const vpn = va >>> 12, h = vpn & TLB_MASK;
        if (write) { if (this.wTag[h] === -1) this.tlbNote(-1 - h); this.wTag[h] = vpn; this.wOff[h] = off - (off & 0xfff); }
        else { if (this.rTag[h] === -1) this.tlbNote(h); this.rTag[h] = vpn; this.rOff[h] = off - (off & 0xfff); }
      }
      return off;
    }
    this.mmioPa = pa;
    return -2;
  }

  /** Slow load of `size` bytes at linear address ea into sc8[0..size). False after an exception. */
  private loadSlow(ea: number, size: number): boolean {
    const first = PAGE - (ea & 0xfff);
    if (first >= size) {
      const o = this.xlate(ea, false);
      if (o === -1) return false;
      if (o === -2) return this.mmioLoad(ea, size);
      for (let i = 0; i < size; i++) this.sc8[i] = this.m8[o + i];
      return true;
    }
    const o1 = this.xlate(ea, false);
    if (o1 === -1) return false;
    if (o1 === -2) { this.dataAbort(ea, false, this.deviceFsc(ea, size)); return false; }
    const o2 = this.xlate(ea + first, false);
    if (o2 === -1) return false;
    if (o2 === -2) { this.dataAbort(ea + first, false, FSC.SYNC_EXTERNAL); return false; }
    for (let i = 0; i < size; i++) this.sc8[i] = i < first ? this.m8[o1 + i] : this.m8[o2 + i - first];
    return true;
  }
  /**
   * Fault code for an access the device bus cannot take (devices take aligned 32-bit accesses):
   * a misaligned access to Device memory (MAIR type, hw/mmu.ts isDevice) is an alignment fault,
   * anything else a synchronous external abort.
   */
  private deviceFsc(ea: number, size: number): number {
    return (ea & (size - 1)) !== 0 && this.mmu.isDevice(ea) ? FSC.ALIGNMENT : FSC.SYNC_EXTERNAL;
  }
  private mmioLoad(ea: number, size: number): boolean {
    if (size !== 4 || (ea & 3) !== 0) { this.dataAbort(ea, false, this.deviceFsc(ea, size)); return false; }
    try {
      this.scdv.setUint32(0, this.bus.read32(this.mmioPa), true);
      return true;
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      this.dataAbort(ea, false, FSC.SYNC_EXTERNAL);
      return false;
    }
  }
  /** Slow store of sc8[0..size) at ea: both pages are checked before anything is written. */
  private storeSlow(ea: number, size: number): boolean {
    const first = PAGE - (ea & 0xfff);
    if (first >= size) {
      const o = this.xlate(ea, true);
      if (o === -1) return false;
      if (o === -2) return this.mmioStore(ea, size);
      for (let i = 0; i < size; i++) this.m8[o + i] = this.sc8[i];
      return true;
    }
    const o1 = this.xlate(ea, true);
    if (o1 === -1) return false;
    if (o1 === -2) { this.dataAbort(ea, true, this.deviceFsc(ea, size)); return false; }
    const o2 = this.xlate(ea + first, true);
    if (o2 === -1) return false;
    if (o2 === -2) { this.dataAbort(ea + first, true, FSC.SYNC_EXTERNAL); return false; }
    for (let i = 0; i < size; i++) {
      if (i < first) this.m8[o1 + i] = this.sc8[i];
      else this.m8[o2 + i - first] = this.sc8[i];
    }
    return true;
  }
  private mmioStore(ea: number, size: number): boolean {
    if (size !== 4 || (ea & 3) !== 0) { this.dataAbort(ea, true, this.deviceFsc(ea, size)); return false; }
    try {
      this.bus.write32(this.mmioPa, this.scdv.getUint32(0, true));
      // a device store may raise an interrupt: end the slice after this instruction, so the machine
      // samples the interrupt lines at the next instruction boundary (both tiers: translated code
      // bails to the interpreter for every non-RAM access)
      this.mmioStop = true;
      return true;
    } catch (e) {
      if (!(e instanceof BusError)) throw e;
      this.dataAbort(ea, true, FSC.SYNC_EXTERNAL);
      return false;
    }
  }

  /** Translate every page of [va, va+len) (RAM only) into bulkPages; false after an exception. */
  private bulkTranslate(va: number, len: number, write: boolean, into: number[]): boolean {
    into.length = 0;
    let a = va;
    const end = va + len;
    while (a < end) {
      const o = this.xlate(a, write);
      if (o === -1) return false;
      if (o === -2) { this.dataAbort(a, write, FSC.SYNC_EXTERNAL); return false; }
      into.push(o - (a & 0xfff));
      a = a - (a & 0xfff) + PAGE;
    }
    return true;
  }

  /** Copy between user VAs (any region) and the globals (glob) or stack shadow at byte hostOff. */
  private copyUser(va: number, glob: boolean, hostOff: number, len: number, toUser: boolean, access: Access): boolean {
    const h32 = glob ? this.g32 : this.s32;
    if (len > 0 && (va & 0xfff) + len <= PAGE && ((len | hostOff) & 3) === 0) {
      // fast path: one RAM page (the usual frame or globals area); a fault takes the general path
      const off = this.mmu.translateRam(va, access, 0);
      if (off >= 0 && ((off | hostOff | len) & 7) === 0 && F64_EXACT) {
        // 8-byte slots moved as float64 (bit-exact in V8, half the moves of int32 words)
        const m64 = this.ram64, h64 = glob ? this.g64 : this.f64;
        const mw = off >>> 3, hw = hostOff >>> 3, nw = len >>> 3;
        if (toUser) for (let i = 0; i < nw; i++) m64[mw + i] = h64[hw + i];
        else for (let i = 0; i < nw; i++) h64[hw + i] = m64[mw + i];
        return true;
      }
      if (off >= 0 && (off & 3) === 0) {
        const m32 = this.ram32;
        const mw = off >>> 2, hw = hostOff >>> 2, nw = len >>> 2;
        if (toUser) for (let i = 0; i < nw; i++) m32[mw + i] = h32[hw + i];
        else for (let i = 0; i < nw; i++) h32[hw + i] = m32[mw + i];
        return true;
      }
    }
    return this.copyUserPages(va, glob, hostOff, len, toUser, access);
  }
  private copyUserPages(va: number, glob: boolean, hostOff: number, len: number, toUser: boolean, access: Access): boolean {
    const host = glob ? this.g8 : this.s8, h32 = glob ? this.g32 : this.s32;
    let a = va, h = hostOff, left = len;
    while (left > 0) {
      const pa = this.mmu.translate(a, access, 0);
      if (pa < 0) { this.dataAbort(a, access === ACC_WRITE, this.mmu.fault.fsc); return false; }
      const off = pa - this.ramBase;
      const n = Math.min(left, PAGE - (a & 0xfff));
      if (off < 0 || off + n > this.ramSize) { this.dataAbort(a, access === ACC_WRITE, FSC.SYNC_EXTERNAL); return false; }
      if (((off | h | n) & 3) === 0 && n <= 2048) {
        // word copy (the host arrays are views of ArrayBuffers; h is a byte offset in them)
        const m32 = this.ram32;
        const mw = off >>> 2, hw = h >>> 2, nw = n >>> 2;
        if (toUser) for (let i = 0; i < nw; i++) m32[mw + i] = h32[hw + i];
        else for (let i = 0; i < nw; i++) h32[hw + i] = m32[mw + i];
      } else if (n <= 64) {
        const m8 = this.m8;
        if (toUser) for (let i = 0; i < n; i++) m8[off + i] = host[h + i];
        else for (let i = 0; i < n; i++) host[h + i] = m8[off + i];
      } else if (toUser) this.m8.set(host.subarray(h, h + n), off);
      else host.set(this.m8.subarray(off, off + n), h);
      a += n; h += n; left -= n;
    }
    return true;
  }
  /** Check that [va, va+len) is mapped with `access` (the data abort is raised otherwise). */
  private checkUser(va: number, len: number, access: Access): boolean {
    if (len > 0 && (va & 0xfff) + len <= PAGE && this.mmu.translateRam(va, access, 0) >= 0) return true;
    let a = va;
    const end = va + len;
    while (a < end) {
      const pa = this.mmu.translate(a, access, 0);
      if (pa < 0) { this.dataAbort(a, access === ACC_WRITE, this.mmu.fault.fsc); return false; }
      const off = pa - this.ramBase;
      if (off < 0 || off >= this.ramSize) { this.dataAbort(a, access === ACC_WRITE, FSC.SYNC_EXTERNAL); return false; }
      a = a - (a & 0xfff) + PAGE;
    }
    return true;
  }

  // ---------------------------------------------------------------- program fetch

  /** Register i as a number (exact below 2^53; rounded like Number(bigint) above). */
  private rnum(i: number): number {
    return this.rw[2 * i + 1] * TWO32 + this.rw[2 * i];
  }
  /** Register i ← v, an integer in [0, 2^53). */
  private rset(i: number, v: number): void {
    const lo = v >>> 0;
    this.rw[2 * i] = lo;
    this.rw[2 * i + 1] = (v - lo) / TWO32;
  }

  /**
   * Find the decoded program of the image at IMG..IMG+IMGLEN. The small cache in front of the map is
   * trusted while the MMU saw no TLB maintenance and the ASID is the one it was checked under (as a
   * TLB entry would be); otherwise every page of the image is translated again, and the program is
   * looked up by all its pages' physical addresses, so unmapping or remapping any page is seen.
   */
  private fetchProgram(): boolean {
    const img = this.rnum(REG.IMG);
    const len = this.rnum(REG.IMGLEN);
    if (len > MAX_IMAGE_BYTES) return this.badRegs(`IMGLEN ${len} exceeds the ${MAX_IMAGE_BYTES}-byte image limit`);
    const mmu = this.mmu;
    const pa0 = mmu.translate(img, ACC_EXEC, 0);
    if (pa0 < 0) { this.raiseAtRegPc(EC.IABT_LOW, mmu.fault.fsc, img); return false; }
    const way = ((pa0 / PAGE) ^ len) & (PROG_WAYS - 1);
    let p: Program | null | undefined = null;
    if (this.pcPa[way] === pa0 && this.pcLen[way] === len && this.pcMaint[way] === mmu.maint && this.pcAsid[way] === mmu.asid) p = this.pcProg[way];
    if (!p) {
      // translate every page (an unmapped one is the instruction abort) and key by their addresses
      const pages: number[] = [];
      let key = `${len}`;
      for (let a = img, h = 0; h < len;) {
        const pa = mmu.translate(a, ACC_EXEC, 0);
        if (pa < 0) { this.raiseAtRegPc(EC.IABT_LOW, mmu.fault.fsc, a); return false; }
        const off = pa - this.ramBase;
        const n = Math.min(len - h, PAGE - (a & 0xfff));
        if (off < 0 || off + n > this.ramSize) { this.raiseAtRegPc(EC.IABT_LOW, FSC.SYNC_EXTERNAL, a); return false; }
        pages.push(off);
        key += `:${pa}`;
        a += n; h += n;
      }
      p = this.progCache.get(key);
      if (!p) {
        const bytes = new Uint8Array(len);
        for (let i = 0, a = img, h = 0; h < len; i++) {
          const n = Math.min(len - h, PAGE - (a & 0xfff));
          bytes.set(this.m8.subarray(pages[i], pages[i] + n), h);
          a += n; h += n;
        }
        try {
          p = decodeProgram(bytes);
        } catch (e) {
          if (!(e instanceof ProgramError)) throw e;
          this.programError = e;
          this.raiseAtRegPc(EC.UNKNOWN, TRAP.INVALID_PROGRAM, 0);
          return false;
        }
        this.progCache.set(key, p);
        if (this.codeBreaks.length) arm(p, this.codeBreaks);
      }
      this.pcPa[way] = pa0; this.pcLen[way] = len; this.pcProg[way] = p;
      this.pcMaint[way] = mmu.maint; this.pcAsid[way] = mmu.asid;
    }
    this.prog = p;
    this.funcs = p.funcs;
    return true;
  }

  /** Trap 12 (invalid register state) before anything ran; the reason is kept in programError. */
  private badRegs(reason: string): false {
    this.programError = new ProgramError('registers', 0, reason);
    this.raiseAtRegPc(EC.UNKNOWN, TRAP.INVALID_REGISTERS, 0);
    return false;
  }

  // ---------------------------------------------------------------- entry / exit

  private ensureShadow(slots: number): void {
    const bytes = slots * 8;
    if (this.sbuf.byteLength >= bytes) return;
    let size = this.sbuf.byteLength;
    while (size < bytes) size *= 2;
    this.sbuf = new ArrayBuffer(size);
    this.s8 = new Uint8Array(this.sbuf);
    this.s32 = new Int32Array(this.sbuf);
    this.f32 = new Float32Array(this.sbuf);
    this.f64 = new Float64Array(this.sbuf);
    this.dropTranslations();
  }

  /** Forget all translated code (the views it closes over changed, or the code cache was cleared). */
  private dropTranslations(): void {
    this.jitEnv = null;
    for (const p of this.progCache.values()) for (const f of p.funcs) { f.jit = null; f.hot = 0; f.jitEntry = null; }
  }

  private env(): JitEnv {
    if (this.jitEnv) return this.jitEnv;
    const prog = this.prog!;
    this.jitEnv = {
      core: this as unknown as JitCore,
      S32: this.s32, S64: this.f64, G32: this.g32, G64: this.g64, DV: this.dv, M8: this.m8,
      RT: this.rTag, RO: this.rOff, WT: this.wTag, WO: this.wOff, RI: this.ri,
      tableBase: prog.layout.tableBase, tableSize: prog.tables.map((t) => t.limits.min), typeCanon: prog.typeCanon, N,
      bails: El0Core.jitBails,
    };
    return this.jitEnv;
  }

  /** Translate `f` (once); on failure it stays interpreted. */
  private compile(f: Func): void {
    const prog = this.prog!;
    if (this.jitEnv && (this.jitEnv.tableBase !== prog.layout.tableBase)) this.jitEnv = null; // another program
    let code: ReturnType<typeof translate> = null;
    try {
      code = translate(prog, f, this.env());
    } catch (e) {
      code = null;
      if ((globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.MLK_JIT_DEBUG) console.error(`jit: f${f.index}:`, e);
    }
    if (!code) f.jitEntry = null;
    if (!code && (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.MLK_JIT_DEBUG) console.error(`jit: f${f.index} not translated`);
    f.jit = code ?? false;
    if (code) this.jitCompiled++;
  }

  private slotOf(va: number): number { return (va - this.stackBase) / 8; }
  private vaOf(slot: number): number { return this.stackBase + slot * 8; }

  /** Load state from the register file and user memory. False after raising an exception. */
  private enter(): boolean {
    const rw = this.rw, ri = this.ri;
    this.flushTlbIfStale();
    if (!this.fetchProgram()) return false;
    const prog = this.prog!;
    const fi = rw[2 * REG.PC + 1];
    const pcIdx = rw[2 * REG.PC];
    if (pcIdx === 0xfffffffe && fi === 0xffffffff) { // PC_EXITED
      this.raiseAtRegPc(EC.SVC64, SVC_EXIT, 0);
      return false;
    }
    if (fi >= prog.funcs.length || prog.funcs[fi].importIndex >= 0) return this.badRegs(`PC names function ${fi}, which is not a defined function`);
    const fn = prog.funcs[fi];
    this.fn = fn;
    if (pcIdx !== PC_ENTER && (fn.insn[pcIdx] & INSN_START) === 0) return this.badRegs(`PC index ${pcIdx} is not an instruction of function ${fi}`);
    this.pc = pcIdx === PC_ENTER ? 0 : pcIdx;
    this.memPages = this.rnum(REG.MEMPAGES);
    this.memBytes = this.memPages * 65536;
    this.memMax = this.rnum(REG.MEMMAX);
    if (this.memPages > MAX_MEM_PAGES || this.memMax > MAX_MEM_PAGES) return this.badRegs('MEMPAGES or MEMMAX above 65536 pages');
    this.gp = this.rnum(REG.GP);
    this.wbExtra = 0;
    const sp = this.rnum(REG.SP);
    const splim = this.rnum(REG.SPLIM);
    if (pcIdx === PC_ENTER) { rw[2 * REG.STACKBASE] = rw[2 * REG.SP]; rw[2 * REG.STACKBASE + 1] = rw[2 * REG.SP + 1]; }
    this.stackBase = this.rnum(REG.STACKBASE);
    if (splim < this.stackBase || sp < this.stackBase || sp > splim) return this.badRegs('SP outside [stack base, SPLIM]');
    if (splim - this.stackBase > MAX_STACK_BYTES) return this.badRegs(`stack region of ${splim - this.stackBase} bytes exceeds the ${MAX_STACK_BYTES}-byte limit`);
    this.spLimSlot = Math.floor((splim - this.stackBase) / 8);
    this.ensureShadow(this.spLimSlot + PAGE / 8 + 16);

    // globals area
    this.gSlots = prog.layout.slots;
    if (this.gbuf.byteLength < this.gSlots * 8) {
      this.gbuf = new ArrayBuffer(this.gSlots * 8 * 2);
      this.g8 = new Uint8Array(this.gbuf);
      this.g32 = new Int32Array(this.gbuf);
      this.g64 = new Float64Array(this.gbuf);
      this.dropTranslations();
    }
    this.gDirty = false;
    this.gWritable = false;
    this.pc = pcIdx === PC_ENTER ? 0 : pcIdx;
    {
      // A program without memory.init / data.drop never reads the data-segment flags at the end of
      // the globals area, so only the globals and tables are loaded (written back: the same part);
      // should one run anyway, gTail() loads the rest from the page translated here.
      const head = this.gHead(prog), gp = this.gp, len = this.gSlots * 8;
      const off = head < this.gSlots && (gp & 7) === 0 && (gp & 0xfff) + len <= PAGE ? this.mmu.translateRam(gp, ACC_READ, 0) : -1;
      if (off >= 0) {
        this.copyG(off, 0, head);
        this.gLoaded = head;
        this.gOff = off;
      } else {
        if (!this.copyUser(gp, true, 0, len, false, ACC_READ)) return false;
        this.gLoaded = this.gSlots;
      }
    }

    if (pcIdx === PC_ENTER) {
      // a new outermost frame at SP with the parameters from X0..X5 (or, for more, from [SP, SP+8n))
      this.fp = this.slotOf(sp);
      this.loadedLow = this.fp;
      this.validTop = this.fp;
      this.minFp = this.fp;
      const top = this.fp + fn.frameSlots;
      if (!this.growStack(top)) return false;
      const s32 = this.s32;
      if (fn.nparams > 6) {
        if (!this.copyUser(sp, false, this.fp * 8, fn.nparams * 8, false, ACC_READ)) return false;
      } else {
        for (let i = 0; i < fn.nparams; i++) {
          s32[(this.fp + i) * 2] = ri[2 * i];
          s32[(this.fp + i) * 2 + 1] = ri[2 * i + 1];
        }
      }
      s32.fill(0, (this.fp + fn.nparams) * 2, (this.fp + fn.nlocals) * 2);
      const h = this.fp + fn.nlocals;
      s32[h * 2] = -1; s32[h * 2 + 1] = -1; // return PC: exit
      s32[h * 2 + 2] = 0; s32[h * 2 + 3] = 0; // caller FP: none
      this.sp = h + FRAME_HEADER;
      this.depth = 1;
      rw[2 * REG.PENDING] = 0; rw[2 * REG.PENDING + 1] = 0;
      return true;
    }

    this.fp = this.slotOf(this.rnum(REG.FP));
    this.sp = this.slotOf(sp);
    this.depth = this.rnum(REG.DEPTH);
    if (!Number.isInteger(this.fp) || !Number.isInteger(this.sp) || this.fp < 0 || this.fp > this.sp) return this.badRegs('FP/SP not inside the stack region');
    // the operand stack lies inside the current frame: [FP + locals + header, FP + frameSlots]
    const pending = this.rnum(REG.PENDING);
    const callee = pending > 0 ? prog.funcs[pending - 1] : undefined;
    if (pending > 0 && (callee === undefined || callee.importIndex < 0)) return this.badRegs(`pending import ${pending - 1} is not an imported function`);
    const nres = callee === undefined ? 0 : callee.nresults;
    if (this.sp < this.fp + fn.nlocals + FRAME_HEADER || this.sp + nres > this.fp + fn.frameSlots) return this.badRegs('SP outside the current frame');
    if (this.depth > MAX_CALL_DEPTH) return this.badRegs('call depth above the limit');
    this.loadedLow = this.fp;
    this.minFp = this.fp;
    this.validTop = this.sp;
    // the frames [fp, sp): loaded, and their pages must be writable
    const okPage = this.loadFrames(this.fp, this.sp - this.fp);
    if (okPage === -1) return false;
    // the rest of the current frame (its operand stack may grow up to frameSlots)
    if (!this.growStack(Math.max(this.fp + fn.frameSlots, this.sp), okPage)) return false;
    if (callee !== undefined) {
      for (let i = 0; i < nres; i++) {
        const t = callee.type.results[i];
        this.s32[(this.sp + i) * 2] = ri[2 * i];
        this.s32[(this.sp + i) * 2 + 1] = t === T.I64 || t === T.F64 ? ri[2 * i + 1] : 0;
      }
      this.sp += nres;
      rw[2 * REG.PENDING] = 0; rw[2 * REG.PENDING + 1] = 0;
    }
    return true;
  }

  /**
   * Make shadow slots [validTop, top) usable: their pages must be mapped writable in the stack region
   * (below SPLIM); they are zeroed. False after raising the data abort (guard page) or trap 8.
   */
  private growStack(top: number, okPage = -1): boolean {
    if (top <= this.validTop) return true;
    const startVa = this.vaOf(this.validTop);
    const endVa = this.vaOf(top);
    const splim = this.rnum(REG.SPLIM);
    let a = startVa;
    if (okPage >= 0 && startVa - (startVa & 0xfff) === okPage && endVa - 1 - ((endVa - 1) & 0xfff) === okPage) {
      // all in `okPage`, already translated for write by the caller: only the SPLIM check is left
      if (a >= splim) { this.trap(TRAP.STACK_EXHAUSTED); return false; }
      a = endVa;
    }
    while (a < endVa) {
      const pa = this.mmu.translate(a, ACC_WRITE, 0);
      if (pa < 0) { this.dataAbort(a, true, this.mmu.fault.fsc); return false; }
      if (a >= splim) { this.trap(TRAP.STACK_EXHAUSTED); return false; }
      const off = pa - this.ramBase;
      if (off < 0 || off >= this.ramSize) { this.dataAbort(a, true, FSC.SYNC_EXTERNAL); return false; }
      a = a - (a & 0xfff) + PAGE;
    }
    if (top - this.validTop <= 32) { const f64 = this.f64; for (let i = this.validTop; i < top; i++) f64[i] = 0; }
    else this.s32.fill(0, this.validTop * 2, top * 2);
    this.validTop = top;
    return true;
  }

  /** Load the caller's frame region [slot, loadedLow) from user memory (a return below loadedLow). */
  private loadStackDown(slot: number): boolean {
    if (this.loadFrames(slot, this.loadedLow - slot) === -1) return false;
    this.loadedLow = slot;
    return true;
  }

  /**
   * Load shadow slots [slot, slot + n) from the stack region and check that their pages are
   * writable. Returns the page VA when they lie in one page (translated once: EL0 write permission
   * implies read), -2 after the general path, -1 after raising the data abort.
   */
  private loadFrames(slot: number, n: number): number {
    const va = this.vaOf(slot), len = n * 8;
    const off = len > 0 && (va & 0xfff) + len <= PAGE ? this.mmu.translateRam(va, ACC_WRITE, 0) : -1;
    if (off >= 0 && (off & 7) === 0) {
      if (F64_EXACT) {
        const m64 = this.ram64, f64 = this.f64, mw = off >>> 3;
        for (let i = 0; i < n; i++) f64[slot + i] = m64[mw + i];
      } else {
        const m32 = this.ram32, s32 = this.s32, mw = off >>> 2, hw = slot * 2;
        for (let i = 0; i < 2 * n; i++) s32[hw + i] = m32[mw + i];
      }
      return va - (va & 0xfff);
    }
    if (!this.copyUser(va, false, slot * 8, len, false, ACC_READ)) return -1;
    if (!this.checkUser(va, len, ACC_WRITE)) return -1;
    return -2;
  }

  private writeBackRegs(): void {
    const rw = this.rw;
    rw[2 * REG.PC] = this.pc >>> 0;
    rw[2 * REG.PC + 1] = this.fn.index;
    this.rset(REG.SP, this.vaOf(this.sp));
    this.rset(REG.FP, this.vaOf(this.fp));
    this.rset(REG.MEMPAGES, this.memPages);
    this.rset(REG.DEPTH, this.depth);
  }

  /** Write the modified stack and globals back to user memory and the state to the register file. */
  private leave(): void {
    const top = Math.min(this.sp + this.wbExtra, this.validTop);
    if (top > this.minFp) {
      this.copyUser(this.vaOf(this.minFp), false, this.minFp * 8, (top - this.minFp) * 8, true, ACC_WRITE);
    }
    if (this.gDirty) this.copyUser(this.gp, true, 0, this.gLoaded * 8, true, ACC_WRITE);
    this.writeBackRegs();
    const ex = this.exception;
    if (ex) {
      // the preferred return address: the faulting instruction, or the one after an SVC
      this.rw[2 * REG.PC] = ex.elrLo;
      this.rw[2 * REG.PC + 1] = ex.elrHi;
    }
  }

  /**
   * An exception during enter(): nothing ran; the register file stays as it was, and the preferred
   * return address is its PC — also for an "enter function" PC whose frame could not be built.
   */
  private leaveRegsOnly(): void {
    const ex = this.exception;
    if (ex && (ex.elrLo !== this.rw[2 * REG.PC] || ex.elrHi !== this.rw[2 * REG.PC + 1])) {
      this.exception = new El0Exception(ex.esr, ex.far, this.rw[2 * REG.PC], this.rw[2 * REG.PC + 1]);
    }
  }

  // ---------------------------------------------------------------- the interpreter

  private exec(fuel: number): number {
    let fn = this.fn;
    let code = fn.code;
    let pc = this.pc, sp = this.sp, fp = this.fp;
    const s32 = this.s32, f32 = this.f32, f64 = this.f64, g32 = this.g32;
    const dv = this.dv, sdv = this.scdv;
    const rTag = this.rTag, rOff = this.rOff, wTag = this.wTag, wOff = this.wOff;
    let memBytes = this.memPages * 65536;
    let n = fuel;
    let w = 0, ea = 0, o = 0, vpn = 0, h = 0, x = 0;

    if (pc === 0 && fn.jit === null && sp === fp + fn.nlocals + FRAME_HEADER && ++fn.hot > this.jitThreshold) this.compile(fn);
    // translated code continues at its entry points (block starts); after it bails, the interpreter
    // executes the instruction it stopped at and re-enters at the next entry point it reaches
    let jitE: Uint8Array | null = fn.jit ? fn.jitEntry : null;
    let enterJit = jitE !== null && jitE[pc] === 1;
    loop: while (n > 0) {
      if (enterJit) {
        enterJit = false;
        this.fuel = n; this.st = 0; this.jsd = 0;
        (fn.jit as JitFn)(fp, pc);
        fn = this.fn; code = fn.code; pc = this.pc; sp = this.sp; fp = this.fp; n = this.fuel; memBytes = this.memBytes;
        if (this.st === 2) { this.svcTaken(); pc = this.pc; break; }
        jitE = fn.jit ? fn.jitEntry : null;
        if (n <= 0) break;
      }
      const op = code[pc];
      switch (op) {
        case OP.UNREACHABLE: this.pc = pc; this.trap(TRAP.UNREACHABLE); break loop;
        case OP.JMP: {
          const tg = code[pc + 1];
          if (tg <= pc) { pc = tg; if (fn.jit === null && ++fn.hot > this.jitThreshold) { this.compile(fn); jitE = fn.jit ? fn.jitEntry : null; } break; }
          pc = tg;
          break;
        }
        case OP.LOCAL_GET32: s32[sp << 1] = s32[(fp + code[pc + 1]) << 1]; sp++; pc += 2; break;
        case OP.LOCAL_SET32: sp--; s32[(fp + code[pc + 1]) << 1] = s32[sp << 1]; pc += 2; break;
        case OP.LOCAL_TEE32: s32[(fp + code[pc + 1]) << 1] = s32[(sp - 1) << 1]; pc += 2; break;
        case OP.IF_FALSE: sp--; pc = s32[sp << 1] === 0 ? code[pc + 1] : pc + 2; break;
        case OP.BR_IF_J: {
          sp--;
          if (s32[sp << 1] === 0) { pc += 2; break; }
          const tg = code[pc + 1];
          if (tg <= pc) { pc = tg; if (fn.jit === null && ++fn.hot > this.jitThreshold) { this.compile(fn); jitE = fn.jit ? fn.jitEntry : null; } break; }
          pc = tg;
          break;
        }
        case OP.BR: {
          const dst = fp + code[pc + 2], ar = code[pc + 3];
          for (let i = 0; i < ar; i++) { s32[(dst + i) << 1] = s32[(sp - ar + i) << 1]; s32[((dst + i) << 1) + 1] = s32[((sp - ar + i) << 1) + 1]; }
          sp = dst + ar;
          const tg = code[pc + 1];
          if (tg <= pc) { pc = tg; if (fn.jit === null && ++fn.hot > this.jitThreshold) { this.compile(fn); jitE = fn.jit ? fn.jitEntry : null; } break; }
          pc = tg;
          break;
        }
        case OP.BR_IF: {
          sp--;
          if (s32[sp << 1] === 0) { pc += 4; break; }
          const dst = fp + code[pc + 2], ar = code[pc + 3];
          for (let i = 0; i < ar; i++) { s32[(dst + i) << 1] = s32[(sp - ar + i) << 1]; s32[((dst + i) << 1) + 1] = s32[((sp - ar + i) << 1) + 1]; }
          sp = dst + ar;
          const tg = code[pc + 1];
          if (tg <= pc) { pc = tg; if (fn.jit === null && ++fn.hot > this.jitThreshold) { this.compile(fn); jitE = fn.jit ? fn.jitEntry : null; } break; }
          pc = tg;
          break;
        }
        case OP.BR_TABLE: {
          sp--;
          const cnt = code[pc + 1];
          let i = s32[sp << 1] >>> 0;
          if (i > cnt) i = cnt;
          const e = pc + 2 + i * 3;
          const dst = fp + code[e + 1], ar = code[e + 2];
          for (let k = 0; k < ar; k++) { s32[(dst + k) << 1] = s32[(sp - ar + k) << 1]; s32[((dst + k) << 1) + 1] = s32[((sp - ar + k) << 1) + 1]; }
          sp = dst + ar; pc = code[e];
          break;
        }
        case OP.RETURN: case OP.CALL: case OP.CALL_INDIRECT: case OP.CALL_IMPORT: case OP.SVC: {
          // the frame changes: the helper continues from and leaves the state in this.fn/pc/sp/fp
          this.fn = fn; this.pc = pc; this.sp = sp; this.fp = fp;
          const r = op === OP.RETURN ? this.execReturn() : this.execCall(op);
          fn = this.fn; code = fn.code; pc = this.pc; sp = this.sp; fp = this.fp;
          if (r !== CONTINUE) { if (r === STOP_RETIRED) n--; break loop; }
          if (op !== OP.RETURN && fn.jit === null && ++fn.hot > this.jitThreshold) this.compile(fn);
          jitE = fn.jit ? fn.jitEntry : null;
          break;
        }
        case OP.REG: this.regRead(fn, pc, sp, fp); pc += 2; break;
        case OP.DROP: sp--; pc++; break;
        case OP.SELECT: case OP.SELECT_I64: case OP.SELECT_F32: case OP.SELECT_F64: {
          sp -= 2;
          if (s32[(sp + 1) << 1] === 0) { s32[(sp - 1) << 1] = s32[sp << 1]; s32[((sp - 1) << 1) + 1] = s32[(sp << 1) + 1]; }
          pc++;
          break;
        }
        case OP.LOCAL_GET: w = (fp + code[pc + 1]) << 1; s32[sp << 1] = s32[w]; s32[(sp << 1) + 1] = s32[w + 1]; sp++; pc += 2; break;
        case OP.LOCAL_SET: sp--; w = (fp + code[pc + 1]) << 1; s32[w] = s32[sp << 1]; s32[w + 1] = s32[(sp << 1) + 1]; pc += 2; break;
        case OP.LOCAL_TEE: w = (fp + code[pc + 1]) << 1; s32[w] = s32[(sp - 1) << 1]; s32[w + 1] = s32[((sp - 1) << 1) + 1]; pc += 2; break;
        case OP.GLOBAL_GET: w = code[pc + 1] << 1; s32[sp << 1] = g32[w]; s32[(sp << 1) + 1] = g32[w + 1]; sp++; pc += 2; break;
        case OP.GLOBAL_SET: case OP.TABLE_GET: case OP.TABLE_SET: case OP.TABLE_SIZE: case OP.MEMORY_SIZE: case OP.MEMORY_GROW:
        case OP.MEMORY_FILL: case OP.MEMORY_COPY: case OP.MEMORY_INIT: case OP.DATA_DROP: {
          this.fn = fn; this.pc = pc;
          const nsp = this.execAccess(op, code, pc, sp, memBytes);
          if (nsp < 0) break loop;
          sp = nsp; pc += opLength(code, pc); memBytes = this.memPages * 65536;
          break;
        }
        case OP.CONST32: case OP.CONST_F32: s32[sp << 1] = code[pc + 1]; sp++; pc += 2; break;
        case OP.CONST64: case OP.CONST_F64: s32[sp << 1] = code[pc + 1]; s32[(sp << 1) + 1] = code[pc + 2]; sp++; pc += 3; break;

        // <generated by scripts/el0-gen.ts from hw/el0/opcodes.ts: numeric and memory instructions>
        case 0x28: { // i32.load
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 4 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4092) { o = rOff[h] + (ea & 0xfff); x = dv.getInt32(o, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 4)) break loop; x = sdv.getInt32(0, true); }
          s32[w] = x; pc += 2; break;
        }
        case 0x29: { // i64.load
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 8 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4088) { o = rOff[h] + (ea & 0xfff); s32[w] = dv.getInt32(o, true); s32[w + 1] = dv.getInt32(o + 4, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 8)) break loop; s32[w] = sdv.getInt32(0, true); s32[w + 1] = sdv.getInt32(4, true); }
          pc += 2; break;
        }
        case 0x2a: { // f32.load
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 4 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4092) { o = rOff[h] + (ea & 0xfff); x = dv.getInt32(o, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 4)) break loop; x = sdv.getInt32(0, true); }
          s32[w] = x; pc += 2; break;
        }
        case 0x2b: { // f64.load
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 8 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4088) { o = rOff[h] + (ea & 0xfff); s32[w] = dv.getInt32(o, true); s32[w + 1] = dv.getInt32(o + 4, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 8)) break loop; s32[w] = sdv.getInt32(0, true); s32[w + 1] = sdv.getInt32(4, true); }
          pc += 2; break;
        }
        case 0x2c: { // i32.load8_s
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 1 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn) { o = rOff[h] + (ea & 0xfff); x = (this.m8[o] << 24) >> 24; }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 1)) break loop; x = (this.sc8[0] << 24) >> 24; }
          s32[w] = x; pc += 2; break;
        }
        case 0x2d: { // i32.load8_u
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 1 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn) { o = rOff[h] + (ea & 0xfff); x = this.m8[o]; }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 1)) break loop; x = this.sc8[0]; }
          s32[w] = x; pc += 2; break;
        }
        case 0x2e: { // i32.load16_s
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 2 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4094) { o = rOff[h] + (ea & 0xfff); x = dv.getInt16(o, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 2)) break loop; x = sdv.getInt16(0, true); }
          s32[w] = x; pc += 2; break;
        }
        case 0x2f: { // i32.load16_u
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 2 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4094) { o = rOff[h] + (ea & 0xfff); x = dv.getUint16(o, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 2)) break loop; x = sdv.getUint16(0, true); }
          s32[w] = x; pc += 2; break;
        }
        case 0x30: { // i64.load8_s
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 1 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn) { o = rOff[h] + (ea & 0xfff); x = (this.m8[o] << 24) >> 24; }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 1)) break loop; x = (this.sc8[0] << 24) >> 24; }
          s32[w] = x; s32[w + 1] = x >> 31; pc += 2; break;
        }
        case 0x31: { // i64.load8_u
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 1 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn) { o = rOff[h] + (ea & 0xfff); x = this.m8[o]; }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 1)) break loop; x = this.sc8[0]; }
          s32[w] = x; s32[w + 1] = 0; pc += 2; break;
        }
        case 0x32: { // i64.load16_s
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 2 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4094) { o = rOff[h] + (ea & 0xfff); x = dv.getInt16(o, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 2)) break loop; x = sdv.getInt16(0, true); }
          s32[w] = x; s32[w + 1] = x >> 31; pc += 2; break;
        }
        case 0x33: { // i64.load16_u
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 2 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4094) { o = rOff[h] + (ea & 0xfff); x = dv.getUint16(o, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 2)) break loop; x = sdv.getUint16(0, true); }
          s32[w] = x; s32[w + 1] = 0; pc += 2; break;
        }
        case 0x34: { // i64.load32_s
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 4 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4092) { o = rOff[h] + (ea & 0xfff); x = dv.getInt32(o, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 4)) break loop; x = sdv.getInt32(0, true); }
          s32[w] = x; s32[w + 1] = x >> 31; pc += 2; break;
        }
        case 0x35: { // i64.load32_u
          w = (sp - 1) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 4 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (rTag[h] === vpn && (ea & 0xfff) <= 4092) { o = rOff[h] + (ea & 0xfff); x = dv.getInt32(o, true); }
          else { this.fn = fn; this.pc = pc; if (!this.loadSlow(ea, 4)) break loop; x = sdv.getInt32(0, true); }
          s32[w] = x; s32[w + 1] = 0; pc += 2; break;
        }
        case 0x36: { // i32.store
          w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 4 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn && (ea & 0xfff) <= 4092) { o = wOff[h] + (ea & 0xfff); dv.setInt32(o, s32[w + 2], true); }
          else {
          this.fn = fn; this.pc = pc; sdv.setInt32(0, s32[w + 2], true);
          if (!this.storeSlow(ea, 4)) break loop;
          // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
          if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;
        }
        case 0x37: { // i64.store
          w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 8 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn && (ea & 0xfff) <= 4088) { o = wOff[h] + (ea & 0xfff); dv.setInt32(o, s32[w + 2], true); dv.setInt32(o + 4, s32[w + 3], true); }
          else {
          this.fn = fn; this.pc = pc; sdv.setInt32(0, s32[w + 2], true); sdv.setInt32(4, s32[w + 3], true);
          if (!this.storeSlow(ea, 8)) break loop;
          // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
          if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;
        }
        case 0x38: { // f32.store
          w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 4 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn && (ea & 0xfff) <= 4092) { o = wOff[h] + (ea & 0xfff); dv.setInt32(o, s32[w + 2], true); }
          else {
          this.fn = fn; this.pc = pc; sdv.setInt32(0, s32[w + 2], true);
          if (!this.storeSlow(ea, 4)) break loop;
          // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
          if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;
        }
        case 0x39: { // f64.store
          w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 8 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn && (ea & 0xfff) <= 4088) { o = wOff[h] + (ea & 0xfff); dv.setInt32(o, s32[w + 2], true); dv.setInt32(o + 4, s32[w + 3], true); }
          else {
          this.fn = fn; this.pc = pc; sdv.setInt32(0, s32[w + 2], true); sdv.setInt32(4, s32[w + 3], true);
          if (!this.storeSlow(ea, 8)) break loop;
          // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
          if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;
        }
        case 0x3a: { // i32.store8
          w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 1 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn) { o = wOff[h] + (ea & 0xfff); this.m8[o] = s32[w + 2]; }
          else {
          this.fn = fn; this.pc = pc; this.sc8[0] = s32[w + 2];
          if (!this.storeSlow(ea, 1)) break loop;
          // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
          if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;
        }
        case 0x3b: { // i32.store16
          w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 2 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn && (ea & 0xfff) <= 4094) { o = wOff[h] + (ea & 0xfff); dv.setInt16(o, s32[w + 2], true); }
          else {
          this.fn = fn; this.pc = pc; sdv.setInt16(0, s32[w + 2], true);
          if (!this.storeSlow(ea, 2)) break loop;
          // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
          if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;
        }
        case 0x3c: { // i64.store8
          w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 1 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn) { o = wOff[h] + (ea & 0xfff); this.m8[o] = s32[w + 2]; }
          else {
          this.fn = fn; this.pc = pc; this.sc8[0] = s32[w + 2];
          if (!this.storeSlow(ea, 1)) break loop;
          // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
          if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;
        }
        case 0x3d: { // i64.store16
          w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 2 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn && (ea & 0xfff) <= 4094) { o = wOff[h] + (ea & 0xfff); dv.setInt16(o, s32[w + 2], true); }
          else {
          this.fn = fn; this.pc = pc; sdv.setInt16(0, s32[w + 2], true);
          if (!this.storeSlow(ea, 2)) break loop;
          // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
          if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;
        }
        case 0x3e: { // i64.store32
          w = (sp - 2) << 1; ea = (s32[w] >>> 0) + (code[pc + 1] >>> 0);
          if (ea + 4 > memBytes) { this.fn = fn; this.pc = pc; this.trap(TRAP.OUT_OF_BOUNDS); break loop; }
          vpn = ea >>> 12; h = vpn & TLB_MASK;
          if (wTag[h] === vpn && (ea & 0xfff) <= 4092) { o = wOff[h] + (ea & 0xfff); dv.setInt32(o, s32[w + 2], true); }
          else {
          this.fn = fn; this.pc = pc; sdv.setInt32(0, s32[w + 2], true);
          if (!this.storeSlow(ea, 4)) break loop;
          // a store that reached a device ends the slice, so its interrupt is taken at the next boundary
          if (this.mmioStop) { this.mmioStop = false; sp -= 2; pc += 2; n--; break loop; }
          }
          sp -= 2; pc += 2; break;
        }
        case 0x45: { // i32.eqz
          w = (sp - 1) << 1; s32[w] = (s32[w] === 0) ? 1 : 0; pc++; break;
        }
        case 0x46: { // i32.eq
          w = (sp - 2) << 1; s32[w] = (s32[w] === s32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x47: { // i32.ne
          w = (sp - 2) << 1; s32[w] = (s32[w] !== s32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x48: { // i32.lt_s
          w = (sp - 2) << 1; s32[w] = (s32[w] < s32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x49: { // i32.lt_u
          w = (sp - 2) << 1; s32[w] = ((s32[w] >>> 0) < (s32[w + 2] >>> 0)) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x4a: { // i32.gt_s
          w = (sp - 2) << 1; s32[w] = (s32[w] > s32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x4b: { // i32.gt_u
          w = (sp - 2) << 1; s32[w] = ((s32[w] >>> 0) > (s32[w + 2] >>> 0)) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x4c: { // i32.le_s
          w = (sp - 2) << 1; s32[w] = (s32[w] <= s32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x4d: { // i32.le_u
          w = (sp - 2) << 1; s32[w] = ((s32[w] >>> 0) <= (s32[w + 2] >>> 0)) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x4e: { // i32.ge_s
          w = (sp - 2) << 1; s32[w] = (s32[w] >= s32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x4f: { // i32.ge_u
          w = (sp - 2) << 1; s32[w] = ((s32[w] >>> 0) >= (s32[w + 2] >>> 0)) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x50: { // i64.eqz
          w = (sp - 1) << 1; s32[w] = ((s32[w] | s32[w + 1]) === 0) ? 1 : 0; pc++; break;
        }
        case 0x51: { // i64.eq
          w = (sp - 2) << 1; s32[w] = (s32[w] === s32[w + 2] && s32[w + 1] === s32[w + 3]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x52: { // i64.ne
          w = (sp - 2) << 1; s32[w] = (s32[w] !== s32[w + 2] || s32[w + 1] !== s32[w + 3]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x53: { // i64.lt_s
          w = (sp - 2) << 1; s32[w] = (s32[w + 1] < s32[w + 3] || (s32[w + 1] === s32[w + 3] && (s32[w] >>> 0) < (s32[w + 2] >>> 0))) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x54: { // i64.lt_u
          w = (sp - 2) << 1; s32[w] = ((s32[w + 1] >>> 0) < (s32[w + 3] >>> 0) || (s32[w + 1] === s32[w + 3] && (s32[w] >>> 0) < (s32[w + 2] >>> 0))) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x55: { // i64.gt_s
          w = (sp - 2) << 1; s32[w] = (s32[w + 1] > s32[w + 3] || (s32[w + 1] === s32[w + 3] && (s32[w] >>> 0) > (s32[w + 2] >>> 0))) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x56: { // i64.gt_u
          w = (sp - 2) << 1; s32[w] = ((s32[w + 1] >>> 0) > (s32[w + 3] >>> 0) || (s32[w + 1] === s32[w + 3] && (s32[w] >>> 0) > (s32[w + 2] >>> 0))) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x57: { // i64.le_s
          w = (sp - 2) << 1; s32[w] = (s32[w + 1] < s32[w + 3] || (s32[w + 1] === s32[w + 3] && (s32[w] >>> 0) <= (s32[w + 2] >>> 0))) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x58: { // i64.le_u
          w = (sp - 2) << 1; s32[w] = ((s32[w + 1] >>> 0) < (s32[w + 3] >>> 0) || (s32[w + 1] === s32[w + 3] && (s32[w] >>> 0) <= (s32[w + 2] >>> 0))) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x59: { // i64.ge_s
          w = (sp - 2) << 1; s32[w] = (s32[w + 1] > s32[w + 3] || (s32[w + 1] === s32[w + 3] && (s32[w] >>> 0) >= (s32[w + 2] >>> 0))) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x5a: { // i64.ge_u
          w = (sp - 2) << 1; s32[w] = ((s32[w + 1] >>> 0) > (s32[w + 3] >>> 0) || (s32[w + 1] === s32[w + 3] && (s32[w] >>> 0) >= (s32[w + 2] >>> 0))) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x5b: { // f32.eq
          w = (sp - 2) << 1; s32[w] = (f32[w] === f32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x61: { // f64.eq
          w = (sp - 2) << 1; s32[w] = (f64[sp - 2] === f64[sp - 1]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x5c: { // f32.ne
          w = (sp - 2) << 1; s32[w] = (f32[w] !== f32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x62: { // f64.ne
          w = (sp - 2) << 1; s32[w] = (f64[sp - 2] !== f64[sp - 1]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x5d: { // f32.lt
          w = (sp - 2) << 1; s32[w] = (f32[w] < f32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x63: { // f64.lt
          w = (sp - 2) << 1; s32[w] = (f64[sp - 2] < f64[sp - 1]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x5e: { // f32.gt
          w = (sp - 2) << 1; s32[w] = (f32[w] > f32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x64: { // f64.gt
          w = (sp - 2) << 1; s32[w] = (f64[sp - 2] > f64[sp - 1]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x5f: { // f32.le
          w = (sp - 2) << 1; s32[w] = (f32[w] <= f32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x65: { // f64.le
          w = (sp - 2) << 1; s32[w] = (f64[sp - 2] <= f64[sp - 1]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x60: { // f32.ge
          w = (sp - 2) << 1; s32[w] = (f32[w] >= f32[w + 2]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x66: { // f64.ge
          w = (sp - 2) << 1; s32[w] = (f64[sp - 2] >= f64[sp - 1]) ? 1 : 0; sp -= 1; pc++; break;
        }
        case 0x67: { // i32.clz
          w = (sp - 1) << 1; s32[w] = Math.clz32(s32[w]); pc++; break;
        }
        case 0x68: { // i32.ctz
          w = (sp - 1) << 1; s32[w] = N.ctz32(s32[w]); pc++; break;
        }
        case 0x69: { // i32.popcnt
          w = (sp - 1) << 1; s32[w] = N.popcnt32(s32[w]); pc++; break;
        }
        case 0x6a: { // i32.add
          w = (sp - 2) << 1; s32[w] = (s32[w] + s32[w + 2]) | 0; sp -= 1; pc++; break;
        }
        case 0x6b: { // i32.sub
          w = (sp - 2) << 1; s32[w] = (s32[w] - s32[w + 2]) | 0; sp -= 1; pc++; break;
        }
        case 0x6c: { // i32.mul
          w = (sp - 2) << 1; s32[w] = Math.imul(s32[w], s32[w + 2]); sp -= 1; pc++; break;
        }
        case 0x6d: { // i32.div_s
          w = (sp - 2) << 1; if (s32[w + 2] === 0) { this.fn = fn; this.pc = pc; this.trap(TRAP.DIV_ZERO); break loop; } if (s32[w] === -2147483648 && s32[w + 2] === -1) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } s32[w] = (s32[w] / s32[w + 2]) | 0; sp -= 1; pc++; break;
        }
        case 0x6e: { // i32.div_u
          w = (sp - 2) << 1; if (s32[w + 2] === 0) { this.fn = fn; this.pc = pc; this.trap(TRAP.DIV_ZERO); break loop; } s32[w] = ((s32[w] >>> 0) / (s32[w + 2] >>> 0)) | 0; sp -= 1; pc++; break;
        }
        case 0x6f: { // i32.rem_s
          w = (sp - 2) << 1; if (s32[w + 2] === 0) { this.fn = fn; this.pc = pc; this.trap(TRAP.DIV_ZERO); break loop; } s32[w] = s32[w + 2] === -1 ? 0 : (s32[w] % s32[w + 2]) | 0; sp -= 1; pc++; break;
        }
        case 0x70: { // i32.rem_u
          w = (sp - 2) << 1; if (s32[w + 2] === 0) { this.fn = fn; this.pc = pc; this.trap(TRAP.DIV_ZERO); break loop; } s32[w] = ((s32[w] >>> 0) % (s32[w + 2] >>> 0)) | 0; sp -= 1; pc++; break;
        }
        case 0x71: { // i32.and
          w = (sp - 2) << 1; s32[w] = s32[w] & s32[w + 2]; sp -= 1; pc++; break;
        }
        case 0x72: { // i32.or
          w = (sp - 2) << 1; s32[w] = s32[w] | s32[w + 2]; sp -= 1; pc++; break;
        }
        case 0x73: { // i32.xor
          w = (sp - 2) << 1; s32[w] = s32[w] ^ s32[w + 2]; sp -= 1; pc++; break;
        }
        case 0x74: { // i32.shl
          w = (sp - 2) << 1; s32[w] = s32[w] << s32[w + 2]; sp -= 1; pc++; break;
        }
        case 0x75: { // i32.shr_s
          w = (sp - 2) << 1; s32[w] = s32[w] >> s32[w + 2]; sp -= 1; pc++; break;
        }
        case 0x76: { // i32.shr_u
          w = (sp - 2) << 1; s32[w] = (s32[w] >>> s32[w + 2]) | 0; sp -= 1; pc++; break;
        }
        case 0x77: { // i32.rotl
          w = (sp - 2) << 1; s32[w] = (s32[w] << (s32[w + 2] & 31)) | (s32[w] >>> ((32 - (s32[w + 2] & 31)) & 31)); sp -= 1; pc++; break;
        }
        case 0x78: { // i32.rotr
          w = (sp - 2) << 1; s32[w] = (s32[w] >>> (s32[w + 2] & 31)) | (s32[w] << ((32 - (s32[w + 2] & 31)) & 31)); sp -= 1; pc++; break;
        }
        case 0x79: { // i64.clz
          w = (sp - 1) << 1; x = N.clz64(s32[w], s32[w + 1]); s32[w + 1] = 0; s32[w] = x; pc++; break;
        }
        case 0x7a: { // i64.ctz
          w = (sp - 1) << 1; x = N.ctz64(s32[w], s32[w + 1]); s32[w + 1] = 0; s32[w] = x; pc++; break;
        }
        case 0x7b: { // i64.popcnt
          w = (sp - 1) << 1; x = N.popcnt32(s32[w]) + N.popcnt32(s32[w + 1]); s32[w + 1] = 0; s32[w] = x; pc++; break;
        }
        case 0x7c: { // i64.add
          w = (sp - 2) << 1; x = (s32[w] + s32[w + 2]) | 0; s32[w + 1] = (s32[w + 1] + s32[w + 3] + ((x >>> 0) < (s32[w] >>> 0) ? 1 : 0)) | 0; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x7d: { // i64.sub
          w = (sp - 2) << 1; x = (s32[w] - s32[w + 2]) | 0; s32[w + 1] = (s32[w + 1] - s32[w + 3] - ((s32[w] >>> 0) < (s32[w + 2] >>> 0) ? 1 : 0)) | 0; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x7e: { // i64.mul
          w = (sp - 2) << 1; x = N.mul64(s32[w], s32[w + 1], s32[w + 2], s32[w + 3]); s32[w + 1] = N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x7f: { // i64.div_s
          w = (sp - 2) << 1; if ((s32[w + 2] | s32[w + 3]) === 0) { this.fn = fn; this.pc = pc; this.trap(TRAP.DIV_ZERO); break loop; } if (s32[w] === 0 && s32[w + 1] === -2147483648 && s32[w + 2] === -1 && s32[w + 3] === -1) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } x = N.divS64(s32[w], s32[w + 1], s32[w + 2], s32[w + 3]); s32[w + 1] = N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x80: { // i64.div_u
          w = (sp - 2) << 1; if ((s32[w + 2] | s32[w + 3]) === 0) { this.fn = fn; this.pc = pc; this.trap(TRAP.DIV_ZERO); break loop; } x = N.divU64(s32[w], s32[w + 1], s32[w + 2], s32[w + 3]); s32[w + 1] = N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x81: { // i64.rem_s
          w = (sp - 2) << 1; if ((s32[w + 2] | s32[w + 3]) === 0) { this.fn = fn; this.pc = pc; this.trap(TRAP.DIV_ZERO); break loop; } x = s32[w + 2] === -1 && s32[w + 3] === -1 ? 0 : N.remS64(s32[w], s32[w + 1], s32[w + 2], s32[w + 3]); s32[w + 1] = s32[w + 2] === -1 && s32[w + 3] === -1 ? 0 : N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x82: { // i64.rem_u
          w = (sp - 2) << 1; if ((s32[w + 2] | s32[w + 3]) === 0) { this.fn = fn; this.pc = pc; this.trap(TRAP.DIV_ZERO); break loop; } x = N.remU64(s32[w], s32[w + 1], s32[w + 2], s32[w + 3]); s32[w + 1] = N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x83: { // i64.and
          w = (sp - 2) << 1; x = s32[w] & s32[w + 2]; s32[w + 1] = s32[w + 1] & s32[w + 3]; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x84: { // i64.or
          w = (sp - 2) << 1; x = s32[w] | s32[w + 2]; s32[w + 1] = s32[w + 1] | s32[w + 3]; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x85: { // i64.xor
          w = (sp - 2) << 1; x = s32[w] ^ s32[w + 2]; s32[w + 1] = s32[w + 1] ^ s32[w + 3]; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x86: { // i64.shl
          w = (sp - 2) << 1; x = N.shl64(s32[w], s32[w + 1], s32[w + 2]); s32[w + 1] = N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x87: { // i64.shr_s
          w = (sp - 2) << 1; x = N.shrS64(s32[w], s32[w + 1], s32[w + 2]); s32[w + 1] = N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x88: { // i64.shr_u
          w = (sp - 2) << 1; x = N.shrU64(s32[w], s32[w + 1], s32[w + 2]); s32[w + 1] = N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x89: { // i64.rotl
          w = (sp - 2) << 1; x = N.rotl64(s32[w], s32[w + 1], s32[w + 2]); s32[w + 1] = N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x8a: { // i64.rotr
          w = (sp - 2) << 1; x = N.rotr64(s32[w], s32[w + 1], s32[w + 2]); s32[w + 1] = N.r.hi; s32[w] = x; sp -= 1; pc++; break;
        }
        case 0x8b: { // f32.abs
          w = (sp - 1) << 1; s32[w] = s32[w] & 0x7fffffff; pc++; break;
        }
        case 0x8c: { // f32.neg
          w = (sp - 1) << 1; s32[w] = s32[w] ^ -2147483648; pc++; break;
        }
        case 0x8d: { // f32.ceil
          w = (sp - 1) << 1; f32[w] = qnan(Math.ceil(f32[w])); pc++; break;
        }
        case 0x8e: { // f32.floor
          w = (sp - 1) << 1; f32[w] = qnan(Math.floor(f32[w])); pc++; break;
        }
        case 0x8f: { // f32.trunc
          w = (sp - 1) << 1; f32[w] = qnan(Math.trunc(f32[w])); pc++; break;
        }
        case 0x90: { // f32.nearest
          w = (sp - 1) << 1; f32[w] = qnan(N.nearest(f32[w])); pc++; break;
        }
        case 0x91: { // f32.sqrt
          w = (sp - 1) << 1; f32[w] = Math.sqrt(f32[w]); pc++; break;
        }
        case 0x92: { // f32.add
          w = (sp - 2) << 1; f32[w] = f32[w] + f32[w + 2]; sp -= 1; pc++; break;
        }
        case 0x93: { // f32.sub
          w = (sp - 2) << 1; f32[w] = f32[w] - f32[w + 2]; sp -= 1; pc++; break;
        }
        case 0x94: { // f32.mul
          w = (sp - 2) << 1; f32[w] = f32[w] * f32[w + 2]; sp -= 1; pc++; break;
        }
        case 0x95: { // f32.div
          w = (sp - 2) << 1; f32[w] = f32[w] / f32[w + 2]; sp -= 1; pc++; break;
        }
        case 0x96: { // f32.min
          w = (sp - 2) << 1; f32[w] = N.fmin(f32[w], f32[w + 2]); sp -= 1; pc++; break;
        }
        case 0x97: { // f32.max
          w = (sp - 2) << 1; f32[w] = N.fmax(f32[w], f32[w + 2]); sp -= 1; pc++; break;
        }
        case 0x98: { // f32.copysign
          w = (sp - 2) << 1; s32[w] = (s32[w] & 0x7fffffff) | (s32[w + 2] & -2147483648); sp -= 1; pc++; break;
        }
        case 0x99: { // f64.abs
          w = (sp - 1) << 1; x = s32[w]; s32[w + 1] = s32[w + 1] & 0x7fffffff; s32[w] = x; pc++; break;
        }
        case 0x9a: { // f64.neg
          w = (sp - 1) << 1; x = s32[w]; s32[w + 1] = s32[w + 1] ^ -2147483648; s32[w] = x; pc++; break;
        }
        case 0x9b: { // f64.ceil
          w = (sp - 1) << 1; f64[sp - 1] = qnan(Math.ceil(f64[sp - 1])); pc++; break;
        }
        case 0x9c: { // f64.floor
          w = (sp - 1) << 1; f64[sp - 1] = qnan(Math.floor(f64[sp - 1])); pc++; break;
        }
        case 0x9d: { // f64.trunc
          w = (sp - 1) << 1; f64[sp - 1] = qnan(Math.trunc(f64[sp - 1])); pc++; break;
        }
        case 0x9e: { // f64.nearest
          w = (sp - 1) << 1; f64[sp - 1] = qnan(N.nearest(f64[sp - 1])); pc++; break;
        }
        case 0x9f: { // f64.sqrt
          w = (sp - 1) << 1; f64[sp - 1] = qnan(Math.sqrt(f64[sp - 1])); pc++; break;
        }
        case 0xa0: { // f64.add
          w = (sp - 2) << 1; f64[sp - 2] = f64[sp - 2] + f64[sp - 1]; sp -= 1; pc++; break;
        }
        case 0xa1: { // f64.sub
          w = (sp - 2) << 1; f64[sp - 2] = f64[sp - 2] - f64[sp - 1]; sp -= 1; pc++; break;
        }
        case 0xa2: { // f64.mul
          w = (sp - 2) << 1; f64[sp - 2] = f64[sp - 2] * f64[sp - 1]; sp -= 1; pc++; break;
        }
        case 0xa3: { // f64.div
          w = (sp - 2) << 1; f64[sp - 2] = f64[sp - 2] / f64[sp - 1]; sp -= 1; pc++; break;
        }
        case 0xa4: { // f64.min
          w = (sp - 2) << 1; f64[sp - 2] = N.fmin(f64[sp - 2], f64[sp - 1]); sp -= 1; pc++; break;
        }
        case 0xa5: { // f64.max
          w = (sp - 2) << 1; f64[sp - 2] = N.fmax(f64[sp - 2], f64[sp - 1]); sp -= 1; pc++; break;
        }
        case 0xa6: { // f64.copysign
          w = (sp - 2) << 1; x = s32[w]; s32[w + 1] = (s32[w + 1] & 0x7fffffff) | (s32[w + 3] & -2147483648); s32[w] = x; sp -= 1; pc++; break;
        }
        case 0xa7: { // i32.wrap_i64
          w = (sp - 1) << 1; s32[w] = s32[w]; pc++; break;
        }
        case 0xa8: { // i32.trunc_f32_s
          w = (sp - 1) << 1; if (f32[w] !== f32[w]) { this.fn = fn; this.pc = pc; this.trap(TRAP.INVALID_CONVERSION); break loop; } if (!(f32[w] > -2147483649 && f32[w] < 2147483648)) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } s32[w] = Math.trunc(f32[w]) | 0; pc++; break;
        }
        case 0xa9: { // i32.trunc_f32_u
          w = (sp - 1) << 1; if (f32[w] !== f32[w]) { this.fn = fn; this.pc = pc; this.trap(TRAP.INVALID_CONVERSION); break loop; } if (!(f32[w] > -1 && f32[w] < 4294967296)) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } s32[w] = Math.trunc(f32[w]) | 0; pc++; break;
        }
        case 0xaa: { // i32.trunc_f64_s
          w = (sp - 1) << 1; if (f64[sp - 1] !== f64[sp - 1]) { this.fn = fn; this.pc = pc; this.trap(TRAP.INVALID_CONVERSION); break loop; } if (!(f64[sp - 1] > -2147483649 && f64[sp - 1] < 2147483648)) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } s32[w] = Math.trunc(f64[sp - 1]) | 0; pc++; break;
        }
        case 0xab: { // i32.trunc_f64_u
          w = (sp - 1) << 1; if (f64[sp - 1] !== f64[sp - 1]) { this.fn = fn; this.pc = pc; this.trap(TRAP.INVALID_CONVERSION); break loop; } if (!(f64[sp - 1] > -1 && f64[sp - 1] < 4294967296)) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } s32[w] = Math.trunc(f64[sp - 1]) | 0; pc++; break;
        }
        case 0xac: { // i64.extend_i32_s
          w = (sp - 1) << 1; x = s32[w]; s32[w + 1] = s32[w] >> 31; s32[w] = x; pc++; break;
        }
        case 0xad: { // i64.extend_i32_u
          w = (sp - 1) << 1; x = s32[w]; s32[w + 1] = 0; s32[w] = x; pc++; break;
        }
        case 0xae: { // i64.trunc_f32_s
          w = (sp - 1) << 1; if (f32[w] !== f32[w]) { this.fn = fn; this.pc = pc; this.trap(TRAP.INVALID_CONVERSION); break loop; } if (!(f32[w] >= N.I64_MIN_F && f32[w] < N.I64_LIM_F)) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } x = N.splitI64(Math.trunc(f32[w])); s32[w + 1] = N.r.hi; s32[w] = x; pc++; break;
        }
        case 0xaf: { // i64.trunc_f32_u
          w = (sp - 1) << 1; if (f32[w] !== f32[w]) { this.fn = fn; this.pc = pc; this.trap(TRAP.INVALID_CONVERSION); break loop; } if (!(f32[w] > -1 && f32[w] < N.U64_LIM_F)) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } x = N.splitI64(Math.trunc(f32[w])); s32[w + 1] = N.r.hi; s32[w] = x; pc++; break;
        }
        case 0xb0: { // i64.trunc_f64_s
          w = (sp - 1) << 1; if (f64[sp - 1] !== f64[sp - 1]) { this.fn = fn; this.pc = pc; this.trap(TRAP.INVALID_CONVERSION); break loop; } if (!(f64[sp - 1] >= N.I64_MIN_F && f64[sp - 1] < N.I64_LIM_F)) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } x = N.splitI64(Math.trunc(f64[sp - 1])); s32[w + 1] = N.r.hi; s32[w] = x; pc++; break;
        }
        case 0xb1: { // i64.trunc_f64_u
          w = (sp - 1) << 1; if (f64[sp - 1] !== f64[sp - 1]) { this.fn = fn; this.pc = pc; this.trap(TRAP.INVALID_CONVERSION); break loop; } if (!(f64[sp - 1] > -1 && f64[sp - 1] < N.U64_LIM_F)) { this.fn = fn; this.pc = pc; this.trap(TRAP.INT_OVERFLOW); break loop; } x = N.splitI64(Math.trunc(f64[sp - 1])); s32[w + 1] = N.r.hi; s32[w] = x; pc++; break;
        }
        case 0xb2: { // f32.convert_i32_s
          w = (sp - 1) << 1; f32[w] = s32[w]; pc++; break;
        }
        case 0xb3: { // f32.convert_i32_u
          w = (sp - 1) << 1; f32[w] = s32[w] >>> 0; pc++; break;
        }
        case 0xb4: { // f32.convert_i64_s
          w = (sp - 1) << 1; f32[w] = N.s64ToF32(s32[w], s32[w + 1]); pc++; break;
        }
        case 0xb5: { // f32.convert_i64_u
          w = (sp - 1) << 1; f32[w] = N.u64ToF32(s32[w], s32[w + 1]); pc++; break;
        }
        case 0xb6: { // f32.demote_f64
          w = (sp - 1) << 1; f32[w] = f64[sp - 1]; pc++; break;
        }
        case 0xb7: { // f64.convert_i32_s
          w = (sp - 1) << 1; f64[sp - 1] = s32[w] + 0; pc++; break;
        }
        case 0xb8: { // f64.convert_i32_u
          w = (sp - 1) << 1; f64[sp - 1] = (s32[w] >>> 0) + 0; pc++; break;
        }
        case 0xb9: { // f64.convert_i64_s
          w = (sp - 1) << 1; f64[sp - 1] = s32[w + 1] * 4294967296 + (s32[w] >>> 0); pc++; break;
        }
        case 0xba: { // f64.convert_i64_u
          w = (sp - 1) << 1; f64[sp - 1] = (s32[w + 1] >>> 0) * 4294967296 + (s32[w] >>> 0); pc++; break;
        }
        case 0xbb: { // f64.promote_f32
          w = (sp - 1) << 1; f64[sp - 1] = f32[w]; pc++; break;
        }
        case 0xbc: { // i32.reinterpret_f32
          w = (sp - 1) << 1; s32[w] = s32[w]; pc++; break;
        }
        case 0xbd: { // i64.reinterpret_f64
          w = (sp - 1) << 1; x = s32[w]; s32[w + 1] = s32[w + 1]; s32[w] = x; pc++; break;
        }
        case 0xbe: { // f32.reinterpret_i32
          w = (sp - 1) << 1; s32[w] = s32[w]; pc++; break;
        }
        case 0xbf: { // f64.reinterpret_i64
          w = (sp - 1) << 1; x = s32[w]; s32[w + 1] = s32[w + 1]; s32[w] = x; pc++; break;
        }
        case 0xc0: { // i32.extend8_s
          w = (sp - 1) << 1; s32[w] = (s32[w] << 24) >> 24; pc++; break;
        }
        case 0xc1: { // i32.extend16_s
          w = (sp - 1) << 1; s32[w] = (s32[w] << 16) >> 16; pc++; break;
        }
        case 0xc2: { // i64.extend8_s
          w = (sp - 1) << 1; x = (s32[w] << 24) >> 24; s32[w + 1] = x >> 31; s32[w] = x; pc++; break;
        }
        case 0xc3: { // i64.extend16_s
          w = (sp - 1) << 1; x = (s32[w] << 16) >> 16; s32[w + 1] = x >> 31; s32[w] = x; pc++; break;
        }
        case 0xc4: { // i64.extend32_s
          w = (sp - 1) << 1; x = s32[w]; s32[w + 1] = s32[w] >> 31; s32[w] = x; pc++; break;
        }
        case 0xe0: { // i32.trunc_sat_f32_s
          w = (sp - 1) << 1; s32[w] = f32[w] !== f32[w] ? 0 : f32[w] <= -2147483648 ? -2147483648 : f32[w] >= 2147483647 ? 2147483647 : Math.trunc(f32[w]) | 0; pc++; break;
        }
        case 0xe1: { // i32.trunc_sat_f32_u
          w = (sp - 1) << 1; s32[w] = f32[w] !== f32[w] || f32[w] <= 0 ? 0 : f32[w] >= 4294967295 ? -1 : Math.trunc(f32[w]) | 0; pc++; break;
        }
        case 0xe2: { // i32.trunc_sat_f64_s
          w = (sp - 1) << 1; s32[w] = f64[sp - 1] !== f64[sp - 1] ? 0 : f64[sp - 1] <= -2147483648 ? -2147483648 : f64[sp - 1] >= 2147483647 ? 2147483647 : Math.trunc(f64[sp - 1]) | 0; pc++; break;
        }
        case 0xe3: { // i32.trunc_sat_f64_u
          w = (sp - 1) << 1; s32[w] = f64[sp - 1] !== f64[sp - 1] || f64[sp - 1] <= 0 ? 0 : f64[sp - 1] >= 4294967295 ? -1 : Math.trunc(f64[sp - 1]) | 0; pc++; break;
        }
        case 0xe4: { // i64.trunc_sat_f32_s
          w = (sp - 1) << 1; x = f32[w] !== f32[w] ? 0 : f32[w] < N.I64_MIN_F ? 0 : f32[w] >= N.I64_LIM_F ? -1 : N.splitI64(Math.trunc(f32[w])); s32[w + 1] = f32[w] !== f32[w] ? 0 : f32[w] < N.I64_MIN_F ? -2147483648 : f32[w] >= N.I64_LIM_F ? 0x7fffffff : N.r.hi; s32[w] = x; pc++; break;
        }
        case 0xe5: { // i64.trunc_sat_f32_u
          w = (sp - 1) << 1; x = f32[w] !== f32[w] || f32[w] <= -1 ? 0 : f32[w] >= N.U64_LIM_F ? -1 : N.splitI64(Math.trunc(f32[w])); s32[w + 1] = f32[w] !== f32[w] || f32[w] <= -1 ? 0 : f32[w] >= N.U64_LIM_F ? -1 : N.r.hi; s32[w] = x; pc++; break;
        }
        case 0xe6: { // i64.trunc_sat_f64_s
          w = (sp - 1) << 1; x = f64[sp - 1] !== f64[sp - 1] ? 0 : f64[sp - 1] < N.I64_MIN_F ? 0 : f64[sp - 1] >= N.I64_LIM_F ? -1 : N.splitI64(Math.trunc(f64[sp - 1])); s32[w + 1] = f64[sp - 1] !== f64[sp - 1] ? 0 : f64[sp - 1] < N.I64_MIN_F ? -2147483648 : f64[sp - 1] >= N.I64_LIM_F ? 0x7fffffff : N.r.hi; s32[w] = x; pc++; break;
        }
        case 0xe7: { // i64.trunc_sat_f64_u
          w = (sp - 1) << 1; x = f64[sp - 1] !== f64[sp - 1] || f64[sp - 1] <= -1 ? 0 : f64[sp - 1] >= N.U64_LIM_F ? -1 : N.splitI64(Math.trunc(f64[sp - 1])); s32[w + 1] = f64[sp - 1] !== f64[sp - 1] || f64[sp - 1] <= -1 ? 0 : f64[sp - 1] >= N.U64_LIM_F ? -1 : N.r.hi; s32[w] = x; pc++; break;
        }
        // </generated>
        default:
          if (op >= OP.BREAK) { this.breakAt(fn, pc); break loop; }
          this.fn = fn; this.pc = pc;
          this.trap(TRAP.INVALID_PROGRAM);
          this.programError = new ProgramError('code', pc, `internal opcode ${op} not implemented`);
          break loop;
      }
      n--;
      if (jitE !== null && jitE[pc] === 1) enterJit = true;
    }
    if (!this.exception) { this.fn = fn; this.pc = pc; }
    this.sp = sp;
    this.fp = fp;
    return fuel - n;
  }

  /**
   * RETURN, for exec(): from this.fn/pc/sp/fp to the caller's frame. The popped header may come from
   * user memory: the caller must be a defined function, the return PC a return site in it, and its
   * frame below this one with room for the results.
   */
  private execReturn(): number {
    const s32 = this.s32, fn = this.fn, pc = this.pc, sp = this.sp, fp = this.fp;
    const nres = fn.nresults;
    const hd = (fp + fn.nlocals) << 1;
    const retFn = s32[hd + 1];
    const retPc = s32[hd];
    if (retFn === -1) {
      // outermost frame: results to [FP..) and X0..X5; exit SVC
      for (let i = 0; i < nres; i++) { s32[(fp + i) << 1] = s32[(sp - nres + i) << 1]; s32[((fp + i) << 1) + 1] = s32[((sp - nres + i) << 1) + 1]; }
      const types = fn.type.results;
      const ri = this.ri;
      for (let i = 0; i < nres && i < 6; i++) {
        const t = types[i];
        ri[2 * i] = s32[(fp + i) << 1];
        ri[2 * i + 1] = t === T.I64 || t === T.F64 ? s32[((fp + i) << 1) + 1] : 0;
      }
      this.sp = fp + nres;
      this.depth = 0;
      this.exception = new El0Exception(esr(EC.SVC64, SVC_EXIT), 0, 0xfffffffe, 0xffffffff); // ELR = PC_EXITED
      return STOP_RETIRED;
    }
    const callerFp = this.slotOf((s32[hd + 2] >>> 0) + (s32[hd + 3] >>> 0) * TWO32);
    const callerFn = this.funcs[retFn];
    if (callerFn === undefined || (callerFn.insn[retPc] & INSN_RETURN_SITE) === 0 || !(callerFp >= 0) ||
        (callerFp | 0) !== callerFp || callerFp + callerFn.nlocals + FRAME_HEADER > fp || fp + nres > callerFp + callerFn.frameSlots) {
      this.programError = new ProgramError('frame', pc, 'invalid return PC or caller FP in the frame header');
      this.trap(TRAP.INVALID_REGISTERS);
      return STOP;
    }
    if (callerFp < this.loadedLow || callerFp + callerFn.frameSlots > this.validTop) {
      // returning into a frame of an earlier run(): load it and validate the rest of it
      if (callerFp < this.loadedLow && !this.loadStackDown(callerFp)) return STOP;
      if (!this.growStack(callerFp + callerFn.frameSlots)) return STOP;
    }
    for (let i = 0; i < nres; i++) { s32[(fp + i) << 1] = s32[(sp - nres + i) << 1]; s32[((fp + i) << 1) + 1] = s32[((sp - nres + i) << 1) + 1]; }
    this.sp = fp + nres;
    this.fp = callerFp;
    if (callerFp < this.minFp) this.minFp = callerFp;
    this.pc = retPc;
    this.fn = callerFn;
    this.depth--;
    return CONTINUE;
  }

  /** CALL, CALL_INDIRECT, CALL_IMPORT and SVC, for exec(): from this.fn/pc/sp/fp into the callee's frame. */
  private execCall(op: number): number {
    const s32 = this.s32, fn = this.fn, pc = this.pc, code = fn.code;
    let sp = this.sp;
    if (op === OP.CALL_IMPORT || op === OP.SVC) {
      const f = this.funcs[code[pc + 1]];
      if (op === OP.SVC) this.callSvc(f, pc + 2); else this.callImport(f, pc + 2);
      return STOP_RETIRED;
    }
    let f: Func, len = 2;
    if (op === OP.CALL) f = this.funcs[code[pc + 1]];
    else {
      const prog = this.prog!, t = code[pc + 2];
      const idx = s32[(sp - 1) << 1] >>> 0;
      if (idx >= prog.tables[t].limits.min) { this.trap(TRAP.UNDEFINED_ELEMENT); return STOP; }
      const v = this.g32[(prog.layout.tableBase[t] + idx) << 1];
      if (v === 0) { this.trap(TRAP.UNINITIALIZED_ELEMENT); return STOP; }
      f = this.funcs[v - 1];
      if (f === undefined || prog.typeCanon[f.typeIndex] !== code[pc + 1]) { this.trap(TRAP.INDIRECT_TYPE_MISMATCH); return STOP; }
      if (f.importIndex >= 0) { this.sp = sp - 1; this.callImport(f, pc + 3); return STOP_RETIRED; }
      len = 3;
    }
    const nfp = sp - (len - 2) - f.nparams;
    const top = nfp + f.frameSlots;
    if (top > this.validTop || this.depth >= MAX_CALL_DEPTH) {
      if (this.depth >= MAX_CALL_DEPTH) { this.trap(TRAP.STACK_EXHAUSTED); return STOP; }
      if (!this.growStack(top)) return STOP;
    }
    s32.fill(0, (nfp + f.nparams) << 1, (nfp + f.nlocals) << 1);
    const hd = (nfp + f.nlocals) << 1;
    s32[hd] = pc + len;
    s32[hd + 1] = fn.index;
    const fva = this.stackBase + this.fp * 8;
    s32[hd + 2] = fva | 0;
    s32[hd + 3] = (fva / TWO32) | 0;
    this.fp = nfp;
    this.sp = nfp + f.nlocals + FRAME_HEADER;
    this.fn = f; this.pc = 0;
    this.depth++;
    return CONTINUE;
  }

  /** Before the first write to the globals area in a run: may the thread write it? (else an exception) */
  private globalsWritable(): boolean {
    if (this.gWritable) return true;
    if (!this.checkUser(this.gp, this.gSlots * 8, ACC_WRITE)) return false;
    return (this.gWritable = true);
  }

  /** mlk.reg(i) for exec(): Xi, or the live PC, SP, FP, memory size or call depth, on top of the stack */
  private regRead(fn: Func, pc: number, sp: number, fp: number): void {
    const s32 = this.s32;
    const i = s32[(sp - 1) << 1] & 31;
    let lo = this.ri[2 * i], hi = this.ri[2 * i + 1], v = -1;
    if (i === REG.PC) { lo = pc; hi = fn.index; }
    else if (i === REG.SP) v = this.vaOf(sp - 1);
    else if (i === REG.FP) v = this.vaOf(fp);
    else if (i === REG.MEMPAGES) v = this.memPages;
    else if (i === REG.DEPTH) v = this.depth;
    if (v >= 0) { lo = v | 0; hi = ((v - (v >>> 0)) / TWO32) | 0; }
    s32[(sp - 1) << 1] = lo | 0;
    s32[((sp - 1) << 1) + 1] = hi | 0;
  }

  /** The globals area's writes, tables and the memory's size and bulk operations, for exec(): the new sp, or -1 (an exception). */
  private execAccess(op: number, code: Int32Array, pc: number, sp: number, memBytes: number): number {
    const s32 = this.s32, g32 = this.g32, prog = this.prog!;
    switch (op) {
      case OP.GLOBAL_SET: {
        if (!this.globalsWritable()) return -1;
        sp--; const w = code[pc + 1] << 1; g32[w] = s32[sp << 1]; g32[w + 1] = s32[(sp << 1) + 1];
        break;
      }
      case OP.TABLE_GET: case OP.TABLE_SET: {
        const t = code[pc + 1];
        const ix = s32[(sp - (op === OP.TABLE_GET ? 1 : 2)) << 1] >>> 0;
        if (ix >= prog.tables[t].limits.min) { this.trap(TRAP.OUT_OF_BOUNDS_TABLE); return -1; }
        const w = (prog.layout.tableBase[t] + ix) << 1;
        if (op === OP.TABLE_GET) { s32[(sp - 1) << 1] = g32[w]; s32[((sp - 1) << 1) + 1] = 0; return sp; }
        if (!this.globalsWritable()) return -1;
        g32[w] = s32[(sp - 1) << 1]; g32[w + 1] = 0; sp -= 2;
        break;
      }
      case OP.TABLE_SIZE: s32[sp << 1] = prog.tables[code[pc + 1]].limits.min; return sp + 1;
      case OP.MEMORY_SIZE: s32[sp << 1] = this.memPages; return sp + 1;
      case OP.MEMORY_GROW: {
        const w = (sp - 1) << 1;
        const d = s32[w] >>> 0;
        if (this.memPages + d <= this.memMax && this.memPages + d <= 65536) {
          s32[w] = this.memPages;
          this.memPages += d;
          this.memBytes = this.memPages * 65536;
        } else s32[w] = -1;
        return sp;
      }
      case OP.DATA_DROP:
        if (!this.globalsWritable()) return -1;
        this.gTail();
        g32[(prog.layout.dataDropped + code[pc + 1]) << 1] = 1;
        break;
      default: // MEMORY_FILL, MEMORY_COPY, MEMORY_INIT
        return this.bulkOp(op, code[pc + 1], sp, memBytes) ? sp - 3 : -1;
    }
    this.gDirty = true;
    return sp;
  }

  /** import call (not mlk.svc): SVC 0x100+k, arguments in X0.. ; ELR = next instruction */
  private callImport(f: Func, nextPc: number): void {
    const np = f.nparams;
    this.sp -= np;
    const s32 = this.s32, base = this.sp;
    const types = f.type.params;
    const ri = this.ri;
    for (let i = 0; i < np && i < 6; i++) {
      const t = types[i];
      ri[2 * i] = s32[(base + i) << 1];
      ri[2 * i + 1] = t === T.I64 || t === T.F64 ? s32[((base + i) << 1) + 1] : 0;
    }
    if (np > 6) this.wbExtra = np;
    this.rset(REG.PENDING, f.index + 1);
    this.pc = nextPc;
    this.raise(EC.SVC64, SVC_IMPORT_BASE + f.index, 0, nextPc);
  }

  /**
   * Translated code executed mlk.svc at this.pc (X7/X0.. written, arguments popped, frame in the
   * shadow, the instruction retired): raise the SVC as callSvc does.
   */
  private svcTaken(): void {
    const pc = this.pc;
    this.rset(REG.PENDING, this.fn.code[pc + 1] + 1);
    this.pc = pc + 2;
    this.raiseSyscall(pc + 2);
  }

  /** Globals-area slots enter() loads for `prog`: layout.dataDropped when no function has memory.init / data.drop. */
  private gHead(prog: Program): number {
    if (prog === this.gHeadP0) return this.gHeadH0;
    if (prog === this.gHeadP1) return this.gHeadH1;
    const h = this.gHeadOf(prog);
    this.gHeadP1 = this.gHeadP0; this.gHeadH1 = this.gHeadH0;
    this.gHeadP0 = prog; this.gHeadH0 = h;
    return h;
  }
  // the last two programs' gHead (a program switch is the common case: IPC between two programs)
  private gHeadP0: Program | null = null;
  private gHeadH0 = 0;
  private gHeadP1: Program | null = null;
  private gHeadH1 = 0;
  private gHeadOf(prog: Program): number {
    let h = this.gHeads.get(prog);
    if (h === undefined) {
      h = prog.layout.dataDropped;
      scan: for (const f of prog.funcs) {
        const code = f.code;
        if (!code) continue;
        for (let pc = 0; pc < code.length; pc += opLength(code, pc)) {
          if (code[pc] === OP.MEMORY_INIT || code[pc] === OP.DATA_DROP) { h = prog.layout.slots; break scan; }
        }
      }
      this.gHeads.set(prog, h);
    }
    return h;
  }

  /** Load the rest of the globals area (the data-segment flags) into the shadow, once per run(). */
  private gTail(): void {
    const n = this.gSlots;
    if (this.gLoaded >= n) return;
    this.copyG(this.gOff, this.gLoaded, n);
    this.gLoaded = n;
  }

  /** Globals-area shadow slots [from, to) ← RAM at byte offset off (8-aligned) of the area. */
  private copyG(off: number, from: number, to: number): void {
    if (F64_EXACT) {
      const m64 = this.ram64, g64 = this.g64, mw = off >>> 3;
      for (let i = from; i < to; i++) g64[i] = m64[mw + i];
    } else {
      const m32 = this.ram32, g32 = this.g32, mw = off >>> 2;
      for (let i = 2 * from; i < 2 * to; i++) g32[i] = m32[mw + i];
    }
  }

  /** mlk.svc(nr, a0..a5): SVC #0 with X7 = nr, X0..X5 = args */
  private callSvc(f: Func, nextPc: number): void {
    const np = f.nparams;
    this.sp -= np;
    const s32 = this.s32, base = this.sp;
    const types = f.type.params;
    const ri = this.ri;
    for (let i = 0; i < np && i < 7; i++) {
      const t = types[i];
      const r = i === 0 ? REG.X7 : i - 1;
      ri[2 * r] = s32[(base + i) << 1];
      ri[2 * r + 1] = t === T.I64 || t === T.F64 ? s32[((base + i) << 1) + 1] : 0;
    }
    this.rset(REG.PENDING, f.index + 1);
    this.pc = nextPc;
    this.raiseSyscall(nextPc);
  }

  /** memory.fill / memory.copy / memory.init: bounds and every page checked before any write */
  private bulkOp(op: number, seg: number, sp: number, memBytes: number): boolean {
    const s32 = this.s32;
    return this.bulkValues(op, seg, s32[(sp - 3) << 1] >>> 0, s32[(sp - 2) << 1], s32[(sp - 1) << 1] >>> 0, memBytes);
  }

  // ---- helpers for translated code: they never raise; false/-1 means "bail to the interpreter"

  /** Fill the engine TLB for linear address ea (RAM pages only). Returns false if it would fault. */
  jitXlate(ea: number, write: boolean): boolean {
    const pa = this.mmu.translate(ea, write ? ACC_WRITE : ACC_READ, 0);
    if (pa < 0) return false;
    const off = pa - this.ramBase;
    if (off < 0 || off >= this.ramSize) return false;
    const vpn = ea >>> 12, h = vpn & TLB_MASK;
    if (write) { if (this.wTag[h] === -1) this.tlbNote(-1 - h); this.wTag[h] = vpn; this.wOff[h] = off - (off & 0xfff); }
    else { if (this.rTag[h] === -1) this.tlbNote(h); this.rTag[h] = vpn; this.rOff[h] = off - (off & 0xfff); }
    return true;
  }

  private pagesOk(va: number, len: number, write: boolean): boolean {
    let a = va;
    const end = va + len;
    while (a < end) {
      if (!this.jitXlate(a, write)) return false;
      a = a - (a & 0xfff) + PAGE;
    }
    return true;
  }

  /** memory.fill / memory.copy for translated code: done only if nothing can fault or trap. */
  jitBulk(op: number, d: number, sv: number, len: number): boolean {
    d >>>= 0; len >>>= 0;
    const mb = this.memBytes;
    if (d + len > mb) return false;
    if (op === OP.MEMORY_COPY && (sv >>> 0) + len > mb) return false;
    if (len === 0) return true;
    // fast path: each side within one page that the engine TLB already holds
    const dv = d >>> 12, dh = dv & TLB_MASK;
    if ((d & 0xfff) + len <= PAGE && this.wTag[dh] === dv) {
      const dOff = this.wOff[dh] + (d & 0xfff);
      if (op === OP.MEMORY_FILL) { this.m8.fill(sv & 0xff, dOff, dOff + len); return true; }
      const s = sv >>> 0, svp = s >>> 12, sh = svp & TLB_MASK;
      if ((s & 0xfff) + len <= PAGE && this.rTag[sh] === svp) {
        const sOff = this.rOff[sh] + (s & 0xfff);
        this.m8.copyWithin(dOff, sOff, sOff + len);
        return true;
      }
    }
    if (!this.pagesOk(d, len, true)) return false;
    if (op === OP.MEMORY_COPY && !this.pagesOk(sv >>> 0, len, false)) return false;
    return this.bulkValues(op, 0, d, sv, len, mb);
  }

  /** memory.grow for translated code: the new size in pages or -1 */
  jitGrow(delta: number): number {
    const d = delta >>> 0;
    if (this.memPages + d <= this.memMax && this.memPages + d <= 65536) {
      const old = this.memPages;
      this.memPages += d;
      this.memBytes = this.memPages * 65536;
      return old;
    }
    return -1;
  }

  private bulkValues(op: number, seg: number, d: number, sv: number, len: number, memBytes: number): boolean {
    const m8 = this.m8;
    if (op === OP.MEMORY_FILL) {
      if (d + len > memBytes) { this.trap(TRAP.OUT_OF_BOUNDS); return false; }
      if (len === 0) return true;
      const dp = this.bulkPages;
      if (!this.bulkTranslate(d, len, true, dp)) return false;
      let a = d, left = len, i = 0;
      while (left > 0) {
        const k = Math.min(left, PAGE - (a & 0xfff));
        const off = dp[i++] + (a & 0xfff);
        m8.fill(sv & 0xff, off, off + k);
        a += k; left -= k;
      }
      return true;
    }
    let src: Uint8Array | null = null;
    let s = sv >>> 0;
    if (op === OP.MEMORY_INIT) {
      const prog = this.prog!;
      this.gTail();
      const dropped = this.g32[(prog.layout.dataDropped + seg) << 1] !== 0;
      const seglen = dropped ? 0 : prog.datas[seg].bytes.length;
      if (s + len > seglen || d + len > memBytes) { this.trap(TRAP.OUT_OF_BOUNDS); return false; }
      if (len === 0) return true;
      src = prog.datas[seg].bytes.subarray(s, s + len);
    } else {
      if (s + len > memBytes || d + len > memBytes) { this.trap(TRAP.OUT_OF_BOUNDS); return false; }
      if (len === 0) return true;
      // read the source into a scratch buffer (checking every page), then write it
      if (this.bulk.length < len) this.bulk = new Uint8Array(Math.max(len, this.bulk.length * 2));
      const sp2: number[] = [];
      if (!this.bulkTranslate(s, len, false, sp2)) return false;
      const dp = this.bulkPages;
      if (!this.bulkTranslate(d, len, true, dp)) return false;
      let a = s, left = len, i = 0, h = 0;
      while (left > 0) {
        const k = Math.min(left, PAGE - (a & 0xfff));
        const off = sp2[i++] + (a & 0xfff);
        this.bulk.set(m8.subarray(off, off + k), h);
        a += k; left -= k; h += k;
      }
      src = this.bulk.subarray(0, len);
      s = 0;
    }
    const dp = this.bulkPages;
    if (op === OP.MEMORY_INIT && !this.bulkTranslate(d, len, true, dp)) return false;
    let a = d, left = len, i = 0, h = 0;
    while (left > 0) {
      const k = Math.min(left, PAGE - (a & 0xfff));
      const off = dp[i++] + (a & 0xfff);
      m8.set(src.subarray(h, h + k), off);
      a += k; left -= k; h += k;
    }
    return true;
  }
}

/** a NaN result as the canonical quiet NaN (an arithmetic NaN) */
function qnan(x: number): number {
  return x !== x ? NaN : x;
}
