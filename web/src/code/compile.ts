// compile.ts — compiles one student service with the AssemblyScript compiler, in memory, exactly as
// scripts/build.mjs compiles the bundled services: the same `services/asconfig.json` (release
// target) and the same user library, served from a virtual file system. The student's file sits
// at `services/<name>/main.ts`, so `import ... from "../lib"` resolves as it does for init or the
// shell. Used by `mlk run`/`mlk grade` (Node, library read from disk: ./library-node.ts) and by the
// page's compiler Worker (library bundled by Vite: ./compiler.worker.ts); this file touches
// neither the disk nor the DOM.

/** One compiler message, positioned in the student's source (1-based line and column). */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'info';
  message: string;
}

export interface CompileResult {
  /** The `.wasm` binary, or null when compilation failed (see diagnostics). */
  binary: Uint8Array | null;
  diagnostics: Diagnostic[];
  /** Wall-clock compile time in milliseconds (a figure for the reader, never asserted on). */
  ms: number;
}

/** Repository-relative path → text: `services/asconfig.json` and the library sources it may import. */
export type LibraryFiles = Record<string, string>;

/** The part of the `assemblyscript/asc` module this file uses. */
export interface AscModule {
  main(argv: string[], options: {
    readFile: (name: string, baseDir: string) => string | null;
    writeFile: (name: string, contents: Uint8Array | string, baseDir: string) => void;
    listFiles: (dir: string, baseDir: string) => string[] | null;
    reportDiagnostic: (d: AscDiagnostic) => void;
    stdout: AscStream;
    stderr: AscStream;
  }): Promise<{ error: Error | null }>;
}
interface AscStream { write(chunk: string | Uint8Array): void }
interface AscDiagnostic {
  category: number;
  message: string;
  range: { start: number; source?: { normalizedPath?: string } } | null;
}

/** Folders of the user library a student program may import (what services import). */
export const LIBRARY_DIRS = ['services/lib', 'services/gen'];
/** The compiler options file the build uses for every service. */
export const ASCONFIG = 'services/asconfig.json';
/** A student program's name: a process name init accepts (lower case, short). */
export const NAME_RE = /^[a-z][a-z0-9-]{0,15}$/;

/** The command line scripts/build.mjs gives asc for services/<name>/main.ts. */
export function ascArgs(name: string): string[] {
  return [`services/${name}/main.ts`, '--config', ASCONFIG, '--target', 'release', '-o', `services/${name}/main.wasm`];
}

const SEVERITY: Record<number, Diagnostic['severity']> = { 0: 'info', 1: 'info', 2: 'warning', 3: 'error' };

function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop(); else out.push(part);
  }
  return out.join('/');
}

/**
 * Compiles `source` as `services/<name>/main.ts` against `library`. Never throws for a bad
 * program: every problem comes back as a diagnostic (a compiler crash too, as one error at 1:1).
 */
export async function compileService(asc: AscModule, source: string, library: LibraryFiles, name = 'student'): Promise<CompileResult> {
  const t0 = performance.now();
  const main = `services/${name}/main.ts`;
  const files = new Map<string, string>(Object.entries(library).map(([k, v]) => [normalize(k), v]));
  files.set(main, source);
  let binary: Uint8Array | null = null;
  const diagnostics: Diagnostic[] = [];
  const stderr: string[] = [];
  try {
    const { error } = await asc.main(ascArgs(name), {
      readFile: (file, baseDir) => files.get(normalize(`${baseDir}/${file}`)) ?? null,
      writeFile: (file, contents, baseDir) => {
        if (normalize(`${baseDir}/${file}`).endsWith('.wasm') && typeof contents !== 'string') binary = contents;
      },
      listFiles: (dir, baseDir) => {
        const prefix = normalize(`${baseDir}/${dir}`) + '/';
        return [...files.keys()].filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes('/')).map((f) => f.slice(prefix.length));
      },
      reportDiagnostic: (d) => {
        let file = main, line = 1, column = 1;
        const path = d.range?.source?.normalizedPath;
        const text = path !== undefined ? files.get(path) : undefined;
        if (d.range && path !== undefined) file = path;
        if (d.range && text !== undefined) {
          const before = text.slice(0, d.range.start).split('\n');
          line = before.length;
          column = before[before.length - 1].length + 1;
        }
        let message = d.message;
        if (/Element 'services\/lib\/debug\/abort' not found/.test(message)) {
          message = 'the program must import the user library (e.g. import { debugPuts } from "../lib"): it provides the abort handler every service links';
        }
        diagnostics.push({ file, line, column, severity: SEVERITY[d.category] ?? 'error', message });
      },
      stdout: { write: () => {} },
      stderr: { write: (c) => { stderr.push(typeof c === 'string' ? c : new TextDecoder().decode(c)); } },
    });
    if (error && !diagnostics.some((d) => d.severity === 'error')) {
      diagnostics.push({ file: main, line: 1, column: 1, severity: 'error', message: error.message || stderr.join('').trim() || 'compilation failed' });
    }
    if (error) binary = null;
  } catch (e) {
    diagnostics.push({ file: main, line: 1, column: 1, severity: 'error', message: `compiler crashed: ${(e as Error).message ?? String(e)}` });
    binary = null;
  }
  return { binary, diagnostics, ms: performance.now() - t0 };
}

/** "services/student/main.ts:3:7: error: …" — the form a terminal and an editor both understand. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}
