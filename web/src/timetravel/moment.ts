// The moment the machine is at, as the panels show it: after going back in time, the trace
// records from the machine's next sequence number on are the (known) future.

import type { TraceStore } from '../traceStore';
import type { TimeTravelStatus } from '../worker/protocol';

/**
 * The row of the latest message at or before the current moment, when the machine is in the past;
 * undefined when it is live (the list follows its end). `matches` are indices into the IPC index.
 */
export function messageAtMoment(t: TraceStore, matches: number[], tt: TimeTravelStatus | undefined): number | undefined {
  if (!tt || tt.seq >= tt.endSeq) return undefined;
  for (let k = matches.length - 1; k >= 0; k--) {
    const n = t.ipcAt(matches[k]);
    if (n >= 0 && t.seqAt(n) < tt.seq) return k;
  }
  return undefined;
}
