// types.ts — what an exercise is and what its grader sees (docs/EXERCISES.md).
import type { CodeSession, RunOutcome } from '../web/src/code/session';

export type Verdict = { pass: true } | { pass: false; reason: string };

/** What a grader gets: the machine with the student's program just started, and how to reach it. */
export interface GradeContext {
  session: CodeSession;
  run: RunOutcome;
  /** The program's process name. */
  name: string;
  /** Where the UART output and the trace stood when the program was started. */
  outFrom: number;
  traceFrom: number;
  /**
   * Starts the exercise's helper program `name` (ExerciseDef.helpers: a client, a producer, …)
   * next to the student's, compiled beforehand from the exercise's folder; its tid, or why not.
   */
  runHelper(name: string): RunOutcome;
}

/** A program of the exercise's own that the grader starts beside the student's (e.g. its clients). */
export interface HelperDef {
  /** Its process name: `helper-a`, `helper-b` (few names, so init's process table is not filled). */
  name: string;
  /** Its source file in the exercise's folder. */
  file: string;
  grants: string[];
}

export interface ExerciseDef {
  id: string;
  title: string;
  /** The capabilities the program is started with (web/src/code/program.ts GRANTS). */
  grants: string[];
  /** Programs the grader starts next to the student's (ctx.runHelper). */
  helpers?: HelperDef[];
  /** The typical wrong solutions shipped beside the reference, with the reason the grader gives. */
  wrong: { file: string; reason: RegExp }[];
  /** Judges the running program from the machine: replies, UART output, trace, introspection. */
  grade(ctx: GradeContext): Verdict;
}

export const pass = (): Verdict => ({ pass: true });
export const fail = (reason: string): Verdict => ({ pass: false, reason });
