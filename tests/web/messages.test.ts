// The messages panel's decoding on a real machine: the shell's file calls, whose path strings and
// file data travel in the IPC buffer (message words 4..), come out whole — the kernel traces those
// words (IPC_WORDS_MORE) and web/src/messages.ts decodes them through the typed protocols.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { root } from '../services/asc';
import { bootShell, buildArtifacts, type Session } from '../services/shell-driver';
import { TraceStore } from '../../web/src/traceStore';
import { TRACE_STRIDE } from '../../web/src/worker/protocol';
import { isMessage, messageAt, messageWords, msgText } from '../../web/src/messages';
import { kindOf } from '../../host/traceKinds';

let s: Session;
// the store wakes the page's panels once per animation frame; Node has no frames and no panels
globalThis.requestAnimationFrame ??= () => 1;
const store = new TraceStore(1 << 18);

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build.mjs', 'kernel', 'services'], { cwd: root, stdio: 'inherit' });
  s = await bootShell(buildArtifacts());
  // packed as the worker streams records to the page: seq, ticks, kind, arg0..arg5
  s.m.on('trace', (r) => store.append(Float64Array.from({ length: TRACE_STRIDE }, (_, i) => (i < 3 ? [r.seq, r.ticks, r.kind][i] : r.args[i - 3] ?? 0))));
}, 180_000);

/** The decoded text of every message since record `from`. */
function texts(from: number): string[] {
  const out: string[] = [];
  for (let i = store.ipcFirst; i < store.ipcTotal; i++) {
    const n = store.ipcAt(i);
    if (n < from) continue;
    const m = messageAt(store, n);
    if (isMessage(m)) out.push(msgText(m, store));
  }
  return out;
}

describe('messages decoded whole', () => {
  it('vfs.open shows its path and vfs.read its data', () => {
    const from = store.total;
    expect(s.type('cat /etc/motd')).toContain('Welcome');
    const t = texts(from);
    expect(t).toContainEqual(expect.stringMatching(/^vfs\.open\(path="\/etc\/motd", flags=/));
    // the file's bytes come back in the reply, far past MR3
    expect(t).toContainEqual(expect.stringMatching(/^vfs\.read → ok\(data="Welcome to MyLittleKernel!/));
  });

  it('a path longer than the four register words is decoded from the IPC buffer', () => {
    const from = store.total;
    const path = '/tmp/a-file-with-a-rather-long-name-to-cross-the-registers.txt';
    s.type(`echo hello > ${path}`);
    const t = texts(from);
    expect(t).toContainEqual(expect.stringMatching(new RegExp(`^vfs\\.open\\(path="${path.replace(/[.]/g, '\\.')}", flags=`)));
    expect(t.join('\n')).not.toContain('…');
  });

  it('IPC_WORDS_MORE records carry words 4.. in order, two a record, only as many as the message has', () => {
    const more = kindOf('IPC_WORDS_MORE')!;
    let seen = 0;
    for (let i = store.ipcFirst; i < store.ipcTotal; i++) {
      const n = store.ipcAt(i);
      const m = messageAt(store, n);
      if (m.kind !== 'IPC_SEND' && m.kind !== 'IPC_REPLY') continue;
      const w = messageWords(store, m);
      if (!w || w.length <= 4) continue;
      // the records after IPC_WORDS, IPC_WORDS2: indices 4, 6, … up to the message's length
      let k = n + 3;
      for (let index = 4; index < w.length; index += 2, k++) {
        expect(store.kindAt(k)).toBe(more);
        expect(store.argAt(k, 0)).toBe(m.from);
        expect(store.argAt(k, 1)).toBe(index);
      }
      expect(store.has(k) && store.kindAt(k) === more && store.argAt(k, 0) === m.from).toBe(false);
      expect(w.words).toHaveLength(w.length);
      seen++;
    }
    expect(seen).toBeGreaterThan(3);
  });
});
