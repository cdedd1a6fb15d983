// Makes a kernel's hidden registers visible: AssemblyScript keeps module-level variables (the
// current thread, the ready bitmap, the allocator's bump pointer, …) in WebAssembly globals, not in
// linear memory, so RAM alone is not the kernel's whole state. This rewrites a module's export
// section to also export every mutable global it defines, under `mlk.global.<index>`, so a machine
// snapshot can read and write them (hw/snapshot.ts). Nothing else in the module changes.

export const GLOBAL_EXPORT_PREFIX = 'mlk.global.';

class Reader {
  constructor(readonly b: Uint8Array, public p = 0) {}
  byte(): number {
    if (this.p >= this.b.length) throw new Error('wasm: unexpected end of module');
    return this.b[this.p++];
  }
  u32(): number {
    let r = 0, shift = 0, c: number;
    do { c = this.byte(); r += (c & 0x7f) * 2 ** shift; shift += 7; } while (c & 0x80);
    return r;
  }
  /** Skips a signed LEB128 (i32/i64 immediates). */
  skipLeb(): void { while (this.byte() & 0x80); }
  skip(n: number): void {
    if (this.p + n > this.b.length) throw new Error('wasm: unexpected end of module');
    this.p += n;
  }
  name(): void { this.skip(this.u32()); }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let c = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) c |= 0x80;
    out.push(c);
  } while (n > 0);
  return out;
}

/** Skips a constant expression (global initialiser) up to and including its `end`. */
function skipConstExpr(r: Reader): void {
  for (;;) {
    const op = r.byte();
    switch (op) {
      case 0x0b: return; // end
      case 0x41: case 0x42: r.skipLeb(); break; // i32.const, i64.const
      case 0x43: r.skip(4); break; // f32.const
      case 0x44: r.skip(8); break; // f64.const
      case 0x23: case 0xd2: r.u32(); break; // global.get, ref.func
      case 0xd0: r.byte(); break; // ref.null t
      case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e: break; // extended-const add/sub/mul
      case 0xfd: r.u32(); r.skip(16); break; // v128.const
      default: throw new Error(`wasm: unsupported opcode 0x${op.toString(16)} in a global initialiser`);
    }
  }
}

/** Value type byte → name, for the globals this module can export (numbers only). */
const VALTYPES: Record<number, 'i32' | 'i64' | 'f32' | 'f64'> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };

export interface ExportedGlobals {
  bytes: Uint8Array;
  /** The export names added, in global-index order. */
  names: string[];
}

/** Returns the module with an export added for each mutable numeric global it defines. */
export function exportMutableGlobals(module: Uint8Array): ExportedGlobals {
  const r = new Reader(module);
  if (module.length < 8 || module[0] !== 0 || module[1] !== 0x61 || module[2] !== 0x73 || module[3] !== 0x6d)
    throw new Error('wasm: not a WebAssembly module');
  r.p = 8;
  const sections: { id: number; start: number; end: number; body: number }[] = [];
  let importedGlobals = 0;
  const mutable: number[] = [];
  while (r.p < module.length) {
    const start = r.p;
    const id = r.byte();
    const size = r.u32();
    const body = r.p;
    r.skip(size);
    sections.push({ id, start, end: r.p, body });
    const s = new Reader(module.subarray(0, r.p), body);
    if (id === 2) {
      for (let n = s.u32(); n > 0; n--) {
        s.name(); s.name();
        const kind = s.byte();
        if (kind === 0) s.u32(); // function: type index
        else if (kind === 1) { s.byte(); const f = s.u32(); s.u32(); if (f & 1) s.u32(); } // table
        else if (kind === 2) { const f = s.u32(); s.u32(); if (f & 1) s.u32(); } // memory
        else if (kind === 3) { s.byte(); s.byte(); importedGlobals++; } // global
        else if (kind === 4) { s.byte(); s.u32(); } // tag
        else throw new Error(`wasm: unknown import kind ${kind}`);
      }
    } else if (id === 6) {
      const n = s.u32();
      for (let i = 0; i < n; i++) {
        const type = s.byte();
        const mut = s.byte();
        if (mut === 1 && VALTYPES[type]) mutable.push(importedGlobals + i);
        skipConstExpr(s);
      }
    }
  }
  const names = mutable.map((i) => `${GLOBAL_EXPORT_PREFIX}${i}`);
  const enc = new TextEncoder();
  const added: number[] = [];
  mutable.forEach((index, k) => {
    const name = enc.encode(names[k]);
    added.push(...leb(name.length), ...name, 0x03, ...leb(index));
  });
  const old = sections.find((x) => x.id === 7);
  let entries: Uint8Array = new Uint8Array(0);
  let count = 0;
  if (old) {
    const s = new Reader(module, old.body);
    count = s.u32();
    entries = module.subarray(s.p, old.end);
  }
  const body = [...leb(count + mutable.length), ...entries, ...added];
  const section = Uint8Array.from([7, ...leb(body.length), ...body]);
  // Splice: replace the old export section, or insert it before the first section that must follow it.
  let at: number, cut: number;
  if (old) { at = old.start; cut = old.end; } else {
    // sections after exports: start 8, element 9, data count 12, code 10, data 11 (tag 13 precedes)
    const next = sections.find((x) => x.id > 7 && x.id !== 13);
    at = next ? next.start : module.length;
    cut = at;
  }
  const out = new Uint8Array(at + section.length + (module.length - cut));
  out.set(module.subarray(0, at), 0);
  out.set(section, at);
  out.set(module.subarray(cut), at + section.length);
  return { bytes: out, names };
}
