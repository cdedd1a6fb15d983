import { boot, image, kernel } from '../tests/kernel/mlk';
const dir = '/work/main/bench/kernel-programs';
const which = process.argv[2] ?? 'ipc';
const names = which === 'ipc' ? ['ipc', 'ipcsrv'] : which === 'null' ? ['null'] : which === 'ntfn' ? ['ntfn', 'waiter'] : ['switch', 'yielder'];
kernel();
const b = await boot(await image(names, dir), { bootargs: 'mlk.trace=0' });
let t0 = 0, begun = false;
for (let g = 0; g < 100000; g++) {
  b.m.run(100_000);
  const log = b.out();
  if (!begun && log.includes('B\r\n')) { begun = true; t0 = performance.now(); }
  else if (begun && log.includes('E\r\n')) { console.log(which, ((performance.now() - t0) * 1e6 / 200000).toFixed(0), 'ns/op'); break; }
}
