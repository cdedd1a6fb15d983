// services/lib — what every user program links: the syscall ABI (sys), object methods (caps),
// console output and the abort handler (debug), and the boot-info page reader (bootinfo).
export * from "./sys";
export * from "./caps";
export * from "./debug";
export * from "./bootinfo";
