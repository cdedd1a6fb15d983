// Build step (scripts/build.mjs, after the boot image): boots the machine to the shell prompt on a
// blank disk and writes the booted state for the page's first visit (host/bootSnapshot.ts):
//   build/boot/<variant>.state  the state file (hw/snapshot-format.ts)
//   build/boot/<variant>.json   which boot it is, its state hash, and the boot log
// Two variants: `plain` (no boot arguments, the deployed page) and `check` (mlk.check=1, the page
// built for the browser tests); each also as `<variant>-repeat`: the boot on the disk the first
// boot left, which is what a repeat visit boots on when nothing was written meanwhile.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBootSnapshot } from '../host/bootSnapshot';

const build = join(import.meta.dirname, '..', 'build');
const kernel = new Uint8Array(readFileSync(join(build, 'kernel.wasm')));
const bootImage = new Uint8Array(readFileSync(join(build, 'bootimage.cpio')));
mkdirSync(join(build, 'boot'), { recursive: true });
for (const [variant, bootargs] of [['plain', ''], ['check', 'mlk.check=1']] as const) {
  const first = await makeBootSnapshot(kernel, bootImage, bootargs);
  const repeat = await makeBootSnapshot(kernel, bootImage, bootargs, first.diskAfter);
  for (const [name, { state, meta }] of [[variant, first], [`${variant}-repeat`, repeat]] as const) {
    writeFileSync(join(build, 'boot', `${name}.state`), state);
    writeFileSync(join(build, 'boot', `${name}.json`), `${JSON.stringify(meta)}\n`);
    console.error(`[build] boot snapshot ${name}: ${meta.instructions} instructions, ${state.length} bytes`);
  }
}
