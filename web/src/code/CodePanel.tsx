// The Code panel: write an AssemblyScript service, compile it in the page (compiler Worker, loaded
// at the first compile), run it in the running machine through the playground agent with the
// capabilities ticked, and check it against an exercise's grader. This file is loaded lazily
// (Dock: React.lazy), so CodeMirror is not part of the first load either.

import { useEffect, useRef, useState, type MutableRefObject, type RefObject } from 'react';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching } from '@codemirror/language';
import { linter, lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { machine } from '../machineClient';
import { decodeAgent } from '../agent';
import { errName } from './session';
import { GRANTS, grantBits, programMessages, PROGRAM_NAME } from './program';
import type { Diagnostic } from './compile';
import { compileInPage, gradeInPage } from './compilerClient';
import { downloadSource, loadSource, readFragment, saveSource, shareFragment } from './storage';
import { TEMPLATES } from './templates';
import { GpioStrip } from './GpioStrip';
import { parseProtocolDecl } from './protocolDecl';
import { libraryCompletions, libraryHover } from './libdocs';
import { autocompletion, completionKeymap } from '@codemirror/autocomplete';
import { PROTOCOLS, registerUserProtocol } from '../protocols';
import { EXERCISES } from '../../../exercises/index';
import '../panels/panels.css';
import './CodePanel.css';

const exerciseFiles = import.meta.glob<string>('../../../exercises/*/{statement.md,starter.ts,hints.md}', { query: '?raw', import: 'default', eager: true });
const exFile = (id: string, f: string) => exerciseFiles[`../../../exercises/${id}/${f}`] ?? '';

interface Doc { id: string; title: string; grants: string[]; starter: string; exercise?: string }
const DOCS: Doc[] = [
  ...TEMPLATES.map((t) => ({ id: `t:${t.id}`, title: `Template: ${t.title}`, grants: t.grants, starter: t.source })),
  ...EXERCISES.map((e) => ({ id: `x:${e.id}`, title: `Exercise: ${e.title}`, grants: e.grants, starter: exFile(e.id, 'starter.ts'), exercise: e.id })),
];

/** Mailbox tags of the Code panel: a range of their own, apart from the composer's. */
let nextTag = 0x4000_0000;

/** Uploads and starts a binary through the agent; resolves with init's answer. */
function runInMachine(binary: Uint8Array, name: string, grants: number): Promise<{ err: number; tid: number; slot: number }> {
  const msgs = programMessages(binary, name, grants, nextTag);
  nextTag += msgs.length;
  const last = msgs[msgs.length - 1][0];
  const first = msgs[0][0];
  return new Promise((resolve) => {
    let failed: number | null = null;
    const off = machine.onMailbox((words, accepted) => {
      if (!accepted) { off(); resolve({ err: -1, tid: 0, slot: 0 }); return; }
      const m = decodeAgent(words);
      if (!m || m.type !== 'reply' || m.tag < first || m.tag > last) return;
      if (m.err !== 0 && failed === null) failed = m.err;
      if (m.tag === last) {
        off();
        resolve(failed !== null ? { err: failed, tid: 0, slot: 0 } : { err: 0, tid: Number(m.words[0] ?? 0n), slot: Number(m.words[1] ?? 0n) });
      }
    });
    for (const w of msgs) machine.postMailbox(w);
  });
}

/** Marks the compiler's diagnostics of file `main` in the editor's gutter and text. */
function markDiagnostics(v: EditorView, list: Diagnostic[], main: string): void {
  const cm: CmDiagnostic[] = [];
  for (const d of list) {
    if (d.file !== main || d.line > v.state.doc.lines) continue;
    const line = v.state.doc.line(d.line);
    const from = Math.min(line.from + d.column - 1, line.to);
    cm.push({ from, to: Math.min(line.to, from + 1) === from ? from : line.to, severity: d.severity, message: d.message });
  }
  v.dispatch(setDiagnostics(v.state, cm));
}

/** The CodeMirror editor in `host`, made once with `starter`; every edit is saved under the current document. */
function useEditor(host: RefObject<HTMLDivElement | null>, starter: string, currentDoc: MutableRefObject<string>) {
  const view = useRef<EditorView | null>(null);
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: starter,
        extensions: [
          lineNumbers(), history(), highlightActiveLine(), bracketMatching(),
          keymap.of([...defaultKeymap, ...historyKeymap]),
          javascript({ typescript: true }),
          syntaxHighlighting(defaultHighlightStyle),
          linter(null), lintGutter(),
          autocompletion({ override: [libraryCompletions] }), keymap.of(completionKeymap), libraryHover,
          EditorView.updateListener.of((u) => { if (u.docChanged) void saveSource(currentDoc.current, u.state.doc.toString()); }),
          EditorView.contentAttributes.of({ 'aria-label': 'Program source', 'data-testid': 'code-editor' }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  return {
    text: () => view.current?.state.doc.toString() ?? '',
    setText: (text: string) => {
      const v = view.current;
      if (v) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: text } });
    },
    mark: (list: Diagnostic[], main: string) => {
      if (view.current) markDiagnostics(view.current, list, main);
    },
  };
}

