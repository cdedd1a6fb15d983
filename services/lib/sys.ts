// sys.ts — the system-call ABI for user programs (docs/SYSCALLS.md): numbers, registers, error
// codes, object types, rights, method labels, and thin wrappers around the `mlk.svc` import.
//
// A syscall is `svc(nr, X0..X5)`; it returns X0 (an error code, 0 = ok). After it, reg(1) is the
// message info (label << 12 | extraCaps << 7 | length), reg(2..5) MR0..MR3, reg(6) the badge.

// @ts-ignore: decorator
@external("mlk", "svc") export declare function svc(nr: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64;
// @ts-ignore: decorator
@external("mlk", "reg") export declare function reg(i: i32): i64;

// syscall numbers (X7)
export const SYS_CALL: i32 = 0;
export const SYS_SEND: i32 = 1;
export const SYS_NBSEND: i32 = 2;
export const SYS_RECV: i32 = 3;
export const SYS_NBRECV: i32 = 4;
export const SYS_REPLY: i32 = 5;
export const SYS_REPLY_RECV: i32 = 6;
export const SYS_YIELD: i32 = 7;
export const SYS_EXIT: i32 = 8;
export const SYS_DEBUG_PUTCHAR: i32 = 9;
export const SYS_DEBUG_PUTS: i32 = 10;
export const SYS_DEBUG_DUMP_CAPS: i32 = 11;
export const SYS_DEBUG_NAME: i32 = 12;

// errors (X0)
export const E_OK: i64 = 0;
export const E_INVALID_ARGUMENT: i64 = 1;
export const E_INVALID_CAPABILITY: i64 = 2;
export const E_ILLEGAL_OPERATION: i64 = 3;
export const E_RANGE: i64 = 4;
export const E_ALIGNMENT: i64 = 5;
export const E_FAILED_LOOKUP: i64 = 6;
export const E_TRUNCATED_MESSAGE: i64 = 7;
export const E_DELETE_FIRST: i64 = 8;
export const E_REVOKE_FIRST: i64 = 9;
export const E_NOT_ENOUGH_MEMORY: i64 = 10;
export const E_INSUFFICIENT_RIGHTS: i64 = 11;
export const E_WOULD_BLOCK: i64 = 12;
export const E_CANCELLED: i64 = 13;
export const E_BAD_IMAGE: i64 = 14;

// object types (Untyped.Retype MR0)
export const T_UNTYPED: i64 = 1;
export const T_ENDPOINT: i64 = 2;
export const T_NOTIFICATION: i64 = 3;
export const T_TCB: i64 = 5;
export const T_CNODE: i64 = 6;
export const T_VSPACE: i64 = 7;
export const T_FRAME: i64 = 8;

// rights
export const R_READ: i64 = 1;
export const R_WRITE: i64 = 2;
export const R_GRANT: i64 = 4;
export const R_ALL: i64 = 7;
export const MAP_EXEC: i64 = 8;

// method labels
export * from "../../kernel-as/object/methods";

// fault labels (message from the kernel on a fault endpoint)
export const FAULT_VM: u64 = 1;
export const FAULT_UNKNOWN_SYSCALL: u64 = 2;
export const FAULT_USER_EXCEPTION: u64 = 3;
export const FAULT_EXIT: u64 = 5;

// @ts-ignore: decorator
@inline export function msgInfo(label: u64, extraCaps: u32, length: u32): i64 {
  return <i64>((label << 12) | (<u64>(extraCaps & 3) << 7) | <u64>(length & 0x7f));
}

/** Results of the last syscall. */
// @ts-ignore: decorator
@inline export function infoLabel(): u64 { return <u64>reg(1) >> 12; }
// @ts-ignore: decorator
@inline export function infoLength(): u32 { return <u32>reg(1) & 0x7f; }
// @ts-ignore: decorator
@inline export function infoExtraCaps(): u32 { return (<u32>reg(1) >> 7) & 3; }
// @ts-ignore: decorator
@inline export function mr(i: i32): i64 { return reg(2 + i); }
// @ts-ignore: decorator
@inline export function badge(): i64 { return reg(6); }

// ---- the IPC buffer (VA 0x1000) ----------------------------------------------------------------
export const IPC_BUFFER: usize = 0x1000;
/** Message word i (i ≥ 4; words 0..3 travel in registers). */
// @ts-ignore: decorator
@inline export function getMsg(i: i32): u64 { return load<u64>(IPC_BUFFER + 8 + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline export function setMsg(i: i32, v: u64): void { store<u64>(IPC_BUFFER + 8 + (<usize>i << 3), v); }
/** Extra cap i of the next send (CPtr); on receive: badge of an unwrapped cap. */
// @ts-ignore: decorator
@inline export function setCap(i: i32, cptr: u64): void { store<u64>(IPC_BUFFER + 0x208 + (<usize>i << 3), cptr); }
// @ts-ignore: decorator
@inline export function getCap(i: i32): u64 { return load<u64>(IPC_BUFFER + 0x208 + (<usize>i << 3)); }
/** Empty slot for a received cap (0 = accept none). */
// @ts-ignore: decorator
@inline export function setRecvSlot(cptr: u64): void { store<u64>(IPC_BUFFER + 0x220, cptr); }

// ---- primitives ---------------------------------------------------------------------------------
export function call(cap: u64, info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): i64 {
  return svc(SYS_CALL, <i64>cap, info, m0, m1, m2, m3);
}
export function send(cap: u64, info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): i64 {
  return svc(SYS_SEND, <i64>cap, info, m0, m1, m2, m3);
}
export function nbsend(cap: u64, info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): i64 {
  return svc(SYS_NBSEND, <i64>cap, info, m0, m1, m2, m3);
}
export function recv(cap: u64): i64 { return svc(SYS_RECV, <i64>cap, 0, 0, 0, 0, 0); }
export function nbrecv(cap: u64): i64 { return svc(SYS_NBRECV, <i64>cap, 0, 0, 0, 0, 0); }
export function reply(info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): i64 {
  return svc(SYS_REPLY, 0, info, m0, m1, m2, m3);
}
export function replyRecv(cap: u64, info: i64, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0): i64 {
  return svc(SYS_REPLY_RECV, <i64>cap, info, m0, m1, m2, m3);
}
export function yieldCpu(): void { svc(SYS_YIELD, 0, 0, 0, 0, 0, 0); }
export function exit(code: i64): void { svc(SYS_EXIT, code, 0, 0, 0, 0, 0); }

/** Notifications: Signal = Send, Wait = Recv, Poll = NBRecv (the badge word comes back in reg(6)). */
export function signal(ntfn: u64): i64 { return send(ntfn, 0); }
export function wait(ntfn: u64): i64 { return recv(ntfn); }
export function poll(ntfn: u64): i64 { return nbrecv(ntfn); }

/** Calls a kernel object method: returns the error code; results in mr(0..3). */
export function invoke(cap: u64, label: u64, len: u32, m0: i64 = 0, m1: i64 = 0, m2: i64 = 0, m3: i64 = 0, extraCaps: u32 = 0): i64 {
  return svc(SYS_CALL, <i64>cap, msgInfo(label, extraCaps, len), m0, m1, m2, m3);
}
