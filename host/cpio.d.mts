// Types for host/cpio.mjs (plain JavaScript so that scripts/build.mjs can run it without TypeScript).
export interface CpioFile { name: string; data: Uint8Array }
/** Packs files into a newc archive, in the given order. */
export function writeCpio(files: { name: string; data: ArrayLike<number> | ArrayBuffer }[]): Uint8Array;
/** The files of a newc archive (views into `bytes`). */
export function readCpio(bytes: Uint8Array): CpioFile[];