type Editor = ReturnType<typeof useEditor>;

/** Compile, Run and Check of the editor's program, with what they report (status line, diagnostics, verdict). */
function useProgramActions(editor: Editor, name: string, grants: string[], exercise: string | undefined) {
  const [diags, setDiags] = useState<Diagnostic[]>([]);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [verdict, setVerdict] = useState('');

  const compile = async () => {
    setBusy(true);
    setStatus('compiling… (the first compile loads the compiler)');
    let r: Awaited<ReturnType<typeof compileInPage>>;
    try { r = await compileInPage(editor.text(), name); } catch (e) { setStatus((e as Error).message); setBusy(false); return null; }
    setDiags(r.diagnostics);
    editor.mark(r.diagnostics, `services/${name}/main.ts`);
    setStatus(r.binary ? `compiled: ${r.binary.length} bytes in ${Math.round(r.ms)} ms` : `did not compile (${r.diagnostics.filter((d) => d.severity === 'error').length} errors)`);
    setBusy(false);
    return r.binary;
  };

  const run = async () => {
    if (!PROGRAM_NAME.test(name)) { setStatus('the name must be a lower-case letter, then letters, digits or -, at most 16'); return; }
    const binary = await compile();
    if (!binary) return;
    setBusy(true);
    setStatus(`starting ${name} through the agent…`);
    const r = await runInMachine(binary, name, grantBits(grants));
    setBusy(false);
    if (r.err === -1) setStatus('the host mailbox is full or the machine is not running: try again');
    else if (r.err !== 0) setStatus(`init did not start ${name}: ${errName(r.err)} (the terminal shows the reason)`);
    else {
      // a protocol declared in the source (/* @protocol {...} */) decodes in the Messages panel from now on
      const decl = parseProtocolDecl(editor.text(), PROTOCOLS.filter((p) => p.id < 128).map((p) => p.id));
      if (decl && typeof decl !== 'string') registerUserProtocol(decl);
      const proto = decl === null ? '' : typeof decl === 'string' ? `; ${decl}` : `; its protocol ${decl.protocol} (id ${decl.id}) decodes in the Messages panel`;
      setStatus(`${name} runs as tid ${r.tid}${r.slot ? `; the agent holds its endpoint in slot ${r.slot} (Send IPC panel)` : ''}${proto}`);
    }
  };

  const check = async () => {
    if (!exercise) return;
    setBusy(true);
    setVerdict('');
    setStatus('checking on a machine of its own… (the first check loads the compiler)');
    let r: Awaited<ReturnType<typeof gradeInPage>>;
    try { r = await gradeInPage(exercise, editor.text()); } catch (e) { setStatus((e as Error).message); setBusy(false); return; }
    setVerdict(r.line);
    setStatus(`checked in ${(r.ms / 1000).toFixed(1)} s`);
    setBusy(false);
  };

  /** Forgets the last results (another document was chosen). */
  const clear = () => {
    setVerdict('');
    setDiags([]);
  };
  return { compile, run, check, clear, diags, status, setStatus, busy, verdict };
}

/** The capabilities to grant the program, one checkbox each. */
function GrantBoxes({ grants, setGrants }: { grants: string[]; setGrants: (g: string[]) => void }) {
  return (
    <fieldset className="code-grants" aria-label="Capabilities to grant">
      <legend>capabilities</legend>
      {GRANTS.map((g) => (
        <label key={g.name} title={g.doc}>
          <input type="checkbox" checked={grants.includes(g.name)} data-testid={`grant-${g.name}`}
            onChange={(e) => setGrants(e.target.checked ? [...grants, g.name] : grants.filter((x) => x !== g.name))} />
          {g.name}
        </label>
      ))}
    </fieldset>
  );
}

