// A student's own protocol, declared in the program's source, decodes like the system's
// (web/src/code/protocolDecl.ts, web/src/protocols.ts registerUserProtocol).
import { describe, expect, it } from 'vitest';
import { parseProtocolDecl } from '../../web/src/code/protocolDecl';
import * as protocols from '../../web/src/protocols';

const SOURCE = `// a counter with a protocol of its own
/* @protocol { "protocol": "counter", "id": 200,
     "ops": [{ "name": "add", "id": 1, "args": [{ "name": "n", "type": "u64" }], "reply": [{ "name": "total", "type": "u64" }] },
             { "name": "name", "id": 2, "reply": [{ "name": "text", "type": "string", "max": 24 }] }] } */
import { recv } from "../lib";
recv(5);
`;

describe('student-declared protocols', () => {
  it('parse from a block comment and decode requests and replies once registered', () => {
    const p = parseProtocolDecl(SOURCE);
    expect(typeof p === 'object' && p !== null && p.protocol).toBe('counter');
    if (!p || typeof p === 'string') return;
    expect(protocols.opText(0xc801)).toBe('label 0xc801');
    protocols.registerUserProtocol(p);
    expect(protocols.opText(0xc801)).toBe('counter.add');
    expect(protocols.wire!.decodeRequest(0xc801, [5n]).text).toBe('counter.add(n=5)');
    expect(protocols.replyTo(0xc801, 0, [12n])).toContain('total=12');
    expect(protocols.PROTOCOLS.some((x) => x.protocol === 'vfs')).toBe(true); // the system's stay
  });

  it('say what is wrong with a declaration', () => {
    expect(parseProtocolDecl('no declaration here')).toBeNull();
    expect(parseProtocolDecl('/* @protocol { nope } */')).toMatch(/not JSON/);
    expect(parseProtocolDecl('/* @protocol { "protocol": "x", "id": 5, "ops": [] } */')).toMatch(/"id" must be 128/);
    expect(parseProtocolDecl('/* @protocol { "protocol": "x", "id": 130, "ops": [] } */')).toMatch(/at least one/);
    expect(parseProtocolDecl('/* @protocol { "protocol": "x", "id": 130, "ops": [{ "name": "a", "id": 1, "args": [{ "name": "s", "type": "string" }] }] } */')).toMatch(/needs "max"/);
    expect(parseProtocolDecl('/* @protocol { "protocol": "x", "id": 130, "ops": [{ "name": "a", "id": 1 }, { "name": "a", "id": 2 }] } */')).toMatch(/used twice/);
    expect(parseProtocolDecl('/* @protocol { "protocol": "x", "id": 130, "ops": [{ "name": "a", "id": 1, "args": [{ "name": "f", "type": "float" }] }] } */')).toMatch(/type must be/);
  });
});
