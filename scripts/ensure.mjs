#!/usr/bin/env node
// Makes a fresh clone runnable: installs the locked dependencies when node_modules is missing or
// older than package-lock.json, and with --browser makes sure Playwright has a Chromium
// (the system /usr/bin/chromium or $MLK_CHROMIUM when present, else Playwright's own download).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'node_modules', '.mlk-lock-hash');
const lockHash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json'))).digest('hex');

const run = (cmd) => execSync(cmd, { cwd: root, stdio: 'inherit' });

if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  console.error('[ensure] installing the locked dependencies (npm ci)…');
  run('npm ci --no-audit --no-fund');
  writeFileSync(stamp, lockHash);
}

if (process.argv.includes('--browser')) {
  const system = process.env.MLK_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(system)) {
    console.error(`[ensure] ${system} not found; installing Playwright's Chromium…`);
    run('npx playwright install chromium');
  }
}
