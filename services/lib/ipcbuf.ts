// ipcbuf.ts — the thread's IPC buffer (docs/SYSCALLS.md §2), a page at IPCBUF_VA: message words
// 4..63 (words 0..3 travel in registers), the capabilities a send carries, and the empty slot a
// received capability lands in.
//
// ```
// IPCBUF_VA + IPCBUF_MSG        msg[64]: u64   word i at + 8·i (0..3 unused: they are in X2..X5)
//           + IPCBUF_CAPS       caps[3]: u64   send: CPtrs of extra caps · receive: badges of unwrapped caps
//           + IPCBUF_RECV_SLOT  u64            CPtr of the empty slot for a received cap (0 = accept none)
// ```

import { IPCBUF_VA, IPCBUF_MSG, IPCBUF_CAPS, IPCBUF_RECV_SLOT } from "./abi";

/** Message word i (4..63) of the message just received. */
// @ts-ignore: decorator
@inline export function getMsg(i: i32): u64 { return load<u64>(IPCBUF_VA + IPCBUF_MSG + (<usize>i << 3)); }
/** Sets message word i (4..63) of the next send. */
// @ts-ignore: decorator
@inline export function setMsg(i: i32, v: u64): void { store<u64>(IPCBUF_VA + IPCBUF_MSG + (<usize>i << 3), v); }
/** Sets extra capability i (0..2) of the next send or method call (a CPtr). */
// @ts-ignore: decorator
@inline export function setCap(i: i32, cptr: u64): void { store<u64>(IPCBUF_VA + IPCBUF_CAPS + (<usize>i << 3), cptr); }
/** Extra capability slot i: after a receive, the badge of a capability that arrived unwrapped. */
// @ts-ignore: decorator
@inline export function getCap(i: i32): u64 { return load<u64>(IPCBUF_VA + IPCBUF_CAPS + (<usize>i << 3)); }
/** Names the empty slot where a capability received next lands (0 = accept none). */
// @ts-ignore: decorator
@inline export function setRecvSlot(cptr: u64): void { store<u64>(IPCBUF_VA + IPCBUF_RECV_SLOT, cptr); }
