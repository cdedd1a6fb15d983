#!/usr/bin/env node
// Lists the hand-written functions longer than a limit (150 lines by default) in the TypeScript and
// AssemblyScript sources of hw/, kernel-as/, services/, host/, web/src/ and cli/: functions,
// methods, constructors, accessors, function expressions and arrow functions, each measured from
// its first to its last line (a nested function counts inside its parent too). Generated files
// (those whose first lines say "GENERATED") are left out, and so are generated regions inside a
// hand-written function (from a `// <generated …>` line to its `// </generated>` line: the
// interpreter's cases that scripts/el0-gen.ts writes into hw/el0/core.ts). The TypeScript parser reads both
// languages (AssemblyScript is TypeScript syntax with decorators).
//
//   node scripts/long-functions.mjs            prints `file:line name (N lines)` per long function
//   node scripts/long-functions.mjs --max 100  another limit
//   node scripts/long-functions.mjs --check    exits 1 when there is one
// tests/scripts/long-functions.test.ts keeps the list empty.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('../', import.meta.url));
export const DIRS = ['hw', 'kernel-as', 'services', 'host', 'web/src', 'cli'];
const SKIP = new Set(['node_modules', 'build', 'dist', '.git']);

function sources(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Whether a file says it is generated (in its first lines). */
function generated(text) {
  return /GENERATED/.test(text.split('\n', 5).join('\n'));
}

function nameOf(node, sf) {
  if (node.name) return node.name.getText(sf);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const p = node.parent;
  if (p && ts.isVariableDeclaration(p)) return p.name.getText(sf);
  if (p && ts.isPropertyAssignment(p)) return p.name.getText(sf);
  if (p && ts.isPropertyDeclaration(p)) return p.name.getText(sf);
  return '(anonymous)';
}

/** Every function-like node of one file with its length in lines. */
export function functionsOf(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const lines = text.split('\n');
  // generatedBefore[i]: lines of generated regions among lines 1..i
  const generatedBefore = new Int32Array(lines.length + 1);
  let inside = false;
  for (let i = 1; i <= lines.length; i++) {
    const l = lines[i - 1];
    if (/\/\/ <generated\b/.test(l)) inside = true;
    generatedBefore[i] = generatedBefore[i - 1] + (inside ? 1 : 0);
    if (/\/\/ <\/generated>/.test(l)) inside = false;
  }
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && node.body) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      const generatedLines = generatedBefore[last] - generatedBefore[first - 1];
      found.push({ name: nameOf(node, sf), line: first, lines: last - first + 1 - generatedLines });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The functions over `max` lines, in every hand-written source of DIRS. */
export function longFunctions(max = 150) {
  const long = [];
  for (const dir of DIRS) {
    for (const file of sources(join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      if (generated(text)) continue;
      for (const f of functionsOf(file, text)) if (f.lines > max) long.push({ file: relative(root, file), ...f });
    }
  }
  return long.sort((a, b) => b.lines - a.lines);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--max');
  const max = at >= 0 ? Number(args[at + 1]) : 150;
  const long = longFunctions(max);
  for (const f of long) console.log(`${f.file}:${f.line} ${f.name} (${f.lines} lines)`);
  if (args.includes('--check') && long.length > 0) process.exit(1);
}
