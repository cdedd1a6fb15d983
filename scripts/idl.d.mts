// Types for the parts of scripts/idl.mjs that TypeScript code imports.
export interface IdlError { name: string; code: number }
export interface Idl { errors: IdlError[]; [key: string]: unknown }
export function loadIdl(dir?: string): Idl;
export function loadManifest(path?: string): unknown;
export function generate(): void;
