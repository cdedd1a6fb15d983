// The host↔agent mailbox frame (abi/mailbox.json) end to end: the host (web/src/agent.ts) posts a
// request on the mailbox device, the agent (services/agent) makes the IPC call and mails back the
// reply. A frame carries a whole IPC message both ways: a 64-word request reaches a test server
// (mirror, which the agent finds under the name "ramdisk" in this image) and its 64-word reply
// comes back whole; a real service takes a request beyond the old limit of 29 words.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_MAX_MSG_WORDS, AGENT_VERSION, MSG_MAX_WORDS } from '../../host/abi';
import { CNTFRQ } from '../../hw/memmap';
import { wire } from '../../services/gen/protocols';
import { decodeAgent, encodeRequest, type AgentMessage } from '../../web/src/agent';
import { root } from './asc';
import { imageWith } from './custom-image';
import { bootShell, kiJson, type Session } from './shell-driver';

let s: Session;
const inbox: AgentMessage[] = [];

beforeAll(async () => {
  const bootImage = await imageWith({
    name: 'mirror',
    source: join(root, 'tests', 'services', 'programs', 'mirror.ts'),
    serves: true,
    // the agent looks up "ramdisk" at start; here init answers with the mirror's endpoint
    editManifest: (text) => text.replace('s.name = "agent";', 's.name = "agent"; s.uses.push("ramdisk"); s.uses.push("mirror");'),
  });
  s = await bootShell({ kernel: new WebAssembly.Module(readFileSync(join(root, 'build', 'kernel.wasm'))), bootImage });
  s.m.mailbox.onMessage = (w) => { const m = decodeAgent(Array.from(w)); if (m) inbox.push(m); };
}, 300_000);

/** Posts a frame and runs the machine until the agent's answer with that tag (at most 5 virtual seconds). */
function ask(frame: number[], tag: number): AgentMessage {
  expect(s.m.mailbox.post(frame)).toBe(true);
  const limit = s.m.clock.ticks + 5 * CNTFRQ;
  for (;;) {
    const i = inbox.findIndex((m) => (m.type === 'hello' ? 0 : m.tag) === tag);
    if (i >= 0) return inbox.splice(i, 1)[0];
    if (s.m.halted) throw new Error(`machine halted: ${s.m.halted.reason}`);
    if (s.m.clock.ticks > limit) throw new Error(`no answer to tag ${tag}\n${s.out}`);
    s.m.run(CNTFRQ / 100);
  }
}

/** The agent's slot for the endpoint a server thread waits on (from the kernel's views). */
function agentSlotOf(server: string): number {
  const threads = kiJson(s.m, 0) as { name: string; tid: number; blocked_object: number }[];
  const endpoint = threads.find((t) => t.name === server)!.blocked_object;
  const agent = threads.find((t) => t.name === 'agent')!;
  const caps = kiJson(s.m, 1, agent.tid) as { slots: { slot: number; type: string; object_id: number }[] };
  return caps.slots.find((c) => c.type === 'endpoint' && c.object_id === endpoint)!.slot;
}

describe('host↔agent mailbox frame', () => {
  it('says hello with the frame version and the slots it holds', () => {
    const hello = ask([0], 0);
    expect(hello).toMatchObject({ type: 'hello', version: AGENT_VERSION });
    expect(hello.type === 'hello' && hello.slots).toContain(agentSlotOf('mirror'));
  });

  it('carries a request and a reply of the maximum length (a whole IPC message) both ways', () => {
    expect(AGENT_MAX_MSG_WORDS).toBe(MSG_MAX_WORDS);
    const words = Array.from({ length: AGENT_MAX_MSG_WORDS }, (_, i) => (BigInt(i + 1) << 40n) | 0xdead_0000n | BigInt(i));
    const reply = ask(encodeRequest(7, agentSlotOf('mirror'), 0x1234n, words), 7);
    expect(reply).toEqual({ type: 'reply', tag: 7, err: 0, label: 0n, words: [...words].reverse() });
  });

  it('a real service takes a request beyond the old 29-word frame', () => {
    const data = 'frame-'.repeat(42) + 'done'; // 256 bytes: 33 message words
    const req = wire!.encodeRequest('console', 'write', { data });
    expect(req.words.length).toBeGreaterThan(29);
    const reply = ask(encodeRequest(8, agentSlotOf('console'), req.label, req.words), 8);
    if (reply.type !== 'reply') throw new Error('expected a reply');
    expect(reply.err).toBe(0);
    expect(wire!.decodeReply(req.label, reply.label, reply.words).text).toBe('ok(n=256)');
    s.waitFor('done', 5);
    expect(s.out).toContain(data);
  });

  it('refuses on the host side what cannot be one IPC message', () => {
    expect(() => encodeRequest(9, 5, 0n, new Array(AGENT_MAX_MSG_WORDS + 1).fill(0n))).toThrow(/at most 64 words/);
  });
});
