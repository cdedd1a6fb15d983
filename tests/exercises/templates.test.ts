// Every starter template of the Code panel compiles with the build's options and library.
import { describe, expect, it } from 'vitest';
import { TEMPLATES } from '../../web/src/code/templates';
import { compileInNode } from '../../web/src/code/library-node';
import { parseProtocolDecl } from '../../web/src/code/protocolDecl';

describe('Code panel templates', () => {
  for (const t of TEMPLATES) {
    it(`${t.id} compiles`, async () => {
      const r = await compileInNode(t.source, 'student');
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(r.binary).not.toBeNull();
      if (t.id === 'protocol') expect(typeof parseProtocolDecl(t.source)).toBe('object');
    }, 300_000);
  }
});
