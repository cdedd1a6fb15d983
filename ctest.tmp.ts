import { readFileSync } from 'node:fs';
import { createMachine } from './cli/boot.ts';
import { CodeSession } from './web/src/code/session.ts';
import { compileInNode } from './web/src/code/library-node.ts';
import { EXERCISES } from './exercises/index.ts';
import { gradeSource, formatVerdict } from './exercises/grade.ts';
const only = process.argv[2];
for (const ex of EXERCISES) {
  if (only && ex.id !== only) continue;
  const t = performance.now();
  const s = new CodeSession(await createMachine(64, undefined, true));
  s.boot();
  for (const f of ['solution.ts', ...ex.wrong.map((w) => w.file)]) {
    const v = await gradeSource(ex, readFileSync(`exercises/${ex.id}/${f}`, 'utf8'), compileInNode, s);
    console.log(ex.id, f, formatVerdict(v));
  }
  console.log(ex.id, 'ms', Math.round(performance.now() - t));
}
