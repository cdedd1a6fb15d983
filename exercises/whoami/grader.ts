import { fail, pass, type ExerciseDef } from '../types';
import { callStudent, nums } from '../util';

const whoami: ExerciseDef = {
  id: 'whoami',
  title: 'Who is calling? (badges)',
  grants: ['endpoint'],
  wrong: [
    { file: 'wrong-label.ts', reason: /badge/ },
    { file: 'wrong-word.ts', reason: /badge/ },
  ],
  grade(ctx) {
    const s = ctx.session;
    // the agent's capability carries init's badge: the agent's pid, as init's `ps` lists it
    const ps = /^\s*(\d+)\s+agent\s/m.exec(s.shell('ps'));
    if (!ps) return fail('the grader could not find the agent in ps (not your program\'s fault)');
    const agentBadge = Number(ps[1]);
    // label and word chosen to differ from the badge, so a reply that echoes either is told apart
    for (const [label, word] of [[3, 4242], [agentBadge + 1, agentBadge + 2]]) {
      const r = callStudent(ctx, label, [word]);
      if (typeof r === 'string') return fail(r);
      if (nums(r).length !== 1 || nums(r)[0] !== agentBadge) {
        return fail(`a caller whose capability has badge ${agentBadge} (label ${label}, word ${word}) got [${nums(r).join(', ')}]; reply with badge(), the badge of the capability used (label and words are the caller's choice)`);
      }
    }
    return pass();
  },
};
export default whoami;
