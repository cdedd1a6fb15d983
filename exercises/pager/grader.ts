import { fail, pass, type ExerciseDef } from '../types';
import { TRACE } from '../../web/src/code/session';
import { exitNote } from '../util';
import { KI_VIEW } from '../../host/kiViews';
import { F_VM } from '../../host/abi';

/** What the client reads back when every page was mapped where it faulted: 0x1111 + 0x2222 + 0x3333. */
const SUM = 0x6666;
/** The pages the client touches, in order. */
const PAGES = [0x8000, 0xb000];
const hex = (n: number) => `0x${n.toString(16)}`;

const pager: ExerciseDef = {
  id: 'pager',
  title: 'Pager: resolve a client\'s page faults',
  grants: ['endpoint', 'pager'],
  helpers: [{ name: 'helper-a', file: 'helper-client.ts', grants: ['paged', 'notification'] }],
  wrong: [
    { file: 'wrong-page.ts', reason: /faulted at 0x8000 \d+ times/ },
    { file: 'wrong-noreply.ts', reason: /reply to the fault/ },
  ],
  grade(ctx) {
    const s = ctx.session;
    const from = s.out.length;
    const traceFrom = s.trace.length;
    const c = ctx.runHelper('helper-a');
    if (c.err !== 0) return fail(`the grader could not start the client: ${c.errName} (${exitNote(ctx)})`);
    const re = new RegExp(`paged-client ${c.tid}: sum=(\\d+)`);
    s.runUntil(() => re.test(s.out.slice(from)), 1);
    const m = re.exec(s.out.slice(from));
    // the client's faults, as the kernel traced them (kind 1 = VM fault, handled 1 = sent to you)
    const faults = s.records(TRACE.FAULT, traceFrom).filter((r) => r.args[0] === c.tid && r.args[1] === F_VM);
    const at = (page: number) => faults.filter((r) => (r.args[2] & ~0xfff) === page && r.args[3] === 0).length;
    const space = s.kernelInfo(KI_VIEW.VSPACE, c.tid);
    const mapped = (space?.pages ?? []).map((p) => parseInt(p.va, 16)).filter((va) => va >= 0x4000 && va < 0x10000);
    const mappedText = mapped.length ? mapped.map(hex).join(', ') : 'nothing';
    if (faults.length === 0) return fail(`the client never faulted (not your program's fault: ${exitNote(ctx)})`);
    for (const page of PAGES) {
      const n = at(page);
      if (n > 1) {
        return fail(`the client faulted at ${hex(page)} ${n} times: after your reply the page was still not mapped there (the kernel shows ${mappedText} mapped in its 0x4000-0xffff window); map the frame at the faulting address rounded down to its page (FAR & ~0xfff) in the client's address space (slot 8)`);
      }
    }
    if (!m) {
      const last = faults[faults.length - 1];
      const va = last.args[2];
      return fail(`the client is still stopped at its fault at ${hex(va)} 1 s later (mapped: ${mappedText}): reply to the fault message with label 0 to restart it at the faulting instruction`);
    }
    if (Number(m[1]) !== SUM) return fail(`the client read back ${m[1]} instead of ${SUM}: the words it wrote were not there when it read them`);
    for (const page of PAGES) {
      if (!mapped.includes(page)) return fail(`the kernel does not show page ${hex(page)} mapped in the client (mapped: ${mappedText})`);
    }
    return pass();
  },
};
export default pager;
