// Drives a booted machine like a person at the terminal: boot until the shell's prompt, then type
// one line at a time and collect what the UART transmits until the next prompt.
import { readFileSync } from 'node:fs';
import { readKiText, type KiExports } from '../../host/introspection';
import { Machine } from '../../hw/machine';
import { MemoryBlockStore, type BlockStore } from '../../hw/blockdev';
import { CNTFRQ } from '../../hw/memmap';
import { root } from './asc';
import { withoutErasedRows } from '../../host/terminal';

export { withoutErasedRows };

export const PROMPT = 'mlk> ';

export class Session {
  out = '';
  private mark = 0;
  constructor(readonly m: Machine) {
    m.on('uart', (b) => { this.out += Buffer.from(b).toString('latin1'); });
  }

  /** Runs until `text` appears after the current mark (or virtual seconds run out). */
  waitFor(text: string, seconds = 20): string {
    const limit = this.m.clock.ticks + seconds * CNTFRQ;
    const slice = CNTFRQ / 100;
    for (;;) {
      const at = this.out.indexOf(text, this.mark);
      if (at >= 0) {
        const got = this.out.slice(this.mark, at + text.length);
        this.mark = at + text.length;
        return got;
      }
      if (this.m.halted) throw new Error(`machine halted: ${this.m.halted.reason}${invariantOf(this.m)}\n${this.m.halted.report}\n--- output ---\n${this.out}`);
      if (this.m.clock.ticks >= limit) throw new Error(`'${text}' did not appear within ${seconds} virtual seconds\n--- output ---\n${this.out}`);
      this.m.run(slice);
    }
  }

  /**
   * Types a line; returns the output up to the next prompt, without the echo and the prompt.
   * Log lines that other services printed before the echo (asynchronously) are left out. A log
   * line that arrives while the prompt is open draws the prompt again below it (the console's
   * open row, docs/SERVICES.md): such a prompt before the echo is not the command's end.
   */
  type(line: string, seconds = 20): string {
    this.m.uartInput(line + '\r');
    const plain = !/[\x00-\x1f\x7f]/.test(line);
    let got = '';
    for (let prompts = 0; ; prompts++) {
      got += this.waitFor(PROMPT, seconds);
      const text = withoutErasedRows(got).slice(0, -PROMPT.length).replace(/\r\n/g, '\n');
      const at = plain ? echoAt(text, line) : -1;
      if (at >= 0) return text.slice(at + line.length + 1);
      if (!plain || prompts >= 8) return text.replace(/^\n+/, '').replace(/^[^\n]*\n/, '');
    }
  }
}

/** Where `line` and its newline start a row of `text` (after a newline or a prompt), or -1. */
function echoAt(text: string, line: string): number {
  for (let at = text.indexOf(line + '\n'); at >= 0; at = text.indexOf(line + '\n', at + 1)) {
    if (at === 0 || text[at - 1] === '\n' || text.slice(0, at).endsWith(PROMPT)) return at;
  }
  return -1;
}

export function buildArtifacts(): { kernel: WebAssembly.Module; bootImage: Uint8Array } {
  return {
    kernel: new WebAssembly.Module(readFileSync(`${root}build/kernel.wasm`)),
    bootImage: new Uint8Array(readFileSync(`${root}build/bootimage.cpio`)),
  };
}

/** Boots to the first prompt. */
export async function bootShell(art: { kernel: WebAssembly.Module; bootImage: Uint8Array }, disk: BlockStore = new MemoryBlockStore(8192)): Promise<Session> {
  // the invariant checker runs after every kernel entry; a violation halts with its name on the UART
  const m = await Machine.create({ kernel: art.kernel, bootImage: art.bootImage, disk, bootargs: 'mlk.check=1' });
  const s = new Session(m);
  s.waitFor(PROMPT, 30);
  return s;
}

/** The invariant the kernel's checker found violated (ki_json 7), for a halt report. */
export function invariantOf(m: Machine): string {
  const v = kiJson(m, 7);
  return v.code ? ` — invariant ${v.code} (${v.invariant}) violated: ${v.what}, slot ${v.slot}, object ${v.object}, thread ${v.tid}` : '';
}

/** The kernel's introspection export `ki_json(what, arg)`, parsed. */
export function kiJson(m: Machine, what: number, arg = 0): any {
  const raw = readKiText(m.kernelExports as unknown as KiExports, m.ram.u8, what, arg);
  if (!raw.ok) throw new Error(raw.error);
  return JSON.parse(raw.text);
}
