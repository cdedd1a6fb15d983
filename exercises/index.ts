// The exercises, in the order a student meets them. Each folder holds statement.md, starter.ts,
// solution.ts, wrong-*.ts, hints.md and grader.ts (docs/EXERCISES.md "Adding an exercise").
import type { ExerciseDef } from './types';
import hello from './hello/grader';
import echo from './echo/grader';
import adder from './adder/grader';
import counter from './counter/grader';
import whoami from './whoami/grader';
import kv from './kv/grader';
import broker from './broker/grader';
import pager from './pager/grader';
import buffer from './buffer/grader';
import driver from './driver/grader';

export const EXERCISES: ExerciseDef[] = [hello, echo, adder, counter, whoami, kv, broker, pager, buffer, driver];

export function exerciseById(id: string): ExerciseDef | undefined {
  return EXERCISES.find((e) => e.id === id);
}
