// Compiles AssemblyScript sources to .wasm in memory with the asc JS API (for the EL0 tests and the
// EL0 benchmark), so nothing depends on a stale prebuilt binary.
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface AscOptions { runtime?: 'stub' | 'minimal' | 'incremental'; optimize?: string; extra?: string[] }

const cache = new Map<string, Uint8Array>();

export async function compileAs(path: string, opts: AscOptions = {}): Promise<Uint8Array> {
  const key = `${path}|${JSON.stringify(opts)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const asc = (await import('assemblyscript/asc')).default;
  const outputs = new Map<string, Uint8Array>();
  const name = basename(path);
  const dir = dirname(path);
  let stderr = '';
  const argv = [name, '--outFile', 'out.wasm', '--runtime', opts.runtime ?? 'stub', opts.optimize ?? '-O3', '--noAssert', ...(opts.extra ?? [])];
  const res = await asc.main(argv, {
    readFile: (f: string, base: string) => {
      try { return readFileSync(`${base === '.' || !base ? dir : base}/${f}`, 'utf8'); } catch { return null; }
    },
    writeFile: (f: string, contents: Uint8Array | string) => {
      outputs.set(f, typeof contents === 'string' ? new TextEncoder().encode(contents) : contents);
    },
    listFiles: () => [],
    stderr: { write: (s: string | Uint8Array) => { stderr += typeof s === 'string' ? s : new TextDecoder().decode(s); return true; } } as never,
    stdout: { write: () => true } as never,
  });
  if (res.error) throw new Error(`asc ${path}: ${res.error.message}\n${stderr}`);
  const wasm = outputs.get('out.wasm');
  if (!wasm) throw new Error(`asc ${path}: no output\n${stderr}`);
  cache.set(key, wasm);
  return wasm;
}
