// Drives a booted machine like a person at the terminal: boot until the shell's prompt, then type
// one line at a time and collect what the UART transmits until the next prompt.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readKiText, type KiExports } from '../../host/introspection';
import { Machine, type PreparedKernel } from '../../hw/machine';
import { exportMutableGlobals } from '../../hw/wasm-globals';
import { MemoryBlockStore, type BlockStore } from '../../hw/blockdev';
import { CNTFRQ } from '../../hw/memmap';
import { root } from './asc';
import { withoutErasedRows } from '../../host/terminal';
import { captureState, restoreState } from '../../hw/snapshot';
import { decodeStateFile, encodeStateFile } from '../../hw/snapshot-format';

export { withoutErasedRows };

export const PROMPT = 'mlk> ';

export class Session {
  out = '';
  private mark = 0;
  /** `booted`: what the UART had printed and how far it was read, for a machine restored mid-session. */
  constructor(readonly m: Machine, booted?: { out: string; mark: number }) {
    if (booted) ({ out: this.out, mark: this.mark } = booted);
    m.on('uart', (b) => { this.out += Buffer.from(b).toString('latin1'); });
  }

  /** What the UART printed and how far waitFor read it, to start a restored machine's Session from. */
  get progress(): { out: string; mark: number } {
    return { out: this.out, mark: this.mark };
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

/** A kernel and boot image to boot; `key` names their content when they are the built ones. */
export interface Artifacts { kernel: WebAssembly.Module | PreparedKernel; bootImage: Uint8Array; key?: string }

/**
 * The built kernel and boot image. The kernel is prepared as the page and `mlk boot` prepare it
 * (its mutable globals exported, hw/wasm-globals.ts), so that its machines can be snapshotted.
 */
export function buildArtifacts(): { kernel: PreparedKernel; bootImage: Uint8Array; key: string } {
  const bytes = new Uint8Array(readFileSync(`${root}build/kernel.wasm`));
  const bootImage = new Uint8Array(readFileSync(`${root}build/bootimage.cpio`));
  const g = exportMutableGlobals(bytes);
  return {
    kernel: { module: new WebAssembly.Module(g.bytes as BufferSource), globals: g.names, bytes },
    bootImage,
    key: createHash('sha256').update(bytes).update(bootImage).digest('hex').slice(0, 16),
  };
}

const SHELL_BOOTARGS = 'mlk.check=1';
const SHELL_DISK_SECTORS = 8192;

/**
 * Boots to the first prompt. On a blank disk of its own, with the built kernel and boot image
 * (`art.key`, from buildArtifacts), the machine is restored from a snapshot of exactly this boot —
 * taken once (per kernel and boot image) by the first test process that boots, in
 * build/test-cache/ — instead of running the boot's 4.8 M instructions again: the same machine
 * state (tests/services/shell-snapshot.test.ts compares the state hashes), UART output and read
 * mark. A caller's disk, or other images, boot for real; `real` forces a real boot.
 */
export async function bootShell(art: Artifacts, disk?: BlockStore, opts: { real?: boolean } = {}): Promise<Session> {
  if (disk || !art.key || art.kernel instanceof WebAssembly.Module || opts.real) return realBootShell(art, disk ?? new MemoryBlockStore(SHELL_DISK_SECTORS));
  const booted = await bootedShell(art, art.key);
  // the invariant checker runs after every kernel entry; a violation halts with its name on the UART
  const m = await Machine.create({ kernel: art.kernel, bootImage: art.bootImage, disk: new MemoryBlockStore(SHELL_DISK_SECTORS), bootargs: SHELL_BOOTARGS });
  // decoded afresh for each machine: a restored device may keep parts of the state it was given
  // checked: the build id, and the payload against its hash (a file half written elsewhere is refused)
  restoreState(m, (await decodeStateFile(booted.file, m.buildId)).state, true);
  return new Session(m, booted.session);
}

async function realBootShell(art: Artifacts, disk: BlockStore): Promise<Session> {
  // the invariant checker runs after every kernel entry; a violation halts with its name on the UART
  const m = await Machine.create({ kernel: art.kernel, bootImage: art.bootImage, disk, bootargs: SHELL_BOOTARGS });
  const s = new Session(m);
  s.waitFor(PROMPT, 30);
  return s;
}

/** A state file of the booted machine, and the Session's output and read mark at that point. */
interface BootedShell { file: Uint8Array; session: { out: string; mark: number } }
const booted = new Map<string, Promise<BootedShell>>();

/** The booted shell of this kernel and boot image: from this process, the cache file, or a real boot. */
function bootedShell(art: Artifacts, key: string): Promise<BootedShell> {
  let p = booted.get(key);
  if (!p) booted.set(key, (p = loadOrBoot(art, key)));
  return p;
}

async function loadOrBoot(art: Artifacts, key: string): Promise<BootedShell> {
  const dir = `${root}build/test-cache`;
  const file = `${dir}/shell-boot-${key}`;
  try {
    const session = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as BootedShell['session'];
    const state = new Uint8Array(readFileSync(`${file}.state`));
    await decodeStateFile(state); // a file half written by another process is refused here
    return { file: state, session };
  } catch {
    // not there yet (or unreadable): boot for real below
  }
  const s = await realBootShell(art, new MemoryBlockStore(SHELL_DISK_SECTORS));
  const shell: BootedShell = { file: await encodeStateFile(captureState(s.m)), session: s.progress };
  // private files renamed into place: another test process may be reading them right now
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(`${tmp}.state`, shell.file);
  writeFileSync(`${tmp}.json`, JSON.stringify(shell.session));
  renameSync(`${tmp}.json`, `${file}.json`);
  renameSync(`${tmp}.state`, `${file}.state`);
  return shell;
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
