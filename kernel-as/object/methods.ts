// methods.ts — method labels: the label of a Call on a kernel object's capability selects the
// method (docs/SYSCALLS.md §4). Part of the user-visible ABI: the kernel (object/structures.ts)
// and the user library (services/lib/sys.ts) both re-export this one file.

export const UNTYPED_RETYPE: u64 = 1;
export const CNODE_COPY: u64 = 16;
export const CNODE_MINT: u64 = 17;
export const CNODE_MOVE: u64 = 18;
export const CNODE_DELETE: u64 = 19;
export const CNODE_REVOKE: u64 = 20;
export const CNODE_SAVE_CALLER: u64 = 21;
export const TCB_CONFIGURE: u64 = 32;
export const TCB_SET_PRIORITY: u64 = 33;
export const TCB_RESUME: u64 = 34;
export const TCB_SUSPEND: u64 = 35;
export const TCB_WRITE_REGISTERS: u64 = 36;
export const TCB_READ_REGISTERS: u64 = 37;
export const TCB_BIND_NOTIFICATION: u64 = 38;
export const TCB_UNBIND_NOTIFICATION: u64 = 39;
export const TCB_SET_FAULT_HANDLER: u64 = 40;
export const TCB_SET_NAME: u64 = 41;
export const VSPACE_ADD_REGION: u64 = 48;
export const VSPACE_UNMAP: u64 = 49;
export const VSPACE_SET_QUOTA: u64 = 50;
export const FRAME_MAP: u64 = 56;
export const FRAME_UNMAP: u64 = 57;
export const FRAME_GET_ADDRESS: u64 = 58;
export const IRQ_CONTROL_GET: u64 = 64;
export const IRQ_HANDLER_SET_NOTIFICATION: u64 = 72;
export const IRQ_HANDLER_ACK: u64 = 73;
export const IRQ_HANDLER_CLEAR: u64 = 74;
export const IRQ_HANDLER_SET_DEADLINE: u64 = 75;
export const BOOT_IMAGE_SPAWN: u64 = 80;
export const BOOT_IMAGE_INFO: u64 = 81;
export const IOSPACE_MAP: u64 = 88;
export const IOSPACE_UNMAP: u64 = 89;
