// library-node.ts — the compiler's inputs read from the repository, for Node (`mlk run`,
// `mlk grade`, tests): services/asconfig.json and every AssemblyScript file of the user library.
// The page's Worker gets the same files bundled by Vite (./compiler.worker.ts).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASCONFIG, LIBRARY_DIRS, compileService, type CompileResult, type LibraryFiles } from './compile';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let cached: LibraryFiles | null = null;

export function readLibrary(root = REPO_ROOT): LibraryFiles {
  if (cached && root === REPO_ROOT) return cached;
  const files: LibraryFiles = { [ASCONFIG]: readFileSync(join(root, ASCONFIG), 'utf8') };
  for (const dir of LIBRARY_DIRS) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs)) if (f.endsWith('.ts')) files[`${dir}/${f}`] = readFileSync(join(abs, f), 'utf8');
  }
  if (root === REPO_ROOT) cached = files;
  return files;
}

/** Compiles a student source in Node with the build's options and library. */
export async function compileInNode(source: string, name = 'student'): Promise<CompileResult> {
  const asc = await import('assemblyscript/asc');
  return compileService(asc as never, source, readLibrary(), name);
}
