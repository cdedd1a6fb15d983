// A boot image with one more service: init has the manifest compiled in (services/gen/manifest.ts),
// so this builds, in build/custom-sys/<name>/, a copy of the services tree (symlinks) whose
// gen/manifest.ts has one more entry (and any other edit the test asks for), compiles init and the
// added service there, and returns the shipped boot image with that init and the service appended.
// The shipped manifest and build are not touched.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readCpio, writeCpio } from '../../host/cpio.mjs';
import { root } from './asc';

const run = promisify(execFile);

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
  const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  const build = (p: string) => run(process.execPath, [asc, `services/${p}/main.ts`, '--config', 'services/asconfig.json', '--target', 'release', '-o', `${p}.wasm`], { cwd: tree });
  await Promise.all([build('init'), build(name)]);
  if (!existsSync(join(tree, `${name}.wasm`))) throw new Error(`${name} did not build`);
  const shipped = readCpio(new Uint8Array(readFileSync(join(root, 'build', 'bootimage.cpio'))));
  const files = shipped.map((f) => (f.name === 'init.wasm' ? { name: f.name, data: new Uint8Array(readFileSync(join(tree, 'init.wasm'))) } : f));
  return writeCpio([...files, { name: `${name}.wasm`, data: new Uint8Array(readFileSync(join(tree, `${name}.wasm`))) }]);
}
