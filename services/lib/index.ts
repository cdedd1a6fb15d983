// services/lib — the user library: what a program writes `import { … } from "../lib"` for
// (docs/USERLIB.md teaches it). One module per job:
export * from "./abi";       // the ABI constants, generated from abi/*.json (SYS_*, E_*, T_*, R_*, SLOT_*, …)
export * from "./sys";       // system calls: call, send, nbSend, recv, reply, replyRecv, signal, wait, exit, …
export * from "./ipcbuf";    // the IPC buffer: message words 4.., extra caps, the receive slot
export * from "./msg";       // Msg: a typed message (labels, words, strings, bytes, caps)
export * from "./ipc";       // moving a Msg: ipcCall, ipcSend, ipcNbSend, ipcRecv, ipcReplyRecv, …
export * from "./caps";      // kernel object methods: retype, cnodeCopy/Mint/Revoke, tcb*, frameMap, irq*, spawn
export * from "./slots";     // free slots of a service's CNode: allocSlot, freeSlot
export * from "./names";     // lookup("console"): a service's endpoint by name
export * from "./server";    // serve(ep, service): the server loop; heartbeats; garbage collection
export * from "./bootinfo";  // init's boot-info page: devices, Untyped, boot files
export * from "./timebase";  // the system counter (virtual time)
export * from "./logring";   // init's log ring, drained by the console: whole log lines, never waiting
export * from "./debug";     // print, println, printNum, setName, abort
export * from "./inet";      // parseIpv4, ipv4Text: addresses for the socket protocol
export * from "./sockets";   // sockOpen, sockAccept, sockClose: a socket is a capability
