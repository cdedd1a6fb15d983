// `mlk grade --list` and `mlk grade EXERCISE FILE.ts`: boots a fresh machine, compiles FILE.ts as
// the build compiles a service, starts it with the exercise's grants and lets the exercise's
// grader judge what it does (exercises/, docs/EXERCISES.md). The last line is PASS or
// FAIL: <reason>; exit 0 on PASS, 1 on FAIL, 2 on a usage error.

import { readFileSync } from 'node:fs';
import { createMachine } from './boot';
import { compileInNode } from '../web/src/code/library-node';
import { CodeSession } from '../web/src/code/session';
import { EXERCISES, exerciseById } from '../exercises/index';
import { formatVerdict, gradeSource } from '../exercises/grade';
import { readExerciseFile } from '../exercises/files-node';

export async function gradeMain(argv: string[]): Promise<number> {
  if (argv[0] === '--list') {
    for (const e of EXERCISES) console.log(`${e.id.padEnd(10)} ${e.title}  (grants: ${e.grants.join(', ')})`);
    return 0;
  }
  const [id, file, ...extra] = argv;
  if (!id || !file || extra.length > 0) {
    console.error('usage: mlk grade --list | mlk grade EXERCISE FILE.ts');
    return 2;
  }
  const ex = exerciseById(id);
  if (!ex) {
    console.error(`mlk grade: no exercise '${id}' (mlk grade --list shows them)`);
    return 2;
  }
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    console.error(`mlk grade: cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  const session = new CodeSession(await createMachine());
  try {
    session.boot();
  } catch (e) {
    console.log(`FAIL: the system did not boot (${(e as Error).message}); not your program's fault`);
    return 1;
  }
  const verdict = await gradeSource(ex, source, compileInNode, session, readExerciseFile);
  console.log(formatVerdict(verdict));
  return verdict.pass ? 0 : 1;
}
