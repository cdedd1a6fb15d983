// The service binaries of the boot image as the CPU panel's debugger sees them: their functions,
// code breakpoints resolved to images (hw/el0/debug.ts), and the disassembly around the EL0 core's
// current location (hw/el0/disasm.ts). Everything is read from the binaries and the core; nothing
// is modelled here.

import { imageKey, programKey, type CodeBreakpoint, type El0Location } from '../../../hw/el0/debug';
import { disassemble, funcName, wasmInfo, type WasmInfo } from '../../../hw/el0/disasm';
import type { CpioFile } from '../../../host/cpio.mjs';
import type { Breakpoint, CodeView, ServiceFunctions } from './protocol';

interface Service { name: string; bytes: Uint8Array; key: string; info: WasmInfo }

export class ServiceCode {
  private readonly byName = new Map<string, Service>();
  private readonly byKey = new Map<string, Service>();
  private cached: { key: string; func: number; lines: CodeView['lines'] } | null = null;

  constructor(files: CpioFile[]) {
    for (const f of files) {
      if (!f.name.endsWith('.wasm')) continue;
      const s: Service = { name: f.name.slice(0, -5), bytes: f.data, key: imageKey(f.data), info: wasmInfo(f.data) };
      this.byName.set(s.name, s);
      this.byKey.set(s.key, s);
    }
  }

  /** Every service's defined functions, for the breakpoint picker. */
  functions(): ServiceFunctions[] {
    return [...this.byName.values()].map((s) => ({
      service: s.name,
      funcs: [...s.info.bodies.keys()].map((i): [number, string] => [i, funcName(s.info, i)]),
    }));
  }

  /** The core's form of a function or instruction breakpoint (null for the kernel-trace kinds). */
  resolve(b: Breakpoint): CodeBreakpoint | null {
    if (b.kind !== 'func' && b.kind !== 'insn') return null;
    const s = this.byName.get(b.service);
    if (!s) return null;
    return { image: s.key, func: b.func, offset: b.kind === 'func' ? -1 : b.offset };
  }

  /** A code breakpoint in words. */
  describe(b: Breakpoint): string {
    if (b.kind !== 'func' && b.kind !== 'insn') return '';
    const s = this.byName.get(b.service);
    const fn = s ? funcName(s.info, b.func) : `func[${b.func}]`;
    return b.kind === 'func' ? `function ${fn} of ${b.service}` : `instruction at 0x${b.offset.toString(16)} in ${fn} of ${b.service}`;
  }

  /** The disassembly of the function at `loc`, its next instruction marked by offset. */
  view(loc: El0Location | null): CodeView | undefined {
    if (!loc) return undefined;
    const key = programKey(loc.program);
    const s = this.byKey.get(key) ?? null;
    const bytes = s?.bytes ?? loc.program.image;
    if (this.cached?.key !== key || this.cached.func !== loc.func) {
      const lines = disassemble(bytes, loc.func, s?.info).map((l) => ({ offset: l.offset, text: `${l.mnemonic}${l.operands ? ' ' + l.operands : ''}` }));
      this.cached = { key, func: loc.func, lines };
    }
    const name = s ? funcName(s.info, loc.func) : `func[${loc.func}]`;
    return { service: s?.name ?? null, func: loc.func, name, offset: loc.offset, lines: this.cached.lines };
  }
}
