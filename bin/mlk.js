#!/usr/bin/env node
// The `mlk` command. The machine and the CLI are TypeScript; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/mlk.ts');
process.exitCode = await main(process.argv.slice(2));
