// Types for the parts of scripts/protocols.mjs that TypeScript code imports.
export interface IdlError { name: string; code: number }
export interface Idl { errors: IdlError[]; [key: string]: unknown }
export function loadIdl(dir?: string): Idl;
export function loadManifest(path?: string): unknown;
export function generate(): Map<string, string>;
