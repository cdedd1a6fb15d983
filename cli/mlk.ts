// `mlk` — the command line. Subcommands: boot, run, grade, wast, bench, fuzz. See README.md for the contract.

import { bootMain } from './boot';

const USAGE = `usage:
  mlk boot                          boot interactively on this terminal (Ctrl-] quits)
  mlk boot --input TEXT --until TEXT [--max-instructions N] [--max-time SECONDS] [--trace FILE]
                                    [--disk IMAGE] [--ram MiB]
  mlk boot --input TEXT --until-idle [...]
  mlk boot ... [--save-state FILE] [--load-state FILE] [--print-state-hash] [--record FILE]
  mlk boot --replay FILE [--print-state-hash] [--save-state FILE]
                                    time travel: state files, the state hash, record/replay
  mlk boot --machines N [--input-K TEXT] [--pcap FILE] [--net-loss P] [--seed S] [...]
                                    N machines on one Ethernet switch; the terminal is machine 1
  mlk run FILE.ts [--grant console,vfs,timer,endpoint,notification] [--name NAME] [mlk boot options]
                                    boot, compile FILE.ts as the build compiles a service, start it
  mlk grade --list                  the exercises
  mlk grade EXERCISE FILE.ts        judge a solution: last line PASS or FAIL: reason; exit 0 / 1
  mlk wast FILE.wast...             run WebAssembly spec scripts on the EL0 core
  mlk bench                         run the benchmarks (tables on stdout, JSON in bench/results/)
  mlk fuzz --calls N --seed S [--check] [--skip-registers] [--verbose]
                                    seeded syscall fuzz campaign; one line of counts, exit 1 if any`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'boot':
      return bootMain(rest);
    case 'run': {
      const { runMain } = await import('./run');
      return runMain(rest);
    }
    case 'grade': {
      const { gradeMain } = await import('./grade');
      return gradeMain(rest);
    }
    case 'wast': {
      const { wastMain } = await import('./wast');
      return wastMain(rest);
    }
    case 'fuzz': {
      const { fuzzMain } = await import('./fuzz');
      return fuzzMain(rest);
    }
    case 'bench': {
      const { benchMain } = await import('../bench/main');
      return benchMain(rest);
    }
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return cmd === undefined ? 1 : 0;
    default:
      console.error(`mlk: unknown command '${cmd}'\n${USAGE}`);
      return 2;
  }
}
