// Every exercise's grader passes its reference solution and fails each typical wrong solution with
// the reason it promises. One booted machine serves them all: each graded program replaces the
// previous one (proc.run), and the harness kills it afterwards, as `mlk grade` does on a fresh one.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMachine } from '../../cli/boot';
import { CodeSession } from '../../web/src/code/session';
import { compileInNode } from '../../web/src/code/library-node';
import { EXERCISES } from '../../exercises/index';
import { gradeSource } from '../../exercises/grade';
import { readExerciseFile } from '../../exercises/files-node';

let session: CodeSession;
const source = (id: string, file: string) => readFileSync(new URL(`../../exercises/${id}/${file}`, import.meta.url), 'utf8');

beforeAll(async () => {
  session = new CodeSession(await createMachine(64, undefined, true));
  session.boot();
}, 120_000);

describe('exercises', () => {
  it('there are at least six, each with a statement, a starter, hints and two wrong solutions', () => {
    expect(EXERCISES.length).toBeGreaterThanOrEqual(6);
    for (const e of EXERCISES) {
      for (const f of ['statement.md', 'starter.ts', 'hints.md', 'solution.ts']) expect(source(e.id, f).length, `${e.id}/${f}`).toBeGreaterThan(0);
      expect(e.wrong.length, e.id).toBeGreaterThanOrEqual(2);
    }
  });

  for (const ex of EXERCISES) {
    it(`${ex.id}: the solution passes, the wrong ones fail with their reason, the starter fails`, async () => {
      const ok = await gradeSource(ex, source(ex.id, 'solution.ts'), compileInNode, session, readExerciseFile);
      expect(ok).toEqual({ pass: true });
      for (const w of ex.wrong) {
        const v = await gradeSource(ex, source(ex.id, w.file), compileInNode, session, readExerciseFile);
        expect(v.pass, `${ex.id}/${w.file}`).toBe(false);
        if (!v.pass) expect(v.reason, `${ex.id}/${w.file}`).toMatch(w.reason);
      }
      const starter = await gradeSource(ex, source(ex.id, 'starter.ts'), compileInNode, session, readExerciseFile);
      expect(starter.pass, `${ex.id}/starter.ts`).toBe(false);
      expect(session.halted).toBe('');
    }, 400_000);
  }

  it('a program that does not compile fails with the line and column', async () => {
    const v = await gradeSource(EXERCISES[0], 'import { println } from "../lib";\nprintln(42);\n', compileInNode, session, readExerciseFile);
    expect(v.pass).toBe(false);
    if (!v.pass) expect(v.reason).toMatch(/does not compile: line 2, column 9/);
  });

  it('a malformed binary gets init\'s refusal with the loader\'s reason', () => {
    const noStart = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const r = session.runProgram(noStart, 'broken', 1);
    expect(r.errName).toBe('BAD_IMAGE');
    expect(session.out).toMatch(/loader: program image rejected: no functions/);
  });
});
