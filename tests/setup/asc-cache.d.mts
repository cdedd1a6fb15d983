// Types for tests/setup/asc-cache.mjs (plain JavaScript so that worker threads can load it).
export const root: string;
export const cacheDir: string;
/** The cached binary for (entry, args, cwd) if no file it read has changed since, else null. */
export function cached(entry: string, args?: string[], cwd?: string): Uint8Array<ArrayBuffer> | null;
/** Compiles (or takes from the cache) `entry` with the asc command-line `args`, relative to `cwd`. */
export function compileCached(entry: string, args?: string[], cwd?: string): Promise<Uint8Array<ArrayBuffer>>;
/** The asc arguments of an EL0 program: the services' flags (services/asconfig.json). */
export const EL0_ARGS: string[];
/** The asc arguments of a native harness (plain wasm run by the host, for unit tests). */
export const NATIVE_ARGS: string[];
