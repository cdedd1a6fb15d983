import { register } from 'tsx/esm/api';
register();
const { benchKernel } = await import('/work/main/bench/kernel.ts');
await benchKernel();
