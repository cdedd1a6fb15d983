// `mlk wast FILE.wast...`: run WebAssembly spec scripts on the EL0 core (standalone harness) and print
// `FILE: N passed, N failed, N skipped[, N rejected by wabt][, N actions]` per file: only assertions count as
// passed (bare invoke/get actions are run and listed apart). Exit code 1 when anything failed.

import { runWastFile } from '../tools/el0/wast';

export async function wastMain(argv: string[]): Promise<number> {
  const verbose = argv.includes('-v') || argv.includes('--verbose');
  const files = argv.filter((a) => !a.startsWith('-'));
  if (files.length === 0) {
    console.error('usage: mlk wast [-v] FILE.wast...');
    return 2;
  }
  let bad = false;
  for (const f of files) {
    try {
      const r = await runWastFile(f);
      console.log(`${r.file}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.rejectedByWabt ? `, ${r.rejectedByWabt} rejected by wabt` : ''}${r.actions ? `, ${r.actions} actions` : ''}`);
      for (const x of r.failures) console.log(`  FAIL ${x}`);
      if (verbose) for (const x of r.skips) console.log(`  skip ${x}`);
      if (r.failed > 0) bad = true;
    } catch (e) {
      console.log(`${f}: error: ${(e as Error).message}`);
      bad = true;
    }
  }
  return bad ? 1 : 0;
}
