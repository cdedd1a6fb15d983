// Trap codes of the EL0 WebAssembly core. A trap raises a synchronous exception with ESR EC 0x00
// (unknown reason) whose ISS is the code (docs/ARCHITECTURE.md, "EL0: the WebAssembly core").
// The messages are the spec testsuite's assert_trap texts.

export const TRAP = {
  UNREACHABLE: 1,
  DIV_ZERO: 2,
  INT_OVERFLOW: 3,
  INVALID_CONVERSION: 4,
  UNDEFINED_ELEMENT: 5,
  UNINITIALIZED_ELEMENT: 6,
  INDIRECT_TYPE_MISMATCH: 7,
  STACK_EXHAUSTED: 8,
  INVALID_PROGRAM: 9,
  OUT_OF_BOUNDS: 10,
  OUT_OF_BOUNDS_TABLE: 11,
  /** a register or a popped frame header the core cannot run from (docs/EL0.md, "Register validation") */
  INVALID_REGISTERS: 12,
  /** a JavaScript exception inside the core while it ran user code (a model bug the checks missed) */
  INTERNAL_ERROR: 13,
} as const;

export const TRAP_MESSAGE: Record<number, string> = {
  1: 'unreachable',
  2: 'integer divide by zero',
  3: 'integer overflow',
  4: 'invalid conversion to integer',
  5: 'undefined element',
  6: 'uninitialized element',
  7: 'indirect call type mismatch',
  8: 'call stack exhausted',
  9: 'invalid program image',
  10: 'out of bounds memory access',
  11: 'out of bounds table access',
  12: 'invalid register state',
  13: 'internal error in the EL0 core',
};

export function trapMessage(code: number): string {
  return TRAP_MESSAGE[code] ?? `trap ${code}`;
}
