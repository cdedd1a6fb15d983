// libdocs.ts — completion and hover docs for the user library (services/lib, what a program
// imports from "../lib"), read from the library's own sources: every `export function`, `export
// const`, `export let` and `export class` with the doc comment above it (or the `//` comment after
// a constant). The sources come bundled into the Code panel's lazy chunk, so the docs can never
// disagree with the library the compiler uses; nothing of it is in the first load.
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { hoverTooltip, type Tooltip } from '@codemirror/view';

const sources = import.meta.glob<string>('../../../services/lib/*.ts', { query: '?raw', import: 'default', eager: true });

export interface LibEntry { name: string; kind: 'function' | 'constant' | 'variable' | 'class'; signature: string; doc: string; file: string }

const DECL = /^export\s+(?:declare\s+)?(function|const|let|class)\s+([A-Za-z_$][\w$]*)(.*)$/;

/** The exported names of one library file with their signatures and docs. */
export function parseLibrary(file: string, text: string): LibEntry[] {
  const out: LibEntry[] = [];
  const lines = text.split('\n');
  let doc: string[] = [];
  let inDoc = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (inDoc) {
      doc.push(line.replace(/^\*\/?\s?/, '').replace(/\*\/$/, '').trim());
      if (line.endsWith('*/')) inDoc = false;
      continue;
    }
    if (line.startsWith('/**')) {
      doc = [line.replace(/^\/\*\*\s?/, '').replace(/\*\/$/, '').trim()];
      inDoc = !line.endsWith('*/');
      continue;
    }
    if (/^@[\w.]+(\([^)]*\))?$/.test(line) || line.startsWith('// @ts-ignore')) continue; // decorators keep the doc above them
    const m = DECL.exec(line.replace(/^(@[\w.]+(\([^)]*\))?\s+)+/, ''));
    if (m) {
      const [, what, name, rest] = m;
      const kind = what === 'function' ? 'function' : what === 'class' ? 'class' : what === 'const' ? 'constant' : 'variable';
      let signature = `${what} ${name}${rest}`.replace(/\s*\{.*$/, '').replace(/\s*=\s*[^=].*$/, '').trim();
      const trailing = /\/\/\s?(.*)$/.exec(rest);
      if (kind === 'constant' || kind === 'variable') {
        const value = /=\s*([^;]*);/.exec(rest);
        if (value) signature += ` = ${value[1].trim()}`;
      }
      const text = doc.filter((d) => d.length > 0).join(' ') || (trailing ? trailing[1] : '');
      out.push({ name, kind, signature, doc: text, file });
    }
    doc = [];
  }
  return out;
}

let index: Map<string, LibEntry> | null = null;

/** Every exported name of the library, once. */
export function libraryIndex(): Map<string, LibEntry> {
  if (index) return index;
  index = new Map();
  for (const [path, text] of Object.entries(sources)) {
    const file = path.replace(/^.*\/services\//, 'services/');
    for (const e of parseLibrary(file, text)) if (!index.has(e.name)) index.set(e.name, e);
  }
  return index;
}

const TYPE: Record<LibEntry['kind'], string> = { function: 'function', constant: 'constant', variable: 'variable', class: 'class' };

/** CodeMirror completion source: the library's names matching the word before the cursor. */
export function libraryCompletions(ctx: CompletionContext): CompletionResult | null {
  const word = ctx.matchBefore(/[A-Za-z_$][\w$]*/);
  if (!word || (word.from === word.to && !ctx.explicit)) return null;
  const options: Completion[] = [];
  for (const e of libraryIndex().values()) {
    options.push({ label: e.name, type: TYPE[e.kind], detail: e.signature.replace(/^(function|const|let|class)\s+[\w$]+/, ''), info: e.doc ? `${e.doc} (${e.file})` : e.file });
  }
  return { from: word.from, options, validFor: /^[\w$]*$/ };
}

/** Hover docs: the signature and doc comment of a library name under the pointer. */
export const libraryHover = hoverTooltip((view, pos): Tooltip | null => {
  const line = view.state.doc.lineAt(pos);
  const at = pos - line.from;
  let start = at, end = at;
  while (start > 0 && /[\w$]/.test(line.text[start - 1])) start--;
  while (end < line.text.length && /[\w$]/.test(line.text[end])) end++;
  if (start === end) return null;
  const e = libraryIndex().get(line.text.slice(start, end));
  if (!e) return null;
  return {
    pos: line.from + start,
    end: line.from + end,
    above: true,
    create: () => {
      const dom = document.createElement('div');
      dom.className = 'code-hover';
      const sig = document.createElement('code');
      sig.textContent = e.signature;
      const doc = document.createElement('div');
      doc.textContent = `${e.doc}${e.doc ? ' ' : ''}(${e.file})`;
      dom.append(sig, doc);
      return { dom };
    },
  };
});
