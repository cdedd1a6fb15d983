// Limits of the EL0 core shared by the interpreter and the translation tier.

/** Frames on a thread's call stack before trap 8 (call stack exhausted). */
export const MAX_CALL_DEPTH = 50000;
