// Limits of the EL0 core shared by the interpreter and the translation tier. Register values beyond
// them are trap 12 (invalid register state), checked before anything is allocated for them.

/** Frames on a thread's call stack before trap 8 (call stack exhausted). */
export const MAX_CALL_DEPTH = 50000;

/** Largest program image (IMGLEN) the core decodes: 16 MiB (the services are tens of KiB). */
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024;

/** Largest stack region (SPLIM - stack base) the core runs on: 16 MiB (the kernel gives 256 KiB). */
export const MAX_STACK_BYTES = 16 * 1024 * 1024;

/** Largest linear memory (MEMPAGES, MEMMAX) in 64 KiB pages: 4 GiB, the 32-bit address space. */
export const MAX_MEM_PAGES = 65536;
