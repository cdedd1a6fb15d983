/// <reference lib="webworker" />
// The page's compiler Worker. Its handler is installed before anything else runs: the compiler
// (./compilerImpl.ts, with AssemblyScript and Binaryen) has top-level awaits, and a message that
// arrived while they were pending would find no handler and be lost.
import type { CompilerRequest } from './compilerImpl';
export type { CompilerReply, CompilerRequest } from './compilerImpl';

const impl = import('./compilerImpl');
self.onmessage = (e: MessageEvent<CompilerRequest>) => {
  void impl.then((m) => m.handle(e.data));
};
