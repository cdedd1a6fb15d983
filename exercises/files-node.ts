// files-node.ts — an exercise's files read from the repository (Node: `mlk grade`, the tests).
// The page's compiler Worker gets the same files bundled by Vite (web/src/code/compilerImpl.ts).
import { readFileSync } from 'node:fs';

export function readExerciseFile(id: string, file: string): string {
  return readFileSync(new URL(`./${id}/${file}`, import.meta.url), 'utf8');
}
