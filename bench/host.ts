// Host baseline for the kernel benchmark: what a null system call (getppid) and a pipe round trip
// cost on this host, now, so MLK's figures can be read as ratios measured in the same run.
// bench/host/hostcalls.c is compiled with the host's C compiler when there is one (cc, gcc or
// clang, into build/bench/); otherwise bench/host/hostcalls.mjs measures the same in a Node child
// process (an upper bound: Node's own overhead is in both figures).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface HostBaseline {
  /** 'c': hostcalls.c compiled by `compiler`; 'node': the Node child-process equivalent */
  source: 'c' | 'node';
  compiler?: string;
  /** getppid(): wall-clock and process CPU time per call */
  syscallNs: number;
  syscallCpuNs: number;
  /** one byte there and back between two processes over two pipes, wall-clock */
  pipeRoundTripNs: number;
}

const here = fileURLToPath(new URL('./host/', import.meta.url));
const outDir = fileURLToPath(new URL('../build/bench/', import.meta.url));

function findCompiler(): string | null {
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang']) {
    if (!cc) continue;
    try { execFileSync(cc, ['--version'], { stdio: 'ignore' }); return cc; } catch { /* not this one */ }
  }
  return null;
}

function parse(out: string): { syscallNs: number; syscallCpuNs: number; pipeRoundTripNs: number } {
  const v = JSON.parse(out.trim().split('\n').pop() ?? '') as Record<string, unknown>;
  const { syscallNs, syscallCpuNs, pipeRoundTripNs } = v;
  if (typeof syscallNs !== 'number' || typeof syscallCpuNs !== 'number' || typeof pipeRoundTripNs !== 'number') throw new Error(`bench host: unexpected output ${out}`);
  return { syscallNs, syscallCpuNs, pipeRoundTripNs };
}

/** Runs the host baseline (about a second). `iterations` system calls per run, a quarter as many round trips. */
export function hostBaseline(iterations = 200_000): HostBaseline {
  const cc = findCompiler();
  if (cc) {
    mkdirSync(outDir, { recursive: true });
    const src = join(here, 'hostcalls.c'), bin = join(outDir, 'hostcalls');
    if (!existsSync(bin) || statSync(bin).mtimeMs < statSync(src).mtimeMs) execFileSync(cc, ['-O2', '-o', bin, src], { stdio: 'inherit' });
    return { source: 'c', compiler: cc, ...parse(execFileSync(bin, [String(iterations)], { encoding: 'utf8' })) };
  }
  const out = execFileSync(process.execPath, [join(here, 'hostcalls.mjs'), String(iterations)], { encoding: 'utf8' });
  return { source: 'node', ...parse(out) };
}
