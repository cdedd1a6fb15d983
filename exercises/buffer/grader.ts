import { fail, pass, type ExerciseDef, type GradeContext } from '../types';
import { errName } from '../../web/src/code/session';
import { CNTFRQ } from '../../hw/memmap';
import { callStudent, exitNote, nums, show } from '../util';
import type { KiThread } from '../../host/kiViews';

const PUT = 1, GET = 2, ITEMS = 8, CAPACITY = 4;
/** CPU time a server that blocks spends in 0.3 s of waiting: none; allow one 10 ms tick of noise. */
const SPIN_TICKS = CNTFRQ / 100;

function thread(ctx: GradeContext): KiThread | undefined {
  return ctx.session.threads().find((t) => t.tid === ctx.run.tid);
}

/** The report line of helper `tag` with thread id `tid` printed since `from`, or null. */
function lineOf(ctx: GradeContext, tag: string, tid: number, from: number): string | null {
  const m = new RegExp(`${tag} ${tid}: ([^\\r\\n]*)`).exec(ctx.session.out.slice(from));
  return m ? m[1] : null;
}

const buffer: ExerciseDef = {
  id: 'buffer',
  title: 'Bounded buffer: a producer and a consumer that wait',
  grants: ['endpoint'],
  helpers: [
    { name: 'helper-a', file: 'helper-producer.ts', grants: ['peers', 'notification'] },
    { name: 'helper-b', file: 'helper-consumer.ts', grants: ['peers', 'notification'] },
  ],
  wrong: [
    { file: 'wrong-lossy.ts', reason: /must wait/ },
    { file: 'wrong-busy.ts', reason: /busy/ },
  ],
  grade(ctx) {
    const s = ctx.session;
    // 1. a producer with nobody taking: the buffer fills and the producer waits; so does your thread
    const from = s.out.length;
    const p = ctx.runHelper('helper-a');
    if (p.err !== 0) return fail(`the grader could not start the producer: ${p.errName} (not your program's fault)`);
    const before = thread(ctx);
    if (!before) return fail(`your program is not running (${exitNote(ctx)})`);
    s.settle(0.3);
    const after = thread(ctx);
    if (!after) return fail(`your program stopped while the producer was putting items (${exitNote(ctx)})`);
    const spent = after.cpu_ticks - before.cpu_ticks;
    if (spent > SPIN_TICKS) {
      return fail(`your program used ${(spent / CNTFRQ * 1000).toFixed(0)} ms of CPU in 0.3 s while the producer waited and nothing else happened (state ${after.state}): it is busy-waiting; block in recv/replyRecv until a message comes`);
    }
    const produced = lineOf(ctx, 'buffer-producer', p.tid, from);
    if (produced === 'done') {
      return fail(`the producer put all ${ITEMS} items into a buffer of ${CAPACITY} while nobody took any: when the buffer is full the producer must wait — save its reply capability and reply only when a GET has made room (never drop an item)`);
    }
    if (produced !== null) return fail(`the producer's PUT was refused (${produced}); keep the item or make the producer wait, reply label 0`);
    // 2. the grader takes the items: oldest first, and the producer gets going again
    for (let i = 1; i <= ITEMS; i++) {
      const r = callStudent(ctx, GET, [], 1);
      if (typeof r === 'string') return fail(`GET number ${i}: ${r}`);
      if (r.label !== 0n || nums(r)[0] !== i) {
        return fail(`GET number ${i} got label ${r.label}, words ${show(nums(r))}; expected label 0 and [${i}] (items come out in the order they were PUT${i > CAPACITY ? `; item ${i} was PUT while the buffer was full: it must not be lost` : ''})`);
      }
    }
    s.runUntil(() => lineOf(ctx, 'buffer-producer', p.tid, from) !== null, 1);
    const done = lineOf(ctx, 'buffer-producer', p.tid, from);
    if (done !== 'done') return fail(`after all ${ITEMS} items were taken the producer is still waiting${done ? ` (${done})` : ''}: when a GET makes room, reply to the waiting producer (send on its saved reply capability)`);
    // 3. a consumer on the empty buffer waits, and gets the next item PUT
    const cFrom = s.out.length;
    const c = ctx.runHelper('helper-b');
    if (c.err !== 0) return fail(`the grader could not start the consumer: ${c.errName} (not your program's fault)`);
    s.settle(0.3);
    const early = lineOf(ctx, 'buffer-consumer', c.tid, cFrom);
    if (early !== null) return fail(`a GET on the empty buffer was answered at once (${early.replace('got=', 'error,label,word = ')}): the consumer must wait until an item is PUT`);
    const put = callStudent(ctx, PUT, [99], 1);
    if (typeof put === 'string') return fail(`a PUT while the consumer waited: ${put}`);
    if (put.label !== 0n) return fail(`a PUT while the consumer waited got label ${put.label}; expected 0`);
    s.runUntil(() => lineOf(ctx, 'buffer-consumer', c.tid, cFrom) !== null, 1);
    const got = lineOf(ctx, 'buffer-consumer', c.tid, cFrom);
    if (got === null) return fail('the consumer waiting on the empty buffer got nothing after an item was PUT: reply to it (send on its saved reply capability) with that item');
    const g = /got=(\d+),(\S+),(\S+)/.exec(got);
    if (!g || g[1] !== '0') return fail(`the waiting consumer's GET failed${g ? `: ${errName(Number(g[1]))}` : ''}`);
    if (g[2] !== '0' || g[3] !== '99') return fail(`the waiting consumer got label ${g[2]}, word ${g[3]}; expected label 0 and the item PUT, 99`);
    return pass();
  },
};
export default buffer;
