// The kernel's trace record kinds, as kernel-as/trace-kinds.json lists them (the kernel defines
// them; this file only looks them up by name). Kinds a kernel has not defined yet are absent,
// and the features built on them say so instead of guessing.

import kindsJson from '../../kernel-as/trace-kinds.json';
import type { TraceKind } from '../../hw/trace-export';

export const TRACE_KINDS: TraceKind[] = kindsJson as TraceKind[];

const byName = new Map(TRACE_KINDS.map((k) => [k.name, k]));
const byKind = new Map(TRACE_KINDS.map((k) => [k.kind, k]));

export const kindOf = (name: string): number | undefined => byName.get(name)?.kind;
export const kindInfo = (kind: number): TraceKind | undefined => byKind.get(kind);
export const kindName = (kind: number): string => byKind.get(kind)?.name ?? `kind ${kind}`;

/** Index of a named argument of a kind, or -1. */
export function argIndex(kind: number, arg: string): number {
  return byKind.get(kind)?.args.indexOf(arg) ?? -1;
}

/** Kinds of one family, those the kernel defines. */
function family(names: string[]): Set<number> {
  return new Set(names.map(kindOf).filter((k): k is number => k !== undefined));
}

export const IPC_KINDS = family(['IPC_SEND', 'IPC_RECV', 'IPC_REPLY', 'FASTPATH', 'SIGNAL']);
export const FAULT_KINDS = family(['FAULT']);
export const SWITCH_KINDS = family(['SWITCH']);
export const CAP_KINDS = family(['CAP_OP']);
export const SYSCALL_KINDS = family(['SYSCALL']);
