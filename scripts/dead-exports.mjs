#!/usr/bin/env node
// Lists the exported names of kernel-as/** that nothing else refers to: neither another kernel file
// nor the host (hw/, host/, web/, cli/, tests/, bench/, scripts/ call the kernel's wasm exports by
// name, e.g. `exports.ki_json`). The wasm exports of the entry file (kernel-as/main.ts) are listed
// only when the host never names them. The generated ABI (kernel-as/abi.ts) is left out: it
// declares every constant of abi/, used or not.
//
// Top-level names that are not exported are listed when their own file never uses them.
//
//   node scripts/dead-exports.mjs          prints one `file: name` line per dead name
//   node scripts/dead-exports.mjs --local  also lists exports used only inside their own file
//   node scripts/dead-exports.mjs --check  exits 1 when there is a dead name

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const kernelDir = join(root, 'kernel-as');
const hostDirs = ['hw', 'host', 'web', 'cli', 'tests', 'bench', 'scripts', 'services'];
const SKIP = new Set(['node_modules', 'build', 'dist', '.git']);

function files(dir, exts) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, exts));
    else if (exts.some((e) => name.endsWith(e))) out.push(p);
  }
  return out;
}

/** The source with comments and string contents blanked, so a name in prose does not count. */
function code(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const kernelFiles = files(kernelDir, ['.ts']).filter((f) => relative(kernelDir, f) !== 'abi.ts');
const hostFiles = hostDirs.flatMap((d) => { try { return files(join(root, d), ['.ts', '.tsx', '.mjs', '.js']); } catch { return []; } });
const text = new Map([...kernelFiles, ...hostFiles].map((f) => [f, code(readFileSync(f, 'utf8'))]));

// the compiler configuration names the abort handler (`use: abort=kernel-as/panic/kabort`)
text.set('asconfig', readFileSync(join(kernelDir, 'asconfig.json'), 'utf8'));

const DECL = /^(export\s+)?(?:declare\s+)?(?:function|const|let|var|class|enum)\s+([A-Za-z_$][\w$]*)/gm;
const dead = [];
const localOnly = [];
for (const f of kernelFiles) {
  for (const m of text.get(f).matchAll(DECL)) {
    const [, exported, name] = m;
    const word = new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
    let here = 0, elsewhere = 0;
    for (const [g, t] of text) {
      const n = (t.match(word) ?? []).length;
      if (g === f) here += n - 1; // the declaration itself does not count
      else elsewhere += n;
    }
    const where = `${relative(root, f)}: ${name}`;
    if (here + (exported ? elsewhere : 0) === 0) dead.push(where);
    else if (exported && elsewhere === 0 && !f.endsWith('main.ts')) localOnly.push(where);
  }
}
for (const d of dead) console.log(d);
if (process.argv.includes('--local')) for (const d of localOnly) console.log(`${d} (exported, used only in its own file)`);
if (process.argv.includes('--check') && dead.length) process.exit(1);
