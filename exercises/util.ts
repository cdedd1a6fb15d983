// Helpers the graders share: calling the student's endpoint and describing what came back.
import type { AgentReply, CodeSession } from '../web/src/code/session';
import { errName } from '../web/src/code/session';
import type { GradeContext } from './types';
import { E_CANCELLED } from '../host/abi';
import { KI_VIEW, type KiCap } from '../host/kiViews';

/** The words of a reply as numbers (tests use small values). */
export const nums = (r: AgentReply): number[] => r.words.map((w) => Number(w));

/**
 * Calls the program's endpoint; a string saying what went wrong when no proper reply came: no
 * endpoint, a kernel error, or no reply within `seconds` of virtual time.
 */
export function callStudent(ctx: GradeContext, label: number, words: number[], seconds = 2): AgentReply | string {
  if (ctx.run.slot === 0) return 'the program has no endpoint to call (was it started with the endpoint grant?)';
  const r = ctx.session.tryCall(ctx.run.slot, BigInt(label), words.map(BigInt), seconds);
  if (r === null) return `no reply within ${seconds} s to a call with label ${label}: does your server answer every Call (Reply or ReplyRecv)?`;
  if (r.err === E_CANCELLED) return `the call with label ${label} was cancelled: your server received it but waited for the next message without replying; answer every Call (Reply or ReplyRecv)`;
  if (r.err !== 0) return `the call failed in the kernel: ${errName(r.err)} (did your program stop? ${exitNote(ctx)})`;
  return r;
}

/** init's log line about the program stopping, if any ("exited with status 0", a fault). */
export function exitNote(ctx: GradeContext): string {
  const m = ctx.session.out.slice(ctx.outFrom).match(new RegExp(`init: ${ctx.name} \\(tid \\d+\\) ([^\\r\\n]*)`));
  return m ? `init says: ${m[1]}` : 'init logged nothing about it';
}

export const show = (ws: number[]): string => `[${ws.join(', ')}]`;

/** One capability of a thread's CSpace as the kernel's introspection shows it (ki_json 1). */
export type CapView = KiCap;

/** The capabilities thread `tid` holds, read from the kernel (never from what the program says). */
export function capsOf(session: CodeSession, tid: number): CapView[] {
  return session.kernelInfo(KI_VIEW.CSPACE, tid)?.slots ?? [];
}
