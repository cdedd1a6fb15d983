import { fail, pass, type ExerciseDef } from '../types';
import { callStudent, nums, show } from '../util';

const PUT = 1, GET = 2;

const kv: ExerciseDef = {
  id: 'kv',
  title: 'Key–value store',
  grants: ['endpoint'],
  wrong: [
    { file: 'wrong-zero.ts', reason: /never PUT/ },
    { file: 'wrong-onekey.ts', reason: /GET 20/ },
  ],
  grade(ctx) {
    const r0 = callStudent(ctx, GET, [99]);
    if (typeof r0 === 'string') return fail(r0);
    if (r0.label !== 33n) return fail(`GET 99 (a key never PUT) got label ${r0.label}, words ${show(nums(r0))}; answer label 33 (NO_ENTRY)`);
    for (const [k, v] of [[10, 100], [20, 200], [30, 0], [10, 111]]) {
      const r = callStudent(ctx, PUT, [k, v]);
      if (typeof r === 'string') return fail(r);
      if (r.label !== 0n) return fail(`PUT ${k}, ${v} got label ${r.label}; expected 0`);
    }
    for (const [k, v] of [[10, 111], [20, 200], [30, 0]]) {
      const r = callStudent(ctx, GET, [k]);
      if (typeof r === 'string') return fail(r);
      if (r.label !== 0n || nums(r)[0] !== v) return fail(`GET ${k} got label ${r.label}, words ${show(nums(r))}; expected label 0 and [${v}] (after PUT 10,100 20,200 30,0 10,111)`);
    }
    const bad = callStudent(ctx, 5, []);
    if (typeof bad === 'string') return fail(bad);
    if (bad.label !== 32n) return fail(`a request with label 5 (unknown) got label ${bad.label}; reject it with label 32 (BAD_MESSAGE)`);
    return pass();
  },
};
export default kv;
