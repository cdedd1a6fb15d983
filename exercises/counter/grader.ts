import { fail, pass, type ExerciseDef } from '../types';
import { callStudent, nums, show } from '../util';

const INCREMENT = 1, GET = 2;

const counter: ExerciseDef = {
  id: 'counter',
  title: 'Counter',
  grants: ['endpoint'],
  wrong: [
    { file: 'wrong-local.ts', reason: /INCREMENT number 2/ },
    { file: 'wrong-get.ts', reason: /GET/ },
  ],
  grade(ctx) {
    const ask = (label: number, what: string, want: number): string => {
      const r = callStudent(ctx, label, []);
      if (typeof r === 'string') return r;
      if (r.label !== 0n || nums(r).length !== 1 || nums(r)[0] !== want) return `${what} got label ${r.label}, words ${show(nums(r))}; expected label 0 and [${want}]`;
      return '';
    };
    let why = ask(GET, 'GET on a fresh counter', 0);
    if (why) return fail(why);
    for (let i = 1; i <= 3; i++) {
      why = ask(INCREMENT, `INCREMENT number ${i}`, i);
      if (why) return fail(why);
    }
    why = ask(GET, 'GET after three INCREMENTs', 3) || ask(GET, 'a second GET', 3);
    if (why) return fail(why);
    const r = callStudent(ctx, 9, []);
    if (typeof r === 'string') return fail(r);
    if (r.label !== 32n) return fail(`a request with label 9 (unknown) got label ${r.label}; reject it with label 32 (BAD_MESSAGE)`);
    return pass();
  },
};
export default counter;