/** The compiler's diagnostics, those of the program's own file without its name. */
function Diagnostics({ diags, main }: { diags: Diagnostic[]; main: string }) {
  if (diags.length === 0) return null;
  return (
    <ul className="code-diags" data-testid="code-diagnostics">
      {diags.map((d, i) => (
        <li key={i} className={d.severity}>
          <span>{d.file === main ? '' : `${d.file}:`}{d.line}:{d.column}</span> {d.severity}: {d.message}
        </li>
      ))}
    </ul>
  );
}

export function CodePanel() {
  const host = useRef<HTMLDivElement>(null);
  const [docId, setDocId] = useState(DOCS[0].id);
  const [name, setName] = useState('student');
  const [grants, setGrants] = useState<string[]>(DOCS[0].grants);
  const doc = DOCS.find((d) => d.id === docId) ?? DOCS[0];
  const currentDoc = useRef(doc.id);
  const editor = useEditor(host, doc.starter, currentDoc);
  const actions = useProgramActions(editor, name, grants, doc.exercise);

  // a program shared by link (#…) replaces the starter once the editor is there
  useEffect(() => {
    void readFragment(location.hash).then((shared) => {
      if (!shared) return;
      currentDoc.current = shared.doc;
      if (DOCS.some((d) => d.id === shared.doc)) setDocId(shared.doc);
      setName(PROGRAM_NAME.test(shared.name) ? shared.name : 'student');
      setGrants(shared.grants);
      editor.setText(shared.source);
      actions.setStatus('loaded the shared program from the link');
    });
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  const choose = async (id: string) => {
    const d = DOCS.find((x) => x.id === id) ?? DOCS[0];
    currentDoc.current = d.id;
    setDocId(d.id);
    setGrants(d.grants);
    actions.clear();
    editor.setText((await loadSource(d.id)) ?? d.starter);
  };

  const share = async () => {
    const frag = await shareFragment({ doc: doc.id, name, grants, source: editor.text() });
    const url = `${location.origin}${location.pathname}#${frag}`;
    window.history.replaceState(null, '', url);
    try { await navigator.clipboard.writeText(url); actions.setStatus('share link copied to the clipboard (and in the address bar)'); }
    catch { actions.setStatus('share link is in the address bar'); }
  };

  const importFile = async (f: File | undefined) => {
    if (f) editor.setText(await f.text());
  };

  const { busy, verdict } = actions;
  return (
    <div className="panel code-panel" data-testid="code-panel">
      <div className="code-bar">
        <select value={docId} onChange={(e) => void choose(e.target.value)} aria-label="Template or exercise" data-testid="code-doc">
          {DOCS.map((d) => <option key={d.id} value={d.id}>{d.title}</option>)}
        </select>
        <label>name <input value={name} onChange={(e) => setName(e.target.value)} size={10} data-testid="code-name" aria-label="Process name" /></label>
      </div>
      {doc.exercise && (
        <details className="code-statement" open data-testid="code-statement">
          <summary>Statement</summary>
          <pre>{exFile(doc.exercise, 'statement.md')}</pre>
          <details><summary>Hints</summary><pre>{exFile(doc.exercise, 'hints.md')}</pre></details>
        </details>
      )}
      <div className="code-editor" ref={host} />
      {grants.includes('gpio') && <GpioStrip />}
      <GrantBoxes grants={grants} setGrants={setGrants} />
      <div className="code-bar">
        <button onClick={() => void actions.compile()} disabled={busy} data-testid="code-compile">Compile</button>
        <button onClick={() => void actions.run()} disabled={busy} data-testid="code-run">Run</button>
        {doc.exercise && <button onClick={() => void actions.check()} disabled={busy} data-testid="code-check">Check</button>}
        <button onClick={() => void share()} data-testid="code-share">Share</button>
        <button onClick={() => downloadSource(`${name}.ts`, editor.text())} data-testid="code-export">Export</button>
        <label className="code-import">Import <input type="file" accept=".ts,text/plain" onChange={(e) => void importFile(e.target.files?.[0])} /></label>
      </div>
      <p className="dim" role="status" data-testid="code-status">{actions.status}</p>
      {verdict && <p className={verdict === 'PASS' ? 'code-pass' : 'code-fail'} data-testid="code-verdict">{verdict}</p>}
      <Diagnostics diags={actions.diags} main={`services/${name}/main.ts`} />
    </div>
  );
}

export default CodePanel;
