import { fail, pass, type ExerciseDef, type GradeContext } from '../types';
import { errName } from '../../web/src/code/session';
import { capsOf, exitNote } from '../util';

/** Where the client program asks the kernel to put the capability of the CONNECT reply. */
const RECV_SLOT = 20;

/** Starts one client and waits for its report line: "broker-client TID: connect=E,L,N hello=E,L,W". */
function runClient(ctx: GradeContext, name: string): { tid: number; line: string } | string {
  const s = ctx.session;
  const from = s.out.length;
  const r = ctx.runHelper(name);
  if (r.err !== 0) return `the grader could not start its client ${name}: ${r.errName} (not your program's fault)`;
  const re = new RegExp(`broker-client ${r.tid}:([^\\r\\n]*)\\r?\\n`);
  s.runUntil(() => re.test(s.out.slice(from)), 2);
  const m = re.exec(s.out.slice(from));
  if (!m) return `a client called CONNECT and got no reply within 2 s: answer every Call (${exitNote(ctx)})`;
  return { tid: r.tid, line: m[1] };
}

const broker: ExerciseDef = {
  id: 'broker',
  title: 'Broker: badged, send-only capabilities',
  grants: ['endpoint'],
  helpers: [
    { name: 'helper-a', file: 'helper-client.ts', grants: ['peers', 'notification'] },
    { name: 'helper-b', file: 'helper-client.ts', grants: ['peers', 'notification'] },
  ],
  wrong: [
    { file: 'wrong-unbadged.ts', reason: /no badge/ },
    { file: 'wrong-rights.ts', reason: /rights RW/ },
    { file: 'wrong-samebadge.ts', reason: /same badge/ },
  ],
  grade(ctx) {
    const mine = capsOf(ctx.session, ctx.run.tid).find((c) => c.slot === 5);
    if (!mine) return fail('your program has no endpoint in slot 5 any more (did it delete it?)');
    const badges: number[] = [];
    for (const name of ['helper-a', 'helper-b']) {
      const c = runClient(ctx, name);
      if (typeof c === 'string') return fail(c);
      const connect = /connect=(\d+),(\S+),(\d+)/.exec(c.line);
      if (!connect) return fail(`a client could not reach your endpoint (${c.line.trim()}) (not your program's fault)`);
      if (connect[1] !== '0') return fail(`a client's CONNECT failed in the kernel: ${errName(Number(connect[1]))}`);
      if (connect[2] !== '0') return fail(`a client's CONNECT got label ${connect[2]}; reply with label 0 and one capability`);
      if (connect[3] === '0') return fail('a client\'s CONNECT got a reply without a capability: put its slot in setCap(0, slot) and reply with msgInfo(0, 1, 0)');
      // what the client actually holds, read from the kernel
      const cap = capsOf(ctx.session, c.tid).find((x) => x.slot === RECV_SLOT);
      if (!cap) return fail(`${name} holds no capability where its CONNECT reply put one (slot ${RECV_SLOT})`);
      if (cap.type !== mine.type || cap.object !== mine.object) return fail(`the capability ${name} received is a ${cap.type}, not a capability to your endpoint (slot 5)`);
      if (cap.badge === 0) return fail(`the capability ${name} received has no badge: you handed out your own unbadged capability; mint a copy with a badge of its own for each client`);
      if (cap.rights !== '-W-') {
        return fail(`the capability ${name} received has rights ${cap.rights.replace(/-/g, '')}: with Read a client could receive (steal) your other clients' messages${cap.rights.includes('G') ? ', with Grant pass capabilities' : ''}; mint it with R_WRITE only`);
      }
      if (badges.includes(cap.badge)) return fail(`both clients hold capabilities with the same badge ${cap.badge}: give each client a badge of its own, or you cannot tell them apart`);
      badges.push(cap.badge);
      const hello = /hello=(\d+),(\S+),(\S+)/.exec(c.line);
      if (!hello || hello[1] !== '0') return fail(`${name}'s HELLO through its new capability failed${hello ? `: ${errName(Number(hello[1]))}` : ''}: answer every Call`);
      if (hello[2] !== '0' || Number(hello[3]) !== cap.badge) {
        return fail(`${name}, whose capability has badge ${cap.badge}, said HELLO and got label ${hello[2]}, word ${hello[3]}; reply with label 0 and the badge the message came with (badge())`);
      }
    }
    return pass();
  },
};
export default broker;
