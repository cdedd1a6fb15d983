// Completion and hover docs come from the user library's own sources (web/src/code/libdocs.ts).
import { describe, expect, it } from 'vitest';
import { libraryIndex, parseLibrary } from '../../web/src/code/libdocs';

describe('user library docs', () => {
  it('index the library\'s exports with their signatures and doc comments', () => {
    const ix = libraryIndex();
    expect(ix.get('cnodeMint')?.kind).toBe('function');
    expect(ix.get('cnodeMint')?.signature).toMatch(/^function cnodeMint\(cn: u64, dest: u64, src: u64, rights: u64, badge: u64\): u32$/);
    expect(ix.get('recv')?.doc.length).toBeGreaterThan(0);
    expect(ix.get('SLOT_SELF')?.signature).toBe('const SLOT_SELF: u64 = 5');
    expect(ix.get('SLOT_SELF')?.doc).toMatch(/endpoint/);
    expect(ix.get('SLOT_POOL_FRAME')).toBeDefined();
    expect(ix.size).toBeGreaterThan(150);
  });

  it('keep a doc comment across decorators and take a constant\'s trailing comment', () => {
    const e = parseLibrary('x.ts', '/** Adds. */\n// @ts-ignore: decorator\n@inline export function add(a: i32, b: i32): i32 { return a + b; }\nexport const K: u32 = 7; // the seventh\n');
    expect(e).toEqual([
      { name: 'add', kind: 'function', signature: 'function add(a: i32, b: i32): i32', doc: 'Adds.', file: 'x.ts' },
      { name: 'K', kind: 'constant', signature: 'const K: u32 = 7', doc: 'the seventh', file: 'x.ts' },
    ]);
  });
});
