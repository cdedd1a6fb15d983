import { fail, pass, type ExerciseDef } from '../types';
import { callStudent, nums } from '../util';

/** The agent's CNode and its scratch slots (services/agent/main.ts), CNode Mint/Delete labels. */
const AGENT_CNODE = 2, SCRATCH = 48, CNODE_MINT = 17n, CNODE_DELETE = 19n, R_WRITE = 2n;
const MINTED_BADGE = 0x5eed;

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
    // the agent's own capability carries init's badge: the agent's pid (ki_json threads: "agent")
    const agent = s.threads().find((t) => t.name === 'agent') as { pid?: number; tid: number } | undefined;
    const agentBadge = agent?.pid ?? agent?.tid ?? -1;
    const first = callStudent(ctx, 3, [4242]);
    if (typeof first === 'string') return fail(first);
    if (nums(first)[0] !== agentBadge) {
      return fail(`a caller whose capability has badge ${agentBadge} got [${nums(first).join(', ')}]; reply with badge(), the badge of the capability used (label and words are the caller's choice)`);
    }
    // a badged copy of the same capability, minted by the agent as a broker would
    const minted = s.call(AGENT_CNODE, CNODE_MINT, [BigInt(SCRATCH), BigInt(ctx.run.slot), R_WRITE, BigInt(MINTED_BADGE)]);
    if (minted.err !== 0) return fail(`the grader could not mint a badged capability (error ${minted.err})`);
    const r = s.tryCall(SCRATCH, 3n, [4242n], 2);
    s.call(AGENT_CNODE, CNODE_DELETE, [BigInt(SCRATCH)]);
    if (r === null || r.err !== 0) return fail('no reply through a second, badged capability');
    if (Number(r.words[0] ?? -1n) !== MINTED_BADGE) {
      return fail(`a caller whose capability has badge ${MINTED_BADGE} got [${r.words.join(', ')}]; reply with the badge of the capability used`);
    }
    return pass();
  },
};
export default whoami;
