// A boot image with one more service: init has the manifest compiled in (services/gen/manifest.ts),
// so this builds, in build/custom-sys/<name>/, a copy of the services tree (symlinks) whose
// gen/manifest.ts has one more entry (and any other edit the test asks for), compiles init and the
// added service there (through the test cache), and returns the shipped boot image with that init
// and the service appended. The shipped manifest and build are not touched.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCpio, writeCpio } from '../../host/cpio.mjs';
import { EL0_ARGS, compileCached, root } from '../setup/asc-cache.mjs';

export interface ExtraService {
  /** Service and program name. */
  name: string;
  /** Its AssemblyScript source (compiled as services/<name>/main.ts, so it imports ../lib…). */
  source: string;
  /** Whether it serves an endpoint (SLOT_SELF) others may look up. */
  serves?: boolean;
  /** Names it may look up: alias → service. */
  uses?: Record<string, string>;
  /** Any further edit of the generated manifest (e.g. letting another service look it up). */
  editManifest?: (manifestTs: string) => string;
}

export async function imageWith(extra: ExtraService): Promise<Uint8Array> {
  const { name } = extra;
  const tree = join(root, 'build', 'custom-sys', name);
  rmSync(tree, { recursive: true, force: true });
  const svc = join(tree, 'services');
  mkdirSync(join(svc, 'gen'), { recursive: true });
  for (const e of ['lib', 'asconfig.json']) if (existsSync(join(root, 'services', e))) symlinkSync(join(root, 'services', e), join(svc, e));
  for (const f of readdirSync(join(root, 'services', 'gen'))) {
    if (f !== 'manifest.ts') symlinkSync(join(root, 'services', 'gen', f), join(svc, 'gen', f));
  }
  const entry = [`  s = new ServiceDef(); s.name = "${name}"; s.program = "${name}"; s.prio = 9; s.serves = ${extra.serves ?? false}; s.restartLimit = 0; s.autostart = true; s.args = "";`,
    ...Object.entries(extra.uses ?? {}).map(([a, t]) => `  s.uses.push("${a}"); s.uses.push("${t}");`), '  out.push(s);'].join('\n');
  let manifest = readFileSync(join(root, 'services', 'gen', 'manifest.ts'), 'utf8').replace('  return out;', `${entry}\n  return out;`);
  if (extra.editManifest) manifest = extra.editManifest(manifest);
  writeFileSync(join(svc, 'gen', 'manifest.ts'), manifest);
  mkdirSync(join(svc, 'init'));
  copyFileSync(join(root, 'services', 'init', 'main.ts'), join(svc, 'init', 'main.ts'));
  mkdirSync(join(svc, name));
  copyFileSync(extra.source, join(svc, name, 'main.ts'));
  const [init, service] = await Promise.all(['init', name].map((p) => compileCached(`services/${p}/main.ts`, EL0_ARGS, tree)));
  const shipped = readCpio(new Uint8Array(readFileSync(join(root, 'build', 'bootimage.cpio'))));
  const files = shipped.map((f) => (f.name === 'init.wasm' ? { name: f.name, data: init } : f));
  return writeCpio([...files, { name: `${name}.wasm`, data: service }]);
}
