// "Export trace": the records the page holds, as Chrome trace-event JSON (host/chromeTrace.ts, the
// exporter `mlk boot --trace` uses too), with the thread tracks named from the kernel's thread table.

import { toChromeTrace } from '../../host/chromeTrace';
import { machine } from './machineClient';
import { KI_VIEW, threadNames } from './kernelViews';

export function traceJson(): string {
  const t0 = machine.intro({ what: KI_VIEW.THREADS, arg: 0 });
  return JSON.stringify(toChromeTrace(machine.trace.records(), t0?.ok ? threadNames(t0.json) : new Map()));
}

export function exportTrace(): void {
  const blob = new Blob([traceJson()], { type: 'application/json' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `mlk-trace-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
