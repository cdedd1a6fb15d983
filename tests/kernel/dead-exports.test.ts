// The kernel keeps no dead code: scripts/dead-exports.mjs lists every top-level name of kernel-as/
// that neither the kernel nor the host (which calls wasm exports such as ki_json by name) uses.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

describe('kernel dead code', () => {
  it('every name kernel-as/ declares is used somewhere, and every export outside its own file', () => {
    const out = execFileSync(process.execPath, ['scripts/dead-exports.mjs', '--local'], { cwd: root, encoding: 'utf8' });
    expect(out.trim().split('\n').filter(Boolean)).toEqual([]);
  });
});
