import { fail, pass, type ExerciseDef } from '../types';
import { callStudent, nums, show } from '../util';

const adder: ExerciseDef = {
  id: 'adder',
  title: 'Adder',
  grants: ['endpoint'],
  wrong: [
    { file: 'wrong-twowords.ts', reason: /ADD \[1, 2, 3, 4\]/ },
    { file: 'wrong-nolabel.ts', reason: /label 7/ },
  ],
  grade(ctx) {
    for (const words of [[2, 3], [5], [1, 2, 3, 4], [100, 0, 23]]) {
      const r = callStudent(ctx, 1, words);
      if (typeof r === 'string') return fail(r);
      const want = words.reduce((a, b) => a + b, 0);
      if (r.label !== 0n || nums(r).length !== 1 || nums(r)[0] !== want) {
        return fail(`ADD ${show(words)} got label ${r.label}, words ${show(nums(r))}; expected label 0 and [${want}]`);
      }
    }
    const r = callStudent(ctx, 7, [1, 2]);
    if (typeof r === 'string') return fail(r);
    if (r.label !== 32n) return fail(`a request with label 7 (unknown) got label ${r.label}; reject it with label 32 (BAD_MESSAGE)`);
    return pass();
  },
};
export default adder;
