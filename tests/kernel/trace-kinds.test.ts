// kernel-as/trace.ts defines the trace record kinds; kernel-as/trace-kinds.json mirrors them for
// the UI and the CLI. This keeps the two in step.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import kinds from '../../kernel-as/trace-kinds.json';

const src = readFileSync(new URL('../../kernel-as/trace.ts', import.meta.url), 'utf8');

function fromSource(): { kind: number; name: string; args: string[] }[] {
  const out: { kind: number; name: string; args: string[] }[] = [];
  const re = /^export const TRACE_([A-Z0-9_]+): u32 = (0x[0-9a-fA-F]+|\d+); \/\/ args:(.*)$/gm;
  for (let m; (m = re.exec(src)); ) {
    const args = m[3].split(',').map((s) => s.trim()).filter((s) => s.length > 0 && s !== '-');
    out.push({ kind: Number(m[2]), name: m[1], args });
  }
  return out;
}

describe('trace kinds', () => {
  it('trace.ts and trace-kinds.json agree', () => {
    const fromTs = fromSource();
    expect(fromTs.length).toBeGreaterThan(0);
    expect(kinds).toEqual(fromTs);
  });

  it('every TRACE_ constant is in the table form, and kinds are unique', () => {
    const all = src.match(/^export const TRACE_\w+/gm) ?? [];
    expect(all.length).toBe(fromSource().length);
    expect(new Set(kinds.map((k) => k.kind)).size).toBe(kinds.length);
    expect(new Set(kinds.map((k) => k.name)).size).toBe(kinds.length);
  });

  it('the comment table in trace.ts lists every kind', () => {
    for (const k of kinds) {
      const hex = `0x${k.kind.toString(16).padStart(2, '0')}`;
      expect(src).toMatch(new RegExp(`// \\| ${hex} \\| ${k.name} +\\|`));
    }
  });
});
