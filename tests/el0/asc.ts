// Compiles AssemblyScript sources to .wasm with the asc JS API (for the EL0 tests and the EL0
// benchmark), through the content-keyed test cache, so nothing depends on a stale binary.
import { relative, resolve } from 'node:path';
import { compileCached, root } from '../setup/asc-cache.mjs';

export interface AscOptions { runtime?: 'stub' | 'minimal' | 'incremental'; optimize?: string; extra?: string[] }

export async function compileAs(path: string, opts: AscOptions = {}): Promise<Uint8Array> {
  const args = ['--runtime', opts.runtime ?? 'stub', opts.optimize ?? '-O3', '--noAssert', ...(opts.extra ?? [])];
  return compileCached(relative(root, resolve(path)), args);
}
