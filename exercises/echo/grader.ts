import { fail, pass, type ExerciseDef } from '../types';
import { callStudent, nums, show } from '../util';

const CASES = [[7], [1, 2, 3], [0xdead, 0xbeef, 42, 9]];

const echo: ExerciseDef = {
  id: 'echo',
  title: 'Echo server',
  grants: ['endpoint'],
  wrong: [
    { file: 'wrong-noreply.ts', reason: /without replying/ },
    { file: 'wrong-oneword.ts', reason: /expected \[1, 2, 3\]/ },
  ],
  grade(ctx) {
    for (const words of CASES) {
      const r = callStudent(ctx, 1, words);
      if (typeof r === 'string') return fail(r);
      if (r.label !== 0n) return fail(`the reply to ${show(words)} has label ${r.label}; expected label 0`);
      if (show(nums(r)) !== show(words)) return fail(`the reply to ${show(words)} was ${show(nums(r))}; expected ${show(words)}`);
    }
    return pass();
  },
};
export default echo;
