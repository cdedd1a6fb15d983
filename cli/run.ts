// `mlk run FILE.ts`: boots the system, compiles FILE.ts exactly as the build compiles a service
// (web/src/code/compile.ts), hands the binary to init through the playground agent and the shared
// code frame (web/src/code/program.ts), and then behaves as `mlk boot` (--input, --until,
// --until-idle, the limits, the exit codes). Compile errors are printed as FILE:LINE:COL and
// exit 1; a program init refuses (a malformed image, a name in use) exits 1 with the reason.

import { readFileSync } from 'node:fs';
import { createMachine, parseBootArgs, runInteractive, runPiped, runScripted, type BootArgs } from './boot';
import { compileInNode } from '../web/src/code/library-node';
import { formatDiagnostic } from '../web/src/code/compile';
import { CodeSession } from '../web/src/code/session';
import { grantBits, grantNames, PROGRAM_NAME } from '../web/src/code/program';

export interface RunArgs { file: string; grants: number; name: string; boot: BootArgs }


export function parseRunArgs(argv: string[]): RunArgs {
  const rest: string[] = [];
  let file = '';
  let grants = grantBits(['console']);
  let name = '';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--grant') {
      const v = argv[++i];
      if (v === undefined) throw new Error('--grant needs a value (e.g. console,vfs,endpoint)');
      grants = v === '' || v === 'none' ? 0 : grantBits(v.split(','));
    } else if (a === '--name') {
      const v = argv[++i];
      if (v === undefined || !PROGRAM_NAME.test(v)) throw new Error('--name needs a program name (a lower-case letter, then letters, digits or -, at most 16)');
      name = v;
    } else if (!a.startsWith('--') && !file) file = a;
    else rest.push(a);
  }
  if (!file) throw new Error('which file? usage: mlk run FILE.ts [--grant console,vfs,...] [mlk boot options]');
  return { file, grants, name: name || 'student', boot: parseBootArgs(rest) };
}

export async function runMain(argv: string[]): Promise<number> {
  let args: RunArgs;
  try {
    args = parseRunArgs(argv);
  } catch (e) {
    console.error(`mlk run: ${(e as Error).message}`);
    return 2;
  }
  let source: string;
  try {
    source = readFileSync(args.file, 'utf8');
  } catch (e) {
    console.error(`mlk run: cannot read ${args.file}: ${(e as Error).message}`);
    return 2;
  }
  const compiled = await compileInNode(source, args.name);
  for (const d of compiled.diagnostics) {
    console.error(formatDiagnostic(d.file === `services/${args.name}/main.ts` ? { ...d, file: args.file } : d));
  }
  if (!compiled.binary) {
    console.error(`mlk run: ${args.file} did not compile`);
    return 1;
  }
  const machine = await createMachine(args.boot.ramMiB, args.boot.disk, args.boot.check);
  const session = new CodeSession(machine);
  try {
    session.boot();
  } catch (e) {
    process.stdout.write(session.out);
    console.error(`\nmlk run: ${(e as Error).message}`);
    return 1;
  }
  const outcome = session.runProgram(compiled.binary, args.name, args.grants);
  process.stdout.write(session.out);
  if (outcome.err !== 0) {
    console.error(`\nmlk run: init did not start ${args.name}: ${outcome.errName} (the console output above names the reason)`);
    return 1;
  }
  console.error(`[mlk run] ${args.name} is tid ${outcome.tid} (${compiled.binary.length} bytes; grants: ${grantNames(args.grants).join(', ') || 'none'})`);
  const flagged = args.boot.until !== undefined || args.boot.untilIdle || args.boot.input !== '';
  const advance = (ticks: number) => machine.run(ticks);
  if (flagged) return runScripted(machine, args.boot, advance, session.out);
  return process.stdin.isTTY ? runInteractive(machine, advance) : runPiped(machine, args.boot, advance);
}
