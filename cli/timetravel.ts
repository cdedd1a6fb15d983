// `mlk boot`'s time-travel options (docs/TIMETRAVEL.md): --load-state, --save-state,
// --print-state-hash, --record, --replay.

import { readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from '../hw/machine';
import { captureState, restoreState, type MachineState } from '../hw/snapshot';
import { decodeStateFile, encodeStateFile, stateHash } from '../hw/snapshot-format';
import { Recorder, decodeRecording, encodeRecording, replay } from '../host/timetravel-record';
import type { BootArgs } from './boot';
import { createMachine } from './boot';

export interface LoadedState {
  state: MachineState;
  ramMiB: number;
  diskSectors: number;
}

/** Reads and checks a state file; the machine is then built to its RAM and disk size. */
export async function openStateForBoot(path: string): Promise<LoadedState> {
  let file: Uint8Array;
  try {
    file = new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new Error(`--load-state: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const { state } = await decodeStateFile(file);
    return { state, ramMiB: state.ramSize / 2 ** 20, diskSectors: state.diskSectors };
  } catch (e) {
    throw new Error(`--load-state ${path}: ${(e as Error).message}`);
  }
}

/** Loads the state (if any) into the new machine and starts recording (if asked). */
export async function startTimeTravel(m: Machine, args: BootArgs, loaded: LoadedState | null): Promise<Recorder | null> {
  if (loaded) {
    try {
      restoreState(m, loaded.state);
    } catch (e) {
      throw new Error(`--load-state ${args.loadState}: ${(e as Error).message}`);
    }
  }
  return args.record !== undefined ? new Recorder(m) : null;
}

/**
 * After the run: writes the recording and the state file, then prints the state hash as the last
 * line of stderr. A failure to write turns the exit code to 1.
 */
export async function finishTimeTravel(m: Machine, args: BootArgs, recorder: Recorder | null, code: number): Promise<number> {
  try {
    if (recorder && args.record) writeFileSync(args.record, encodeRecording(await recorder.finish()));
    if (args.saveState) writeFileSync(args.saveState, await encodeStateFile(captureState(m)));
  } catch (e) {
    console.error(`mlk boot: ${(e as Error).message}`);
    code = 1;
  }
  if (args.printStateHash) console.error(`state-hash: ${stateHash(m)}`);
  return code;
}

/** `mlk boot --replay FILE`: the recorded run again, its UART output on stdout; exit 1 unless the final hash matches. */
export async function replayMain(args: BootArgs): Promise<number> {
  let m: Machine;
  let code = 0;
  try {
    const rec = decodeRecording(new Uint8Array(readFileSync(args.replay!)));
    const { state } = await decodeStateFile(rec.start);
    m = await createMachine(state.ramSize / 2 ** 20, undefined, args.check, state.diskSectors);
    m.on('uart', (bytes) => process.stdout.write(bytes));
    const r = await replay(m, rec);
    if (!r.exact) {
      console.error(`\nmlk boot: replay diverged: final state hash ${r.hash}, the recording ends at ${rec.endHash}`);
      code = 1;
    }
  } catch (e) {
    console.error(`mlk boot: --replay ${args.replay}: ${(e as Error).message}`);
    return 1;
  }
  return finishTimeTravel(m, args, null, code);
}
