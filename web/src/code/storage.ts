// Where the Code panel keeps sources: IndexedDB (one record per template or exercise), a Share
// URL (the source deflated into the fragment: nothing leaves the browser) and plain files.
import { openDB, type IDBPDatabase } from 'idb';

export interface SharedCode { doc: string; name: string; grants: string[]; source: string }

let db: Promise<IDBPDatabase> | null = null;
const open = () => (db ??= openDB('mlk-code', 1, { upgrade(d) { d.createObjectStore('sources'); } }));

export async function loadSource(doc: string): Promise<string | undefined> {
  try { return (await (await open()).get('sources', doc)) as string | undefined; } catch { return undefined; }
}
export async function saveSource(doc: string, source: string): Promise<void> {
  try { await (await open()).put('sources', source, doc); } catch { /* private mode: the editor still works */ }
}

const b64url = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromB64url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

async function pipe(data: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([data as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** `#code=…`: the shared program, deflated and base64url-encoded. */
export async function shareFragment(c: SharedCode): Promise<string> {
  const packed = await pipe(new TextEncoder().encode(JSON.stringify(c)), new CompressionStream('deflate-raw'));
  return `code=${b64url(packed)}`;
}

export async function readFragment(hash: string): Promise<SharedCode | null> {
  const m = /(?:^#|&)code=([A-Za-z0-9_-]+)/.exec(hash);
  if (!m) return null;
  try {
    const text = new TextDecoder().decode(await pipe(fromB64url(m[1]), new DecompressionStream('deflate-raw')));
    const c = JSON.parse(text) as SharedCode;
    return typeof c.source === 'string' ? { doc: String(c.doc ?? 'shared'), name: String(c.name ?? 'student'), grants: Array.isArray(c.grants) ? c.grants.map(String) : [], source: c.source } : null;
  } catch { return null; }
}

export function downloadSource(fileName: string, source: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([source], { type: 'text/plain' }));
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 0);
}
