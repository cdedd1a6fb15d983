#!/usr/bin/env node
// Builds what the machine needs: `kernel` (kernel-as → build/kernel.wasm), `services`
// (services/<name>/main.ts → build/services/<name>.wasm, packed into build/bootimage.cpio in the
// order of services/manifest.json; then build/boot/*.state, the booted machine the page's first
// visit starts from: scripts/boot-snapshot.ts) and `site` (the static playground in dist/). A target is
// rebuilt only when one of its inputs is newer than its output. First, scripts/abi.mjs brings the
// generated ABI constants and protocol stubs up to date with abi/ (it rewrites only what changed),
// and scripts/el0-gen.ts the EL0 interpreter's opcode cases with hw/el0/opcodes.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCpio } from '../host/cpio.mjs';
import { compileAll } from './asc-pool.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const build = join(root, 'build');
const force = process.argv.includes('--force');

function newest(paths) {
  let t = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const s = statSync(p);
    if (s.isDirectory()) {
      t = Math.max(t, newest(readdirSync(p).filter((n) => n !== 'node_modules').map((n) => join(p, n))));
    } else t = Math.max(t, s.mtimeMs);
  }
  return t;
}
const stale = (out, inputs) => force || !existsSync(out) || newest(inputs) > statSync(out).mtimeMs;
const node = (args) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

/** The kernel's compile job, when build/kernel.wasm is stale. */
function kernelJobs() {
  const out = join(build, 'kernel.wasm');
  if (!stale(out, [join(root, 'kernel-as'), join(root, 'abi'), join(root, 'package-lock.json')])) return [];
  mkdirSync(build, { recursive: true });
  return [{ label: '[build] kernel-as → build/kernel.wasm', args: ['--config', 'kernel-as/asconfig.json', '--target', 'release'] }];
}

/** Service programs: every services/<name>/main.ts; shared code lives in services/lib. */
export function serviceNames() {
  const dir = join(root, 'services');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n !== 'lib' && existsSync(join(dir, n, 'main.ts'))).sort();
}

/** A compile job for each service whose build/services/<name>.wasm is stale. */
function serviceJobs() {
  const dir = join(root, 'services');
  const outDir = join(build, 'services');
  mkdirSync(outDir, { recursive: true });
  const common = [join(dir, 'lib'), join(dir, 'gen'), join(dir, 'asconfig.json'), join(root, 'package-lock.json')];
  return serviceNames().filter((name) => stale(join(outDir, `${name}.wasm`), [join(dir, name), ...common])).map((name) => ({
    label: `[build] services/${name} → build/services/${name}.wasm`,
    args: [relative(root, join(dir, name, 'main.ts')), '--config', 'services/asconfig.json', '--target', 'release', '-o', relative(root, join(outDir, `${name}.wasm`))],
  }));
}

function packBootImage() {
  const dir = join(root, 'services');
  const outDir = join(build, 'services');
  // The boot image: init first, then the rest in manifest order.
  const manifestPath = join(dir, 'manifest.json');
  const order = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')).boot.map((s) => s.name) : serviceNames();
  const files = order.filter((n) => existsSync(join(outDir, `${n}.wasm`)))
    .map((n) => ({ name: `${n}.wasm`, data: readFileSync(join(outDir, `${n}.wasm`)) }));
  if (existsSync(manifestPath)) files.push({ name: 'manifest.json', data: readFileSync(manifestPath) });
  // rewritten only when it changes: the boot snapshot below is rebuilt when it is newer
  const cpio = writeCpio(files);
  const cpioPath = join(build, 'bootimage.cpio');
  if (!existsSync(cpioPath) || !readFileSync(cpioPath).equals(cpio)) writeFileSync(cpioPath, cpio);
}

/**
 * The page's first visit starts from a snapshot of the booted machine (host/bootSnapshot.ts):
 * build/boot/*.state, made by a real boot of this kernel and boot image.
 */
function buildBootSnapshot() {
  const inputs = [join(build, 'kernel.wasm'), join(build, 'bootimage.cpio'), join(root, 'hw'), join(root, 'host', 'bootSnapshot.ts'), join(root, 'scripts', 'boot-snapshot.ts')];
  if (!existsSync(inputs[0]) || !existsSync(inputs[1])) return;
  if (!stale(join(build, 'boot', 'check.json'), inputs)) return;
  node(['--import', 'tsx', join(root, 'scripts', 'boot-snapshot.ts')]);
}

function buildSite() {
  const out = join(root, 'dist', 'index.html');
  if (!stale(out, [join(root, 'web'), join(root, 'hw'), join(root, 'host'), join(build, 'kernel.wasm'), join(build, 'bootimage.cpio'), join(build, 'boot'), join(root, 'vite.config.ts')])) return;
  console.error('[build] web → dist/');
  node([join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn']);
}

const targets = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// kernel-as/abi.ts, services/lib/abi.ts, host/abi.ts and services/gen/ from abi/ (and the manifest).
node([join(root, 'scripts', 'abi.mjs')]);
// hw/el0/core.ts's numeric and memory cases from the opcode table (hw/el0/opcodes.ts).
node(['--import', 'tsx', join(root, 'scripts', 'el0-gen.ts')]);
const wanted = targets.length ? targets : ['kernel', 'services', 'site'];
for (const t of wanted) if (!['kernel', 'services', 'site'].includes(t)) { console.error(`build: unknown target ${t}`); process.exit(2); }
// the kernel and the services compile side by side, one per core (scripts/asc-pool.mjs)
const jobs = [...(wanted.includes('kernel') ? kernelJobs() : []), ...(wanted.includes('services') ? serviceJobs() : [])];
try {
  await compileAll(jobs, root);
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
if (wanted.includes('services')) packBootImage();
if (wanted.includes('kernel') || wanted.includes('services')) buildBootSnapshot();
if (wanted.includes('site')) buildSite();
