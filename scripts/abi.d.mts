// Types for the parts of scripts/abi.mjs that TypeScript code imports.
export interface AbiDecl { groups: unknown[]; errors: { name: string; code: number; doc: string }[]; trace: { kinds: unknown[]; boot_stages: unknown[] } }
export function loadAbi(read?: (path: string) => any): AbiDecl;
export function generate(read?: (path: string) => any): Map<string, string>;
