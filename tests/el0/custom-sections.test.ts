// Binary decoding of custom sections exactly per the spec (5.5.3): a name (a UTF-8 byte vector), then
// arbitrary bytes up to the end given by the section size; sizes and lengths may use non-minimal
// LEB128 encodings (up to 5 bytes for a u32). Also: `mlk wast` counts only assertions as passed.
import { describe, expect, test } from 'vitest';
import { runWast } from '../../tools/el0/wast';
import { decodeProgram, ProgramError } from '../../hw/el0/decode';

const HDR = '"\\00asm" "\\01\\00\\00\\00"';
// type () -> i32, one function returning 42, exported as "f"
const TYPE = '"\\01\\05\\01\\60\\00\\01\\7f"';
const FUNC = '"\\03\\02\\01\\00"';
const EXPORT = '"\\07\\05\\01\\01f\\00\\00"';
const CODE = '"\\0a\\06\\01\\04\\00\\41\\2a\\0b"';
const custom = (name: string, payload: string) => {
  const body = String.fromCharCode(name.length) + name + payload;
  return `"\\00" "\\${body.length.toString(16).padStart(2, '0')}" "\\${name.length.toString(16).padStart(2, '0')}${name}${payload}"`;
};

async function run(script: string) {
  const r = await runWast(script, 'custom.wast');
  expect(r.failures).toEqual([]);
  return r;
}

describe('custom sections', () => {
  test('with a payload, an empty name, between and after every section: the module loads and runs', async () => {
    const r = await run(`
      (module binary ${HDR} ${custom('a', 'payload bytes')} ${TYPE} ${custom('', '')} ${FUNC}
        ${custom('name', '012')} ${EXPORT} ${custom('x', '')} ${CODE} ${custom('last', 'zz')})
      (assert_return (invoke "f") (i32.const 42))`);
    expect(r.passed).toBe(1);
  });

  test('section size and name length with non-minimal LEB128 encodings', async () => {
    const r = await run(`
      (module binary ${HDR} "\\00" "\\8a\\00" "\\01" "1" "23456789")
      (module binary ${HDR} "\\00" "\\0b" "\\88\\00" "12345678" "9")
      (module binary ${HDR} "\\00" "\\8d\\80\\80\\80\\00" "\\88\\80\\80\\80\\00" "12345678" "")
      (module binary ${HDR} "\\00" "\\8a\\80\\00" "\\81\\80\\00" "1" "234567" ${TYPE} ${FUNC} ${EXPORT} ${CODE})
      (assert_return (invoke "f") (i32.const 42))`);
    expect(r.passed).toBe(1);
    expect(r.failed).toBe(0);
  });

  test('malformed: overlong encodings, a name past the section end, a size past the module end, bad UTF-8', async () => {
    const r = await run(`
      (assert_malformed (module binary ${HDR} "\\00" "\\83\\80\\80\\80\\80\\00" "\\01" "1" "2") "integer representation too long")
      (assert_malformed (module binary ${HDR} "\\00" "\\0a" "\\83\\80\\80\\80\\80\\00" "123" "4") "integer representation too long")
      (assert_malformed (module binary ${HDR} "\\00" "\\03" "\\05" "12" ${TYPE}) "unexpected end")
      (assert_malformed (module binary ${HDR} "\\00" "\\09" "\\02" "ab") "unexpected end")
      (assert_malformed (module binary ${HDR} "\\00" "\\03" "\\02" "\\c3\\28") "malformed UTF-8 encoding")
      (assert_malformed (module binary ${HDR} "\\00" "\\00") "unexpected end")`);
    expect(r.passed).toBe(6);
  });

  test('the errors name the custom section and the reason', () => {
    const bin = (...b: number[]) => new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...b]);
    expect(decodeProgram(bin(0, 0x8a, 0, 1, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39)).funcs).toEqual([]);
    const e = (() => { try { decodeProgram(bin(0, 3, 5, 0x31, 0x32)); } catch (x) { return x; } })();
    expect(e).toBeInstanceOf(ProgramError);
    expect((e as ProgramError).section).toBe('custom');
    expect((e as ProgramError).reason).toMatch(/unexpected end/);
  });
});

describe('mlk wast counts only assertions as passed', () => {
  test('a bare invoke is run and listed as an action, not as a passed assertion', async () => {
    const r = await run(`
      (module (func (export "f") (result i32) (i32.const 1)) (func (export "t") unreachable))
      (invoke "f")
      (assert_return (invoke "f") (i32.const 1))`);
    expect(r.passed).toBe(1);
    expect(r.actions).toBe(1);
  });

  test('a bare action that traps is a failure', async () => {
    const r = await runWast(`(module (func (export "t") unreachable)) (invoke "t")`, 't.wast');
    expect(r.failed).toBe(1);
    expect(r.passed).toBe(0);
    expect(r.failures[0]).toMatch(/action failed: unreachable/);
  });
});
