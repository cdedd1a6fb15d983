// sys.ts — the system-call ABI for user programs (docs/SYSCALLS.md): the generated constants
// (./abi.ts) and thin wrappers around the `mlk.svc` import.
//
// A syscall is `svc(nr, X0..X5)`; it returns X0 (an error code, 0 = ok). After it, reg(1) is the
// message info (label << 12 | extraCaps << 7 | length), reg(2..5) MR0..MR3, reg(6) the badge.

// @ts-ignore: decorator
@external("mlk", "svc") export declare function svc(nr: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64;
// @ts-ignore: decorator
@external("mlk", "reg") export declare function reg(i: i32): i64;

// The ABI constants (SYS_*, E_*, T_*, R_*, MAP_EXEC, method labels, F_* fault labels, MI_*, IPCBUF_*,
// SLOT_*, BI_*) are declared in abi/ and generated into ./abi.ts by scripts/abi.mjs.
export * from "./abi";
import {
  SYS_CALL, SYS_SEND, SYS_NBSEND, SYS_RECV, SYS_NBRECV, SYS_REPLY, SYS_REPLY_RECV, SYS_YIELD, SYS_EXIT,
  MI_LABEL_SHIFT, MI_EXTRA_CAPS_SHIFT, MI_EXTRA_CAPS_MASK, MI_LENGTH_MASK, IPCBUF_VA, IPCBUF_MSG, IPCBUF_CAPS, IPCBUF_RECV_SLOT,
} from "./abi";

// @ts-ignore: decorator
@inline export function msgInfo(label: u64, extraCaps: u32, length: u32): i64 {
  return <i64>((label << MI_LABEL_SHIFT) | (<u64>(extraCaps & MI_EXTRA_CAPS_MASK) << MI_EXTRA_CAPS_SHIFT) | <u64>(length & MI_LENGTH_MASK));
}

/** Results of the last syscall. */
// @ts-ignore: decorator
@inline export function infoLabel(): u64 { return <u64>reg(1) >> MI_LABEL_SHIFT; }
// @ts-ignore: decorator
@inline export function infoLength(): u32 { return <u32>reg(1) & MI_LENGTH_MASK; }
// @ts-ignore: decorator
@inline export function infoExtraCaps(): u32 { return (<u32>reg(1) >> MI_EXTRA_CAPS_SHIFT) & MI_EXTRA_CAPS_MASK; }
// @ts-ignore: decorator
@inline export function mr(i: i32): i64 { return reg(2 + i); }
// @ts-ignore: decorator
@inline export function badge(): i64 { return reg(6); }

// ---- the IPC buffer (at IPCBUF_VA) --------------------------------------------------------------
/** Message word i (i ≥ 4; words 0..3 travel in registers). */
// @ts-ignore: decorator
@inline export function getMsg(i: i32): u64 { return load<u64>(IPCBUF_VA + IPCBUF_MSG + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline export function setMsg(i: i32, v: u64): void { store<u64>(IPCBUF_VA + IPCBUF_MSG + (<usize>i << 3), v); }
/** Extra cap i of the next send (CPtr); on receive: badge of an unwrapped cap. */
// @ts-ignore: decorator
@inline export function setCap(i: i32, cptr: u64): void { store<u64>(IPCBUF_VA + IPCBUF_CAPS + (<usize>i << 3), cptr); }
// @ts-ignore: decorator
@inline export function getCap(i: i32): u64 { return load<u64>(IPCBUF_VA + IPCBUF_CAPS + (<usize>i << 3)); }
/** Empty slot for a received cap (0 = accept none). */
// @ts-ignore: decorator
@inline export function setRecvSlot(cptr: u64): void { store<u64>(IPCBUF_VA + IPCBUF_RECV_SLOT, cptr); }

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
