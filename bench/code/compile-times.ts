// Cold and warm compile times of a 100-line service with the page's compile path in Node
// (web/src/code/compile.ts): `npx tsx bench/code/compile-times.ts`. Wall-clock figures for the
// reader (docs/EXERCISES.md "Figures"); nothing asserts on them.
import { readFileSync } from 'node:fs';
import { compileInNode } from '../../web/src/code/library-node';

const source = readFileSync(new URL('./service100.ts', import.meta.url), 'utf8');
const t0 = performance.now();
const cold = await compileInNode(source);
const coldMs = performance.now() - t0; // includes loading the compiler and Binaryen
if (!cold.binary) throw new Error(cold.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('\n'));
const warm: number[] = [];
for (let i = 0; i < 3; i++) warm.push((await compileInNode(source)).ms);
console.log(JSON.stringify({ lines: source.split('\n').length - 1, bytes: cold.binary.length, coldMs: Math.round(coldMs), warmMs: warm.map(Math.round) }));
