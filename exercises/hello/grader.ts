import { fail, pass, type ExerciseDef } from '../types';
import { exitNote } from '../util';

const LINE = 'Hello, MyLittleKernel!';

const hello: ExerciseDef = {
  id: 'hello',
  title: 'Hello, MyLittleKernel',
  grants: ['console'],
  wrong: [
    { file: 'wrong-text.ts', reason: /did not print/ },
    { file: 'wrong-spin.ts', reason: /did not end/ },
  ],
  grade(ctx) {
    const exited = new RegExp(`init: ${ctx.name} \\(tid \\d+\\) exited with status`);
    ctx.session.runUntil(() => exited.test(ctx.session.out.slice(ctx.outFrom)), 0.5);
    const out = ctx.session.out.slice(ctx.outFrom).replace(/\r/g, '');
    if (!out.split('\n').some((l) => l.replace(/^\[[ \d.]+\] /, '') === LINE)) {
      return fail(`it did not print the line "${LINE}" (exactly that text, on a line of its own)`);
    }
    if (!exited.test(out)) return fail(`it printed the line but did not end within 0.5 s (${exitNote(ctx)})`);
    return pass();
  },
};
export default hello;
