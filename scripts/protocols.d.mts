// Types for the parts of scripts/protocols.mjs that TypeScript code imports.
export interface IdlError { name: string; code: number }
export interface Idl { errors: IdlError[]; [key: string]: unknown }
export function loadIdl(dir?: string, errors?: IdlError[]): Idl;
export function loadManifest(path?: string): unknown;
export function generate(errors?: IdlError[]): Map<string, string>;
