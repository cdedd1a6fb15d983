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
    const out = ctx.session.text(ctx.outFrom).replace(/\r/g, '');
    // println goes through the kernel's debug output, straight to the UART: its line carries the
    // kernel's timestamp, and may follow the shell's prompt (the console cannot move it above)
    if (!out.split('\n').some((l) => l.replace(/^(mlk> )?\[[ \d.]+\] /, '') === LINE)) {
      return fail(`it did not print the line "${LINE}" (exactly that text, on a line of its own)`);
    }
    if (!exited.test(out)) return fail(`it printed the line but did not end within 0.5 s (${exitNote(ctx)})`);
    return pass();
  },
};
export default hello;
